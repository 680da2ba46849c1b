"""Template filters that render stored codes as words in the reader's language: one table
each for lab tests, components and blood groups (decision 0027).

    {% load names %}
    {{ result.test|lab_test }}          ABO group / 血型（ABO）
    {{ c.component_code|component_type }}
    {{ c.abo|blood_group:c.rhd }}       A−
    {{ c.abo|blood_group_long:c.rhd }}  A RhD-negative
"""

from __future__ import annotations

from django import template

from bloodline.jurisdictions import labels
from bloodline.lib import blood_groups

register = template.Library()


@register.filter
def lab_test(code: str) -> str:
    return labels.lab_test_name(code or "")


@register.filter
def component_type(code: str) -> str:
    return labels.component_type(code or "")


@register.filter
def component_kind(code: str) -> str:
    return labels.component_kind(code or "")


@register.filter
def blood_group(abo: str | None, rhd: str | None) -> str:
    return blood_groups.blood_group(abo or "", rhd or "")


@register.filter
def blood_group_long(abo: str | None, rhd: str | None) -> str:
    return blood_groups.blood_group_long(abo or "", rhd or "")
