from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "bloodline.collection"
    label = "collection"
    verbose_name = _("Collection")

    def ready(self) -> None:
        from bloodline.collection import donor_windows, label_tasks, summaries
        from bloodline.collection.registry_import import task
        from bloodline.organisations import tally as tree_tally

        # Pre-printed label sheets and registry imports are run by the worker (decision 0044).
        label_tasks.register()
        task.register()
        # A moved organisation takes its credited days along in the tree's tally (0049).
        tree_tally.register_source(summaries.own_rows)
        # The windows' distinct donors are counted by the worker when new or stale (0052).
        donor_windows.register()
