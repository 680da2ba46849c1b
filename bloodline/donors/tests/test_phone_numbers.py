"""Phone numbers are stored in E.164, read from national formats of the establishment's
country."""

from __future__ import annotations

import pytest

from bloodline.donors.phones import InvalidPhone, index_form, normalise


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("0912 345 678", "VN", "+84912345678"),
        ("0912-345-678", "VN", "+84912345678"),
        ("(0912) 345.678", "VN", "+84912345678"),
        ("912345678", "VN", "+84912345678"),
        ("024 3825 1234", "VN", "+842438251234"),  # landline: 10 significant digits
        ("+84 912 345 678", "VN", "+84912345678"),
        ("+84 0912 345 678", "VN", "+84912345678"),  # trunk 0 typed after the country code
        ("0084912345678", "", "+84912345678"),
        ("+84912345678", "", "+84912345678"),
        ("138 1234 5678", "CN", "+8613812345678"),
        ("010 1234 5678", "CN", "+861012345678"),
        ("+86 138 1234 5678", "VN", "+8613812345678"),  # another country's number in VN
        ("+33 1 23 45 67 89", "VN", "+33123456789"),
        ("", "VN", ""),
    ],
)
def test_it_normalises_phone_numbers_to_e164(raw, region, expected):
    assert normalise(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("0912 345 67", "VN"),  # one digit short
        ("0912 345 678 90", "VN"),  # too long for any Vietnamese number
        ("0912 345 678", ""),  # a national number without a known region
        ("0912 345 678", "FR"),  # a region the table does not know
        ("+84 91234", ""),  # too short after the country code
        ("+1234567", ""),  # fewer than 8 digits
        ("+1234567890123456", ""),  # more than 15 digits
        ("09I2 345 678", "VN"),  # a letter
        ("+", "VN"),
        ("138 1234 567", "CN"),
    ],
)
def test_it_refuses_numbers_it_cannot_normalise(raw, region):
    with pytest.raises(InvalidPhone):
        normalise(raw, region)


def test_older_records_are_indexed_under_their_e164_form():
    """One indexed form (decision 0033): a national number kept from before normalisation is
    read in the one known region that accepts it."""
    assert index_form("+84912345678") == "+84912345678"
    assert index_form("0912 345 678") == "+84912345678"  # only Vietnam reads 9 digits
    assert index_form("13812345678") == "+8613812345678"  # a bare Chinese mobile
    assert index_form("") == ""
