"""ISBT 128 DIN check character and parsing, with every vector in domain/isbt128.md §4."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bloodline.lib import isbt128
from bloodline.lib.isbt128 import DinError

VECTORS = [  # DIN, checksum, K, Type 3 flag (domain/isbt128.md §4)
    ("G123417654321", 10, "A", "70"),  # [S1] App. A.1
    ("G123498654321", 17, "H", "77"),  # [S3]
    ("A999921123456", 3, "3", "63"),  # [S1] Fig. 2, [S24]
    ("W000009123456", 16, "G", "76"),  # [S1] §7.4.1
    ("A999818123456", 23, "N", "83"),  # [S1] §7.5.1.1
    ("A999820123456", 14, "E", "74"),  # [S1] App. C
]


@pytest.mark.parametrize(("din", "value", "k", "flag"), VECTORS)
def test_published_check_characters(din, value, k, flag):
    assert isbt128.check_value(din) == value
    assert isbt128.check_character(din) == k
    assert isbt128.type3_flag(din) == flag


@pytest.mark.parametrize(("data", "value", "k"), [("ABCDE27000069", 12, "C"), ("3000505", 11, "B")])
def test_the_algorithm_on_other_published_samples(data, value, k):  # [S4], [R20]
    assert (isbt128.check_value(data), isbt128.check_character(data)) == (value, k)


def test_a_scanned_din_with_its_type3_flag_is_read():
    din = isbt128.parse("=G12341765432170")
    assert (din.din, din.flags, din.facility, din.year, din.sequence) == (
        "G123417654321",
        "70",
        "G1234",
        "17",
        654321,
    )
    assert din.eye_readable() == "G1234 17 654321 A"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("=G12341765432171", "check"),  # wrong Type 3 flag
        ("G123417654321B", "check"),  # wrong keyboard check character
        ("=G123417654321", "shape"),
        ("O123417654321", "shape"),  # O is not allowed as the first FIN character
        ("G1234176543", "shape"),
        ("=G12341765432114", "flags"),  # reserved flag
        ("=G123417654321A1", "flags"),
    ],
)
def test_bad_dins_are_refused_with_a_reason(text, code):
    with pytest.raises(DinError) as caught:
        isbt128.parse(text)
    assert caught.value.code == code and str(caught.value)


def test_type1_and_type2_flags_are_accepted():
    assert isbt128.parse("=A99992112345601").flags == "01"
    assert isbt128.parse("=A99992112345625").flags == "25"
    assert isbt128.parse("A999921123456 3").din == "A999921123456"


CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
dins = st.text(alphabet=CHARS, min_size=13, max_size=13)


@given(dins, st.integers(0, 12), st.sampled_from(CHARS))
def test_every_single_substitution_is_detected(data, position, replacement):
    changed = data[:position] + replacement + data[position + 1 :]
    if changed != data:
        assert isbt128.check_value(changed) != isbt128.check_value(data)


@given(dins, st.integers(0, 11))
def test_every_adjacent_transposition_is_detected(data, position):
    swapped = data[:position] + data[position + 1] + data[position] + data[position + 2 :]
    if swapped != data:
        assert isbt128.check_value(swapped) != isbt128.check_value(data)
