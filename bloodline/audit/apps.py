from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "bloodline.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        # Schema upkeep, not a business rule: after every migrate (and every flush, which
        # ends with post_migrate) the append-only triggers are (re)installed. Idempotent.
        post_migrate.connect(_install_guards, sender=self)


def _install_guards(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from bloodline.audit import guards

    guards.install(connections[using])
