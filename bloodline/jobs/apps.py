from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "bloodline.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from bloodline.jobs import queue, tasks

        # Uploaded and produced files of finished tasks are cleared after their retention.
        queue.register(tasks.RETENTION_SWEEP, tasks.sweep, every=tasks.SWEEP_EVERY)
