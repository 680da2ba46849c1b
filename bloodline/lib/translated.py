"""Names people type in one language and may give in others: the name as written plus a
``{language: name}`` dictionary (the shape organisations introduced; decision 0027).
Language codes are Django's (``vi``, ``zh-hans``, ``zh-hant``, ``en``, ``fr``, ``es``)."""

from __future__ import annotations

from django.utils import translation


def in_language(name: str, translations: dict[str, str] | None, language: str = "") -> str:
    """The name in the reader's language when one is given, else as written."""
    language = language or translation.get_language() or ""
    return (translations or {}).get(language, "") or name
