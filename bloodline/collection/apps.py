from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "bloodline.collection"
    label = "collection"
    verbose_name = _("Collection")

    def ready(self) -> None:
        from bloodline.collection.registry_import import task

        task.register()
