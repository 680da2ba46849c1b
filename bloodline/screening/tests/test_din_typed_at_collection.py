"""A DIN typed at the collection station carries its check character and was issued by the
establishment; a bare number of the centre's own facility is refused, so it can no longer sit
in the allocator's way (issue 10, "Why" 3; decision 0021)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.collection.models import Donation
from bloodline.drives.models import LabelSet
from bloodline.lib.isbt128 import check_character
from bloodline.screening import actions

pytestmark = pytest.mark.django_db
PRINTED = "W000126000150"  # on the drive's label set (100–199)


@pytest.fixture(autouse=True)
def label_set(drive: Any, nurse: User) -> LabelSet:
    return LabelSet.objects.create(
        drive=drive,
        fin="W0001",
        year=26,
        first=100,
        last=199,
        printed_by=nurse,
        printed_at=timezone.now(),
    )


def collect(presentation: Any, by: User, din: str) -> Donation:
    end = timezone.now() - dt.timedelta(minutes=1)
    return actions.collect(
        by=by,
        presentation=presentation,
        din=din,
        bag_type="triple",
        volume_ml=350,
        started_at=end - dt.timedelta(minutes=8),
        ended_at=end,
    )


def test_a_bare_din_of_the_own_facility_is_refused(accepted: Any, nurse: User) -> None:
    with pytest.raises(ValidationError) as refused:
        collect(accepted(), nurse, "W0001 26 000150")
    assert refused.value.message_dict["din"] == [
        "Type the DIN with its check character (the boxed character after the number), "
        "or scan the label."
    ]
    assert not Donation.objects.exists()


def test_a_typed_din_outside_every_issued_range_is_refused(accepted: Any, nurse: User) -> None:
    beyond = "W000126000500"
    with pytest.raises(ValidationError) as refused:
        collect(accepted(), nurse, beyond + check_character(beyond))
    assert "not issued by this establishment" in refused.value.message_dict["din"][0]
    assert not Donation.objects.exists()


def test_another_centres_number_is_refused(accepted: Any, nurse: User) -> None:
    foreign = "G151723600001"
    with pytest.raises(ValidationError, match="not issued"):
        collect(accepted(), nurse, foreign + check_character(foreign))
    assert not Donation.objects.exists()


def test_a_label_of_the_drive_typed_with_its_check_character_is_used(
    accepted: Any, nurse: User
) -> None:
    donation = collect(accepted(), nurse, PRINTED + check_character(PRINTED))
    assert donation.din == PRINTED


def test_the_allocator_is_not_jammed_after_a_refused_typed_number(
    accepted: Any, nurse: User
) -> None:
    ahead = "W000126000001"
    with pytest.raises(ValidationError):
        collect(accepted(), nurse, ahead)
    year = timezone.localdate().year % 100
    assert collect(accepted(), nurse, "").din == f"W0001{year:02d}000001"
