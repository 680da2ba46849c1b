from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    name = "bloodline.distribution"
    label = "distribution"
    verbose_name = _("Distribution")
