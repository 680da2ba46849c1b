from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.collection.actions import Shortfall
from bloodline.collection.models import AdverseReaction, DinBlock, Donation, Facility
from bloodline.drives.models import LabelSet
from bloodline.lib.isbt128 import check_character, type3_flag
from bloodline.screening import actions
from bloodline.screening.models import Presentation, Step

pytestmark = pytest.mark.django_db
LABEL = "W000126000123"


@pytest.fixture(autouse=True)
def label_set(drive: Any, nurse: User) -> LabelSet:
    """The drive's pre-printed labels, LABEL among them (decision 0021)."""
    return LabelSet.objects.create(
        drive=drive,
        fin="W0001",
        year=26,
        first=100,
        last=199,
        printed_by=nurse,
        printed_at=timezone.now(),
    )


def times() -> dict[str, dt.datetime]:
    end = timezone.now() - dt.timedelta(minutes=1)
    return {"started_at": end - dt.timedelta(minutes=8), "ended_at": end}


def collect(presentation: Presentation, by: User, **values: Any) -> Donation:
    given: dict[str, Any] = {"bag_type": "triple", "volume_ml": 350, **times(), **values}
    return actions.collect(by=by, presentation=presentation, **given)


def test_a_scanned_label_records_the_donation_credited_to_the_mobiliser(
    accepted: Any, nurse: User, demo: Any
) -> None:
    presentation = accepted()
    scan = f"={LABEL}{type3_flag(LABEL)}"
    donation = collect(presentation, nurse, din=scan, problems="Slow flow at the start.")
    assert donation.din == LABEL
    assert donation.credited_to == demo.nodes["vn_garment"]
    assert donation.drive == presentation.drive
    assert (donation.volume_ml, donation.bag_volume_ml, donation.bag_type) == (350, 350, "triple")
    assert donation.collected_by == nurse and donation.collection_problems
    presentation.refresh_from_db()
    assert presentation.step == Step.POST_CARE and presentation.donation == donation


def test_without_a_label_a_din_is_allocated_from_the_facility(accepted: Any, nurse: User) -> None:
    donation = collect(accepted(), nurse)
    year = timezone.localdate().year % 100
    assert donation.din == f"W0001{year:02d}000001"


def test_the_allocated_din_comes_from_the_collecting_station_s_block(
    accepted: Any, nurse: User, physician: User
) -> None:
    """Decision 0043: a station is the person collecting at the drive; each has its block."""
    first = collect(accepted(), nurse)
    second = collect(accepted(), physician)
    blocks = {b.holder: b for b in DinBlock.objects.filter(drive=first.drive)}
    assert set(blocks) == {nurse, physician}
    size = blocks[nurse].last - blocks[nurse].first + 1
    assert (first.din[7:], second.din[7:]) == ("000001", f"{size + 1:06d}")
    assert (blocks[nurse].next, blocks[physician].next) == (2, size + 2)


def test_a_typed_din_with_a_wrong_check_character_is_refused(accepted: Any, nurse: User) -> None:
    good = check_character(LABEL)
    wrong = next(c for c in "0123456789" if c != good)
    with pytest.raises(ValidationError) as exc:
        collect(accepted(), nurse, din=LABEL + wrong)
    assert "check character" in exc.value.message_dict["din"][0]
    assert not Donation.objects.exists()


def test_a_din_already_used_is_refused(accepted: Any, nurse: User) -> None:
    collect(accepted(), nurse, din=LABEL + check_character(LABEL))
    with pytest.raises(ValidationError) as exc:
        collect(accepted(), nurse, din=f"={LABEL}{type3_flag(LABEL)}")
    assert exc.value.message_dict["din"] == ["This donation identification number is already used."]


def test_without_a_facility_allocation_is_refused_at_the_din(accepted: Any, nurse: User) -> None:
    Facility.objects.all().delete()
    with pytest.raises(ValidationError) as exc:
        collect(accepted(), nurse)
    assert "no ISBT 128 facility" in exc.value.message_dict["din"][0]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"volume_ml": 400}, "volume_ml"),
        ({"volume_ml": 0}, "volume_ml"),
        ({"bag_type": "bucket"}, "bag_type"),
        (
            {"started_at": timezone.now(), "ended_at": timezone.now() - dt.timedelta(hours=1)},
            "ended_at",
        ),
    ],
)
def test_it_refuses_bad_collection_details(
    accepted: Any, nurse: User, values: dict[str, Any], field: str
) -> None:
    presentation = accepted()
    with pytest.raises(ValidationError) as exc:
        collect(presentation, nurse, **values)
    assert field in exc.value.message_dict
    presentation.refresh_from_db()
    assert presentation.step == Step.COLLECTION


def test_an_adverse_reaction_is_kept_with_the_donation(accepted: Any, nurse: User) -> None:
    reaction = actions.Reaction("vasovagal", "mild", "Legs raised, fluids; recovered.")
    # The reaction stopped the collection at 300 mL, below the 315 mL of a complete 350 mL bag.
    stopped = Shortfall("donor_reaction")
    donation = collect(accepted(), nurse, volume_ml=300, reaction=reaction, shortfall=stopped)
    found = AdverseReaction.objects.get(donation=donation)
    assert (found.kind, found.severity, found.recorded_by) == ("vasovagal", "mild", nurse)
    assert (donation.outcome, donation.incomplete_reason) == ("incomplete", "donor_reaction")


def test_a_bad_reaction_is_refused_and_nothing_is_recorded(accepted: Any, nurse: User) -> None:
    with pytest.raises(ValidationError) as exc:
        collect(accepted(), nurse, reaction=actions.Reaction("sneeze", "", ""))
    assert set(exc.value.message_dict) == {"reaction_kind", "reaction_severity"}
    assert not Donation.objects.exists()


def test_post_care_completes_the_visit(accepted: Any, nurse: User) -> None:
    presentation = accepted()
    collect(presentation, nurse)
    presentation = actions.post_care(by=nurse, presentation=presentation)
    assert presentation.step == Step.DONE and presentation.cared_by == nurse


def test_a_deferred_donor_cannot_be_collected(at_physician: Any, nurse: User) -> None:
    with pytest.raises(ValidationError):
        collect(at_physician(hb_g_l="105"), nurse)
