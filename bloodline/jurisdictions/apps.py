from __future__ import annotations

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class JurisdictionsConfig(AppConfig):
    name = "bloodline.jurisdictions"
    label = "jurisdictions"
    verbose_name = _("Jurisdiction rule sets")

    def ready(self) -> None:
        # A bad rule file must stop start-up, not surface later in a donor's screening.
        from bloodline.jurisdictions.loader import RuleSetError, registry

        try:
            registry.load()
        except RuleSetError as exc:
            raise ImproperlyConfigured(f"Jurisdiction rule sets: {exc}") from exc
