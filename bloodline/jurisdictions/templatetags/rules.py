from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils import translation

from bloodline.jurisdictions.templatetags import names

register = template.Library()


@register.filter
def in_language(names: dict[str, str]) -> str:
    """A rule set's multilingual text in the reader's language."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return names.get(language) or names.get("en") or next(iter(names.values()), "")


@register.filter
def sources(value: Any) -> str:
    return ", ".join(getattr(value, "source", []) or [])


@register.filter
def donation_type(code: str) -> str:
    from bloodline.jurisdictions.labels import DONATION_TYPES

    return str(DONATION_TYPES.get(code, code))


# The component names come from the one table (decision 0027); `{% load rules %}` keeps them.
register.filter("component_type", names.component_type)
register.filter("component_kind", names.component_kind)


@register.filter
def sex_label(code: str) -> str:
    from bloodline.jurisdictions.labels import SEXES

    return str(SEXES.get(code, code))


@register.filter
def period(value: Any) -> str:
    from bloodline.jurisdictions.labels import period_text

    return period_text(value.value, value.unit)
