"""Sign-in throttling (django-axes, decision 0031).

Failed sign-ins are counted per account and, separately, per address; reaching
``AXES_FAILURE_LIMIT`` on either locks it for ``AXES_COOLOFF_TIME``. The sign-in page then says
so in the reader's language (HTTP 429), and each lock-out is an audit event on the account.
An administrator unlocks with ``manage.py axes_reset_username <name>`` or
``axes_reset_ip <address>`` (or deletes the attempt in the admin).
"""

from __future__ import annotations

import logging
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.audit.record import object_id, object_type, record

logger = logging.getLogger(__name__)


class ThrottlingBackend(AxesStandaloneBackend):
    """django-axes' check, skipped only when no web request is involved (the test client's
    ``login()``, management commands): there is no address to count and no page to lock."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out(request: HttpRequest, response: Any = None, credentials: Any = None) -> HttpResponse:
    """The sign-in page with the lock-out explained, answered with 429 Too Many Requests."""
    form = AuthenticationForm(request)
    message = _(
        "Too many failed sign-ins for this account or from this address. "
        "Sign-in is blocked for %(minutes)d minutes; an administrator can unblock it sooner."
    ) % {"minutes": lockout_minutes()}
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_out": message, "next": request.POST.get("next", "")},
        status=429,
    )


@receiver(user_locked_out, dispatch_uid="bloodline.web.signin.audit_lockout")
def audit_lockout(sender: Any, request: HttpRequest, username: str | None, **kwargs: Any) -> None:
    """One audit event per lock-out, on the account whose name was tried (when it exists).
    The address is not copied into the trail; the axes tables keep it for the cool-off."""
    user = User.objects.filter(username=username or "").first()
    if user is None:
        logger.info("sign-in locked out for an unknown account name")
        return
    with transaction.atomic():
        # Further tries while locked are the same lock-out, not a new one.
        if AuditEvent.objects.filter(
            action="account.locked_out",
            object_type=object_type(user),
            object_id=object_id(user),
            occurred_at__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
        ).exists():
            return
        record(
            by=system_actor(),
            action="account.locked_out",
            obj=user,
            changes={"minutes": [None, lockout_minutes()]},
        )
