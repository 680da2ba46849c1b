"""National identity numbers: checksum and structure, with generated (not real) numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bloodline.lib import national_ids
from bloodline.lib.national_ids import InvalidNationalId


def cn_number(body17: str) -> str:
    return body17 + national_ids.cn_check_character(body17)


def test_a_chinese_number_gives_date_of_birth_and_sex():
    number = cn_number("44030419900307123")  # order 123: odd → man
    facts = national_ids.read("cn_resident_identity_card", number)
    assert (facts.date_of_birth, facts.sex) == (dt.date(1990, 3, 7), "M")
    assert national_ids.check_consistent(facts, dt.date(1990, 3, 7), "M") == []
    assert national_ids.check_consistent(facts, dt.date(1990, 3, 8), "F") != []


def test_the_check_character_can_be_x():
    body = next(
        f"1101051985010100{i}"
        for i in range(10)
        if national_ids.cn_check_character(f"1101051985010100{i}") == "X"
    )
    assert national_ids.read("cn_resident_identity_card", body + "x").sex in {"M", "F"}


@pytest.mark.parametrize(
    "number",
    ["44030419900307123", "4403041990030712X9", "440304199013071234", "04030419900307123X"],
)
def test_malformed_chinese_numbers_are_refused(number):
    with pytest.raises(InvalidNationalId):
        national_ids.read("cn_resident_identity_card", number)


@given(
    st.text(alphabet="0123456789", min_size=17, max_size=17),
    st.integers(0, 16),
    st.sampled_from("0123456789"),
)
def test_a_single_mistyped_digit_is_caught(body, position, digit):
    number = cn_number(body)
    typo = number[:position] + digit + number[position + 1 :]
    if typo != number:
        assert national_ids.cn_check_character(typo[:17]) != typo[17]


def test_a_vietnamese_number_gives_birth_year_and_sex():
    facts = national_ids.read("vn_citizen_identity_card", "001301012345")  # 3 → woman, 2001
    assert (facts.birth_year, facts.sex) == (2001, "F")
    assert national_ids.check_consistent(facts, dt.date(2001, 5, 1), "F") == []
    assert len(national_ids.check_consistent(facts, dt.date(1999, 5, 1), "M")) == 2


@pytest.mark.parametrize("number", ["00130101234", "0013010123456", "097301012345", "00A301012345"])
def test_malformed_vietnamese_numbers_are_refused(number):
    with pytest.raises(InvalidNationalId):
        national_ids.read("vn_citizen_identity_card", number)
