from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "bloodline.notifications"
    label = "notifications"
    verbose_name = _("Messages to donors")

    def ready(self) -> None:
        from bloodline.jobs import queue
        from bloodline.notifications import worker

        # The outbox is sent by the job worker like every other recurring job.
        queue.register(worker.OUTBOX_SEND, worker.run, every=worker.send_every())
