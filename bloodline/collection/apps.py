from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "bloodline.collection"
    label = "collection"
    verbose_name = _("Collection")

    def ready(self) -> None:
        from bloodline.collection import label_tasks
        from bloodline.collection.registry_import import task

        # Pre-printed label sheets and registry imports are run by the worker (decision 0044).
        label_tasks.register()
        task.register()
