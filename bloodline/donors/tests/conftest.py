"""Donor-registry fixtures: generated people only, made through the actions."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from bloodline.accounts.models import User
from bloodline.donors import actions
from bloodline.donors.models import Donor

# Drive fixtures (a planned drive, registering people) for the merge tests.
from bloodline.drives.tests.conftest import english, make_drive  # noqa: F401
from bloodline.lib.national_ids import cn_check_character

_seq = itertools.count(1)


def cn_number(born: dt.date, sex: str, area: str = "440305", order: int = 12) -> str:
    """A well-formed generated Chinese resident identity number (odd order code for men)."""
    order = order * 2 + (1 if sex == "M" else 0)
    first17 = f"{area}{born:%Y%m%d}{order:03d}"
    return first17 + cn_check_character(first17)


def vn_number(born: dt.date, sex: str, province: str = "001", tail: str = "123456") -> str:
    """A well-formed generated Vietnamese citizen identity number."""
    century = {1800: 8, 1900: 0, 2000: 2, 2100: 4, 2200: 6}[born.year // 100 * 100]
    return f"{province}{century + (1 if sex == 'F' else 0)}{born.year % 100:02d}{tail}"


@pytest.fixture
def users(demo: Any) -> dict[str, User]:
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def nurse(users: dict[str, Any]) -> Any:
    return users["drive_nurse"]


@pytest.fixture
def make_donor(nurse: Any) -> Any:
    """Add a generated person through the action, as the drive nurse in Vietnam."""

    def make(**values: Any) -> Donor:
        n = next(_seq)
        person: dict[str, Any] = {
            "full_name": f"Trần Văn Thử {n}",
            "date_of_birth": dt.date(1980, 1, 1) + dt.timedelta(days=n * 37),
            "sex": "M",
            "phone": f"09{n % 100:02d} {n:03d} {n % 1000:03d}",
            "region": "VN",
            "confirmed_distinct": True,
        }
        person.update(values)
        return actions.create_donor(by=nurse, **person)

    return make


ENCRYPTED_BORN = dt.date(1991, 5, 17)


@pytest.fixture
def person(make_donor: Any, nurse: Any) -> tuple[Donor, str]:
    """A donor with a phone and an identity number, both encrypted with a blind index
    (decision 0033): the donor and the number as written."""
    donor = make_donor(date_of_birth=ENCRYPTED_BORN, sex="M", phone="0912 345 678")
    number = vn_number(ENCRYPTED_BORN, "M", tail="424242")
    actions.add_identity_document(
        by=nurse, donor=donor, kind="vn_citizen_identity_card", number=number
    )
    return donor, number
