from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "bloodline.web"
    label = "web"
    verbose_name = _("Web pages")

    def ready(self) -> None:
        from bloodline.web import signin  # noqa: F401  (connects the lock-out audit receiver)
