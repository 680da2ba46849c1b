from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DrivesConfig(AppConfig):
    name = "bloodline.drives"
    label = "drives"
    verbose_name = _("Donation drives")
