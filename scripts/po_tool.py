"""Small maintenance helpers for the catalogues (run with the project's Python).

po_tool.py header           set each catalogue's header (language, project, not fuzzy)
po_tool.py english          fill the English catalogue: English is the source language
po_tool.py todo LOCALE      list the entries of LOCALE still untranslated or fuzzy
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "locale"
LANGUAGE = {
    "vi": "vi",
    "zh_Hans": "zh_Hans",
    "zh_Hant": "zh_Hant",
    "en": "en",
    "fr": "fr",
    "es": "es",
}


def header() -> None:
    for code in LANGUAGE:
        path = ROOT / code / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(path))
        po.header = (
            "Bloodline user interface.\n"
            "This file is distributed under the same license as Bloodline."
        )
        po.metadata["Project-Id-Version"] = "Bloodline"
        po.metadata["Language"] = code
        po.metadata["Language-Team"] = code
        po.metadata.pop("Last-Translator", None)
        po.metadata_is_fuzzy = False
        po.save()


def english() -> None:
    path = ROOT / "en" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save()


def todo(code: str) -> None:
    po = polib.pofile(str(ROOT / code / "LC_MESSAGES" / "django.po"))
    for entry in po.untranslated_entries() + po.fuzzy_entries():
        print(repr(entry.msgctxt or ""), repr(entry.msgid))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "header":
        header()
    elif command == "english":
        english()
    elif command == "todo":
        todo(sys.argv[2])
