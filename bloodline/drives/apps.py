from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DrivesConfig(AppConfig):
    name = "bloodline.drives"
    label = "drives"
    verbose_name = _("Donation drives")

    def ready(self) -> None:
        # Schema upkeep, not a business rule: after every migrate and flush the triggers that
        # lock a reconciled drive's records are (re)installed (drives/locks.py). Idempotent.
        post_migrate.connect(_install_locks, sender=self)
        from bloodline.drives import bulk_tasks

        # Registration workbooks are checked and applied by the worker (decision 0044).
        bulk_tasks.register()
        from bloodline.drives import booking_jobs
        from bloodline.jobs import queue

        # Booking reminders and waiting-list offers that ran out (decision 0057).
        queue.register(
            booking_jobs.REMINDERS, booking_jobs.send_reminders, every=booking_jobs.REMINDERS_EVERY
        )
        queue.register(
            booking_jobs.WAITLIST_EXPIRY,
            booking_jobs.expire_offers,
            every=booking_jobs.WAITLIST_EXPIRY_EVERY,
        )


def _install_locks(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from bloodline.drives import locks

    locks.install_all(connections[using])
