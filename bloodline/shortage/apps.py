from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShortageConfig(AppConfig):
    name = "bloodline.shortage"
    label = "shortage"
    verbose_name = _("Shortages and call-outs")
