from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "bloodline.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from bloodline.jobs import queue
        from bloodline.organisations import tally

        queue.register(tally.SETTLE_JOB, tally.settle_all, every=tally.SETTLE_EVERY)
