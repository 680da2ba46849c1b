"""Links to this site in what is sent without a request (messages sent by the worker)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def site_link(path: str) -> str:
    """``path`` (from ``reverse``) on the site donors reach (``SITE_URL``); empty when the
    site's address is not configured, so a message goes without a link rather than with a
    wrong one."""
    base = settings.SITE_URL
    return f"{base}{path}" if base else ""


def donor_home_link() -> str:
    """The donor portal's home (``portal:home``), where a donor sees their record; by its
    URL name, so the apps that send messages need not import the portal above them."""
    return site_link(reverse("portal:home"))
