"""Checks that translation catalogues are complete, unfuzzy and keep their placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import polib

LOCALES = ("vi", "zh_Hans", "zh_Hant", "en", "fr", "es")
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")


def placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def _where(entry: polib.POEntry) -> str:
    context = f" [{entry.msgctxt}]" if entry.msgctxt else ""
    return f"“{entry.msgid[:60]}”{context}"


def problems(po_path: Path) -> list[str]:
    """Every untranslated, fuzzy or placeholder-breaking entry of one catalogue."""
    catalogue = polib.pofile(str(po_path))
    found = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(f"{po_path}: fuzzy: {_where(entry)}")
            continue
        if entry.msgid_plural:
            forms = [v for _k, v in sorted(entry.msgstr_plural.items())]
            if not forms or any(not f.strip() for f in forms):
                found.append(f"{po_path}: untranslated plural: {_where(entry)}")
                continue
            wanted = placeholders(entry.msgid_plural)
            for form in forms:
                got = placeholders(form)
                # A language with one plural form may drop the count ("%(n)d" in English).
                if set(got) - set(wanted) or (len(forms) > 1 and set(got) != set(wanted)):
                    found.append(f"{po_path}: placeholders differ: {_where(entry)}")
                    break
            continue
        if not entry.msgstr.strip():
            found.append(f"{po_path}: untranslated: {_where(entry)}")
        elif placeholders(entry.msgid) != placeholders(entry.msgstr):
            found.append(f"{po_path}: placeholders differ: {_where(entry)}")
    return found


def entry_keys(po_path: Path) -> set[tuple[str, str, str]]:
    catalogue = polib.pofile(str(po_path))
    return {(e.msgctxt or "", e.msgid, e.msgid_plural or "") for e in catalogue if not e.obsolete}


def catalogue_paths(locale_dir: Path) -> list[Path]:
    return [locale_dir / code / "LC_MESSAGES" / "django.po" for code in LOCALES]
