from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Progress rollups and their exports: read-only, above every domain app (decision 0023)."""

    name = "bloodline.reports"
    label = "reports"
    verbose_name = _("Reports")
