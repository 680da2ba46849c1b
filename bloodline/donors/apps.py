from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonorsConfig(AppConfig):
    name = "bloodline.donors"
    label = "donors"
    verbose_name = _("Donors")
