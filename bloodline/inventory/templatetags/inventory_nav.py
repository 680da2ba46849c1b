"""The inventory menu: each page listed only when ``may_open`` — the check the page itself
makes — lets the person in, so nobody follows a link to a 403."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bloodline.inventory.views import may_open
from bloodline.organisations.roles import Perm

register = template.Library()

# (here, url name, label, permission the page requires, whether it is per establishment)
PAGES = (
    ("stock", "inventory:stock", _("Stock"), Perm.STOCK_VIEW, True),
    ("supply", "inventory:supply", _("Supply levels"), Perm.STOCK_VIEW, True),
    ("process", "inventory:process_search", _("Processing"), Perm.COMPONENT_PROCESS, False),
    ("transfers", "inventory:transfers", _("Transfers"), Perm.STOCK_VIEW, True),
    ("locations", "inventory:locations", _("Storage locations"), Perm.STOCK_MANAGE, True),
    ("thresholds", "inventory:thresholds", _("Stock thresholds"), Perm.STOCK_MANAGE, True),
)


@register.simple_tag(takes_context=True)
def inventory_links(context: Any, establishment: Any = None) -> list[tuple[str, str, Any]]:
    """(here, href, label) of the inventory pages the person may open."""
    user = context["request"].user
    links = []
    opens: dict[tuple[str, Any], bool] = {}  # two pages share each permission
    for here, name, label, perm, per_place in PAGES:
        at = establishment if per_place and establishment else None
        if (perm, at) not in opens:
            opens[perm, at] = may_open(user, perm, at)
        if not opens[perm, at]:
            continue
        href = reverse(name) + (f"?establishment={at.uuid}" if at is not None else "")
        links.append((here, href, label))
    return links
