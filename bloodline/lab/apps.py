from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LabConfig(AppConfig):
    name = "bloodline.lab"
    label = "lab"
    verbose_name = _("Laboratory")

    def ready(self) -> None:
        # Schema upkeep, not a business rule: after every migrate and flush the triggers that
        # refuse deleting results and unsafe donations are (re)installed. Idempotent.
        post_migrate.connect(_install_guards, sender=self)


def _install_guards(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from bloodline.lib import kept_rows

    kept_rows.install_all(connections[using])
