from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The generated demo programme and the factories it is built with: the top layer, it may
    import every app and no app imports it (decision 0023)."""

    name = "bloodline.demo"
    label = "demo"
    verbose_name = _("Demo programme")
