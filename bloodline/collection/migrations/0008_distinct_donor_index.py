"""Distinct donors of a subtree and period read from one covering index (decision 0046).

PostgreSQL only (SQLite has no INCLUDE and Django skips the index there)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("collection", "0007_registry_import")]

    operations = [
        migrations.AddIndex(
            model_name="donation",
            index=models.Index(
                condition=models.Q(("outcome", "complete")),
                fields=["credited_to", "collected_at"],
                include=("donor", "drive"),
                name="donation_credit_donor_idx",
            ),
        ),
    ]
