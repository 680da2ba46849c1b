"""One display helper for blood groups (decision 0027): the short form as written on a bag
(A−, with the true minus sign U+2212) and the long form in the reader's language; stored
values stay pos/neg. The RhD sign table exists once in the code base."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from bloodline.lib.blood_groups import blood_group, blood_group_long

GROUPS = [(abo, rhd) for abo in ("O", "A", "B", "AB") for rhd in ("pos", "neg")]
SHORT = ["O+", "O−", "A+", "A−", "B+", "B−", "AB+", "AB−"]
LONG = {
    "en": ("RhD-positive", "RhD-negative", "{abo} {rhd}"),
    "vi": ("RhD dương tính", "RhD âm tính", "{abo} {rhd}"),
    "zh-hans": ("RhD 阳性", "RhD 阴性", "{abo}型 {rhd}"),
}


@pytest.mark.parametrize("language", ["en", "vi", "zh-hans"])
def test_it_writes_all_eight_groups_short_with_the_true_minus_sign(language: str) -> None:
    with translation.override(language):
        shown = [blood_group(abo, rhd) for abo, rhd in GROUPS]
    assert shown == SHORT
    assert all("-" not in s for s in shown)  # U+2212, never a hyphen
    assert shown[1][-1] == "\u2212"


@pytest.mark.parametrize("language", ["en", "vi", "zh-hans"])
def test_it_writes_all_eight_groups_in_words_in_the_readers_language(language: str) -> None:
    positive, negative, shape = LONG[language]
    with translation.override(language):
        shown = [blood_group_long(abo, rhd) for abo, rhd in GROUPS]
    expected = [
        shape.format(abo=abo, rhd=positive if rhd == "pos" else negative) for abo, rhd in GROUPS
    ]
    assert shown == expected


@pytest.mark.parametrize("language", ["en", "vi", "zh-hans"])
def test_a_blank_group_is_empty_so_the_page_says_what_to_show(language: str) -> None:
    with translation.override(language):
        assert blood_group("", "") == "" and blood_group_long("", "") == ""


def test_a_part_not_known_yet_is_marked_not_guessed() -> None:
    with translation.override("en"):
        assert blood_group("A", "") == "A?"
        assert blood_group("", "neg") == "?−"
        assert blood_group_long("A", "") == "A RhD unknown"
        assert blood_group_long("", "neg") == "ABO unknown, RhD-negative"
        assert blood_group("unknown", "x") == ""  # not a stored value: nothing to show


def test_the_template_filters_use_the_same_helper() -> None:
    page = Template("{% load names %}{{ abo|blood_group:rhd }} | {{ abo|blood_group_long:rhd }}")
    with translation.override("vi"):
        assert page.render(Context({"abo": "AB", "rhd": "neg"})) == "AB− | AB RhD âm tính"


def test_the_rhd_sign_table_exists_once() -> None:
    root = Path(__file__).resolve().parents[2]  # the bloodline package
    table = re.compile(r"""["']neg["']\s*:\s*["'](−|\\u2212)""")
    found = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and table.search(path.read_text(encoding="utf-8"))
    )
    assert found == ["lib/blood_groups.py"]
