# Decision 0041: exact lookups and name search each answered by one index.

from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.db.migrations.operations.base import Operation

# The name search's index on PostgreSQL: trigrams of the name key, for ``LIKE '%key%'``.
NAME_TRIGRAMS = GinIndex(fields=["name_key"], name="donor_name_key_trgm", opclasses=["gin_trgm_ops"])


class AddIndexOnPostgreSQL(Operation):
    """An index only PostgreSQL has (GIN with ``pg_trgm``); other databases skip it. It is
    not part of the model state: SQLite answers the same search without it."""

    reversible = True

    def __init__(self, model_name: str, index: GinIndex) -> None:
        self.model_name, self.index = model_name, index

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(to_state.apps.get_model(app_label, self.model_name), self.index)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(to_state.apps.get_model(app_label, self.model_name), self.index)

    def describe(self) -> str:
        return f"Create {self.index.name} on PostgreSQL only"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__name__, [], {"model_name": self.model_name, "index": self.index}


class Migration(migrations.Migration):

    dependencies = [
        ('donors', '0005_donor_erasure'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='identitydocument',
            index=models.Index(fields=['number_index'], name='identity_document_number_idx'),
        ),
        # Does nothing on other databases (Django's CreateExtension checks the vendor).
        TrigramExtension(),
        AddIndexOnPostgreSQL('donor', NAME_TRIGRAMS),
    ]
