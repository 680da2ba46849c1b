"""Template context shared by every page: the navigation a person's roles open."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bloodline.organisations import access
from bloodline.organisations.roles import Perm
from bloodline.portal import staff_access


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    items: list[tuple[str, Any]] = [(reverse("home"), _("Home"))]
    items.append((reverse("drives:calendar"), _("Drives")))
    if user.is_authenticated:
        if access.holds_anywhere(user, Perm.VIEW):
            items.append((reverse("organisations:list"), _("Organisations")))
        items.append((reverse("programmes:list"), _("Plans")))
        items += _blood_centre(user)
        if staff_access.opens_staff_home(user):
            items.append((reverse("portal:staff"), _("Donor services")))
        items.append((reverse("jurisdictions:list"), _("Rule sets")))
        items.append((reverse("profile"), _("My account")))
        if user.is_staff:
            items.append((reverse("admin:index"), _("Configuration")))
    # Each language is offered under its own name, whatever the page's language.
    return {"nav_items": items, "autonyms": settings.LANGUAGES}


def _blood_centre(user: Any) -> list[tuple[str, Any]]:
    """Laboratory, stock, orders and trace, for the people whose roles use them."""
    held = {perm for perm in _CENTRE_PERMS if access.holds_anywhere(user, perm)}
    items: list[tuple[str, Any]] = []
    if Perm.LAB_RESULT in held:
        items.append((reverse("lab:worklist"), _("Laboratory")))
    if Perm.STOCK_VIEW in held:
        items.append((reverse("inventory:stock"), _("Stock")))
    if Perm.ORDER_FULFIL in held or Perm.ORDER_PLACE in held:
        items.append((reverse("distribution:orders"), _("Orders")))
    if Perm.ORDER_PLACE in held and Perm.LAB_RESULT not in held:
        items.append((reverse("lab:notifications"), _("Look-back notices")))
    if Perm.TRACE_VIEW in held or Perm.ORDER_PLACE in held:
        items.append((reverse("trace:search"), _("Trace")))
    if held >= _IMPORT_PERMS:  # the registry import's own check is per establishment
        items.append((reverse("registry_import:upload"), _("Registry import")))
    return items


_IMPORT_PERMS = {Perm.CHANGE, Perm.DONOR_MANAGE, Perm.DONATION_RECORD}
_CENTRE_PERMS = (
    *sorted(_IMPORT_PERMS),
    Perm.LAB_RESULT,
    Perm.STOCK_VIEW,
    Perm.ORDER_FULFIL,
    Perm.ORDER_PLACE,
    Perm.TRACE_VIEW,
)
