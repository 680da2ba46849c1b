from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The donor's own door (issue 13): signing in, their record, booking a drive and
    pre-screening, for a person signed in as a donor (``donors.self_service``)."""

    name = "bloodline.portal"
    label = "portal"
    verbose_name = _("Donor portal")

    def ready(self) -> None:
        # "Your test results are ready" is sent by the worker (decision 0059).
        from bloodline.portal import result_messages

        result_messages.register()
