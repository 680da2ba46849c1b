"""How a donation's number is shown: its DIN, or words for a legacy donation imported without
one (decision 0045), whose stored reference is not a DIN and opens no trace."""

from __future__ import annotations

from django import template

from bloodline.collection.registry_import.rows import LEGACY_DIN_PREFIX

register = template.Library()


@register.filter
def is_legacy_din(din: str) -> bool:
    return str(din).startswith(LEGACY_DIN_PREFIX)
