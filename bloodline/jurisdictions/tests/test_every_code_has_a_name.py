"""Every lab test, component type and component class a shipped rule set uses has a name in
the one table for it (decision 0027), translated into every interface language; a code the
table does not know is named as unknown, never shown bare and never an error."""

from __future__ import annotations

from typing import get_args

import polib
import pytest
from django.conf import settings
from django.utils import translation

from bloodline.jurisdictions.labels import (
    COMPONENT_KINDS,
    COMPONENT_TYPES,
    LAB_TESTS,
    component_kind,
    component_type,
    lab_test_name,
)
from bloodline.jurisdictions.loader import registry
from bloodline.jurisdictions.schema import ComponentKind

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _rule_sets():
    return [rs for code in registry.codes() for rs in registry.versions(code)]


def _used(attribute: str) -> set[str]:
    found: set[str] = set()
    for rs in _rule_sets():
        found |= {item.code for item in getattr(rs, attribute)}
    return found


def test_every_test_of_every_panel_has_a_name() -> None:
    used = _used("test_panel")
    assert used, "no rule set lists a test panel"
    assert used - set(LAB_TESTS) == set()


def test_every_component_type_has_a_name() -> None:
    # Recipes make only components of their rule set (checked at load), so this covers them.
    assert _used("components") - set(COMPONENT_TYPES) == set()


def test_every_component_class_has_a_name() -> None:
    kinds = set(get_args(ComponentKind))
    for rs in _rule_sets():
        kinds |= {c.kind for c in rs.components}
    assert kinds - set(COMPONENT_KINDS) == set()


@pytest.mark.parametrize("language", ["vi", "zh-hans", "zh-hant", "fr", "es"])
def test_every_name_is_translated(language: str) -> None:
    catalogue = polib.pofile(
        str(settings.LOCALE_PATHS[0] / translation.to_locale(language) / "LC_MESSAGES/django.po")
    )
    translated = {e.msgid: e.msgstr for e in catalogue if e.msgstr and not e.fuzzy}
    names = [*LAB_TESTS.values(), *COMPONENT_TYPES.values(), *COMPONENT_KINDS.values()]
    with translation.override(None):  # the msgids
        missing = [str(name) for name in names if str(name) not in translated]
    assert missing == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "ABO group"),
        ("vi", "Nhóm máu ABO"),
        ("zh-hans", "ABO 血型"),
    ],
)
def test_a_test_reads_in_the_readers_language(language: str, expected: str) -> None:
    with translation.override(language):
        assert lab_test_name("abo") == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_code_is_named_as_unknown(language: str) -> None:
    with translation.override(language):
        for name in (
            lab_test_name("xyz_marker"),
            component_type("xyz_marker"),
            component_kind("xyz_marker"),
        ):
            assert "xyz_marker" in name and name != "xyz_marker"
