"""Links to this site in what is sent without a request (messages sent by the worker)."""

from __future__ import annotations

from django.conf import settings


def site_link(path: str) -> str:
    """``path`` (from ``reverse``) on the site donors reach (``SITE_URL``); empty when the
    site's address is not configured, so a message goes without a link rather than with a
    wrong one."""
    base = settings.SITE_URL
    return f"{base}{path}" if base else ""


DONOR_HOME = "/donor/"  # the donor portal (bloodline.portal), where a donor sees their record
