"""The collection judges the donor again in its own transaction (decision 0037).

Between the physician's decision and the needle, a deferral may be recorded for the donor
(by a physician at another drive, or the look-back) or the donor may give at another drive.
The collection then refuses, records nothing and leaves the donor at the phlebotomy station.
These are the races of the overload test (test_collection_under_overload.py) played one
step after the other, so they run on SQLite too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.collection.models import Donation
from bloodline.demo.factories.distribution import to_csv
from bloodline.drives.models import Drive
from bloodline.inventory import actions as inventory
from bloodline.lab import imports
from bloodline.screening import actions
from bloodline.screening.models import Deferral, Presentation, Step
from bloodline.screening.tests.conftest import HEALTHY, no_answers
from bloodline.screening.tests.helpers import allow_overrides, confirm_vn_limits

pytestmark = pytest.mark.django_db
REFUSED = (
    "Since the physician's decision, a deferral has been recorded for this donor or a "
    "donation given elsewhere: nothing may be collected."
)


def at_other_physician(drive: Drive, presentation: Presentation, nurse: User) -> Presentation:
    """The same donor checked in (donor code scanned) and screened at ``drive``."""
    there = actions.check_in(by=nurse, drive=drive, scan=str(presentation.donor.uuid)).presentation
    there = actions.record_answers(by=nurse, presentation=there, answers=no_answers(there))
    return actions.record_vitals(by=nurse, presentation=there, **HEALTHY)


def collect(presentation: Presentation, nurse: User) -> Donation:
    end = timezone.now() - dt.timedelta(minutes=1)
    return actions.collect(
        by=nurse,
        presentation=presentation,
        bag_type="triple",
        volume_ml=presentation.volume_ml,
        started_at=end - dt.timedelta(minutes=8),
        ended_at=end,
    )


def assert_refused_and_nothing_written(presentation: Presentation, nurse: User) -> None:
    donations = Donation.objects.count()
    with pytest.raises(ValidationError) as exc:
        collect(presentation, nurse)
    assert exc.value.message_dict == {"__all__": [REFUSED]}
    assert Donation.objects.count() == donations
    presentation.refresh_from_db()
    assert presentation.step == Step.COLLECTION and presentation.donation is None


def test_a_deferral_recorded_at_another_drive_after_the_decision_stops_the_collection(
    accepted: Any, other_drive: Drive, nurse: User, physician: User
) -> None:
    here = accepted()
    there = at_other_physician(other_drive, here, nurse)
    actions.physician_decide(
        by=physician,
        presentation=there,
        decision="defer",
        reason="Đang dùng kháng sinh.",
        until=timezone.localdate() + dt.timedelta(days=14),
    )
    assert Deferral.objects.filter(donor=here.donor).count() == 1
    assert_refused_and_nothing_written(here, nurse)


def test_a_confirmed_positive_result_after_the_decision_stops_the_collection(
    accepted: Any, centre: Any, nurse: User
) -> None:
    """The look-back defers the donor for good while they wait at the phlebotomy station."""
    here = accepted()
    earlier = centre.donation(at=timezone.now() - dt.timedelta(days=120), donor=here.donor)
    inventory.process_donation(
        by=centre.clerk,
        donation=earlier,
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    chain = [("screen", "reactive"), ("repeat", "reactive"), ("confirmatory", "positive")]
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="hiv.csv",
        content=to_csv(
            {"din": earlier.din, "test": "hiv", "stage": stage, "result": reading}
            for stage, reading in chain
        ),
    )
    assert Deferral.objects.filter(donor=here.donor, permanent=True).exists()
    assert_refused_and_nothing_written(here, nurse)


def test_a_donation_given_at_another_drive_after_the_decision_stops_the_collection(
    accepted: Any, other_drive: Drive, nurse: User, physician: User
) -> None:
    here = accepted()
    there = at_other_physician(other_drive, here, nurse)
    there = actions.physician_decide(
        by=physician, presentation=there, decision="accept", volume_ml=350
    )
    collect(there, nurse)  # the first bag; the interval now defers the donor here
    assert_refused_and_nothing_written(here, nurse)
    assert Donation.objects.filter(donor=here.donor).count() == 1


def test_an_override_lifts_only_what_the_physician_saw(
    rules_in_force: Any,
    at_physician: Any,
    other_drive: Drive,
    nurse: User,
    physician: User,
) -> None:
    vn = "vn-tt26-2013.toml"
    rules_in_force((vn, confirm_vn_limits), (vn, allow_overrides("hb.low")))
    here = at_physician(hb_g_l="118")  # low Hb, which these rules let a physician lift
    here = actions.physician_decide(
        by=physician,
        presentation=here,
        decision="override",
        volume_ml=250,
        reason="Hb đo lại bằng máy xét nghiệm: 121 g/L.",
    )
    there = at_other_physician(other_drive, here, nurse)
    actions.physician_decide(
        by=physician,
        presentation=there,
        decision="defer",
        reason="Tiền sử bệnh gan.",
        permanent=True,
    )
    assert_refused_and_nothing_written(here, nurse)


def test_an_override_is_collected_when_nothing_changed_since(
    rules_in_force: Any, at_physician: Any, nurse: User, physician: User
) -> None:
    vn = "vn-tt26-2013.toml"
    rules_in_force((vn, confirm_vn_limits), (vn, allow_overrides("hb.low")))
    here = actions.physician_decide(
        by=physician,
        presentation=at_physician(hb_g_l="118"),
        decision="override",
        volume_ml=250,
        reason="Hb đo lại bằng máy xét nghiệm: 121 g/L.",
    )
    donation = collect(here, nurse)
    assert (donation.donor, donation.volume_ml) == (here.donor, 250)
