"""ISBT 128 blood-group (DS002 ``=%ggre``) and product-code (DS003 ``=<αooootds``) bar codes,
as printed on the label and read back at scan-back (domain/isbt128.md §7, §8)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bloodline.lib import isbt128
from bloodline.lib.isbt128 import DinError

# isbt128.md §7, column "intended use not specified" [S1 Tables 4–6].
GROUP_TABLE = [
    ("O", "neg", "=%9500"),
    ("O", "pos", "=%5100"),  # the worked example of §7
    ("A", "neg", "=%0600"),
    ("A", "pos", "=%6200"),
    ("B", "neg", "=%1700"),
    ("B", "pos", "=%7300"),
    ("AB", "neg", "=%2800"),
    ("AB", "pos", "=%8400"),
]


@pytest.mark.parametrize(("abo", "rhd", "data"), GROUP_TABLE)
def test_every_group_is_written_with_its_published_code(abo, rhd, data):
    assert isbt128.blood_group_data(abo, rhd) == data
    assert isbt128.parse_blood_group(data) == (abo, rhd)


def test_the_codes_are_those_inherited_from_codabar():
    # D510B O pos, D620B A pos, D730B B pos, D840B AB pos, D950B O neg, D060B A neg,
    # D170B B neg, D280B AB neg [S6]: the two digits after D are the DS002 value.
    codabar = {"D510B": ("O", "pos"), "D620B": ("A", "pos"), "D730B": ("B", "pos")}
    codabar |= {"D840B": ("AB", "pos"), "D950B": ("O", "neg"), "D060B": ("A", "neg")}
    codabar |= {"D170B": ("B", "neg"), "D280B": ("AB", "neg")}
    for old, group in codabar.items():
        assert isbt128.blood_group_data(*group)[2:4] == old[1:3]


@pytest.mark.parametrize(
    "scan",
    [
        "=%55",  # too short
        "=%510000",  # too long
        "&%5100",  # another data identifier
        "=<5100",  # a product-code identifier
        "5100",  # no data identifier
        "=%5500",  # O, RhD not specified: not a group a unit may carry
        "=%6600",  # A, RhD not specified
        "=%4700",  # O pos for directed use only: another intended-use column
        "=%0000",  # no ABO/RhD information
        "=%Mq00",  # special message: quarantine
        "=%Md00",  # special message: discard
        "=%Mx00",  # special message: not for transfusion
        "",
    ],
)
def test_a_scan_that_is_not_a_plain_abo_rhd_group_is_refused(scan):
    with pytest.raises(DinError) as caught:
        isbt128.parse_blood_group(scan)
    assert caught.value.code == "group" and str(caught.value)


def test_surrounding_whitespace_from_a_scanner_is_ignored():
    assert isbt128.parse_blood_group(" =%9500\n") == ("O", "neg")
    assert isbt128.parse_product_code("=<E0336V00\r\n") == ("E0336", "00")


def test_an_unknown_group_cannot_be_written():
    with pytest.raises(KeyError):
        isbt128.blood_group_data("", "")


# DS003: the published example and the public example codes of isbt128.md §8.
@pytest.mark.parametrize(
    ("data", "code", "division"),
    [
        ("=<E0336V00", "E0336", "00"),  # ST-001 DS003 example [S1]
        ("=<E4306V00", "E4306", "00"),  # App. C label [S1]
        ("=<E7003V00", "E7003", "00"),  # HL7 ICSR IG example [S7]
        ("=<E0398VA0", "E0398", "A0"),  # divided: first level A
        ("=<E0398VAb", "E0398", "Ab"),  # divided: A, then b
        ("=<D0001P00", "D0001", "00"),  # a national code, paid collection
        ("=<E0336100", "E0336", "00"),  # autologous only
    ],
)
def test_a_product_code_scan_gives_the_code_and_division(data, code, division):
    assert isbt128.parse_product_code(data) == (code, division)


@pytest.mark.parametrize(
    ("code", "division", "collection", "data"),
    [
        ("E0336", "00", "V", "=<E0336V00"),
        ("D0004", "Ab", "V", "=<D0004VAb"),
        ("E4306", "00", "P", "=<E4306P00"),
    ],
)
def test_a_product_code_is_written_as_ds003(code, division, collection, data):
    assert isbt128.product_code_data(code, division, collection) == data
    assert isbt128.parse_product_code(data) == (code, division)


def test_the_default_is_volunteer_allogeneic_and_undivided():
    assert isbt128.product_code_data("E0336") == "=<E0336V00"


@pytest.mark.parametrize(
    "scan",
    [
        "=<E0336V0",  # 9 characters: a character lost
        "=<E0336V000",  # 11 characters
        "=%E0336V00",  # the blood-group identifier
        "&<E0336V00",  # not DS003
        "E0336V00",  # no data identifier
        "=<e0336V00",  # lower-case first character
        "=<00336V00",  # a digit where the first character is a letter
        "=<E0336VAB",  # a division's second level is lower case
        "=<E03 6V00",
        "",
    ],
)
def test_a_scan_that_is_not_a_product_code_is_refused(scan):
    with pytest.raises(DinError) as caught:
        isbt128.parse_product_code(scan)
    assert caught.value.code == "product" and str(caught.value)


@given(
    st.sampled_from(sorted(isbt128.GROUP_CODES)),
    st.from_regex(r"\A[A-Z][A-Z0-9]{4}\Z"),
    st.sampled_from(["00", "A0", "Ab", "Zz"]),
)
def test_what_is_printed_reads_back_the_same(group, code, division):
    assert isbt128.parse_blood_group(isbt128.blood_group_data(*group)) == group
    assert isbt128.parse_product_code(isbt128.product_code_data(code, division)) == (
        code,
        division,
    )


def test_no_two_groups_share_a_code():
    assert len(set(isbt128.GROUP_CODES.values())) == len(isbt128.GROUP_CODES) == 8
