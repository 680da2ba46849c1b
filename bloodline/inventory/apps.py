from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "bloodline.inventory"
    label = "inventory"
    verbose_name = _("Components and stock")

    def ready(self) -> None:
        from bloodline.inventory import supply, sweep
        from bloodline.jobs import queue

        queue.register(sweep.EXPIRY_SWEEP, sweep.run, every=sweep.SWEEP_EVERY)
        queue.register(supply.SUPPLY_CHECK, supply.check_all, every=supply.CHECK_EVERY)
