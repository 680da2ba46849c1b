"""The word for a supply level, in the reader's language (the stored value is a code)."""

from __future__ import annotations

from django import template

from bloodline.inventory.models import SupplyLevel

register = template.Library()


@register.filter
def supply_level(code: str) -> str:
    return str(SupplyLevel(code).label) if code in SupplyLevel.values else ""
