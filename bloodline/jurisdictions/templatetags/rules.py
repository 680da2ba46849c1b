from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils import translation

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


@register.filter
def component_type(code: str) -> str:
    from bloodline.jurisdictions.labels import component_type as name

    return name(code)


@register.filter
def component_kind(code: str) -> str:
    from bloodline.jurisdictions.labels import component_kind as name

    return name(code)


@register.filter
def sex_label(code: str) -> str:
    from bloodline.jurisdictions.labels import SEXES

    return str(SEXES.get(code, code))


@register.filter
def period(value: Any) -> str:
    from bloodline.jurisdictions.labels import period_text

    return period_text(value.value, value.unit)
