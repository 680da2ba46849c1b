"""The presentation and deferral day summaries that plan progress reads always equal a
recomputation from raw presentations and deferrals, after any sequence of check-ins,
acceptances and deferrals at two drives and changes of a donor's own unit; the check command
says when they do not (decision 0047)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bloodline.donors.models import Donor
from bloodline.organisations import tally
from bloodline.organisations.models import Organisation
from bloodline.screening import actions, summaries
from bloodline.screening.models import DailyDeferralReason, DailyScreening, Deferral, Presentation
from bloodline.screening.tests.conftest import HEALTHY, no_answers

pytestmark = pytest.mark.django_db
UNITS = ["vn_garment", "vn_dong_school"]


def agree() -> None:
    expected = summaries.recompute(Presentation, Deferral, Organisation)
    kept = summaries.stored(DailyScreening, DailyDeferralReason)
    assert summaries.differences(expected[0], kept[0]) == []
    assert summaries.differences(expected[1], kept[1]) == []
    # ... and so do their sums at every level of the tree (decision 0049).
    assert tally.differences(tally.expected(summaries.every_day_row()), tally.kept()) == []


present = st.tuples(
    st.just("present"),
    st.integers(0, 1),  # drive
    st.integers(0, len(UNITS) - 1),  # the person's own unit
    st.sampled_from(["wait", "accept", "defer", "hb"]),  # hb: low haemoglobin, the engine defers
)
move = st.tuples(st.just("move"), st.integers(0, 5), st.integers(0, len(UNITS) - 1))


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.one_of(present, present, move), max_size=6))
def test_summaries_equal_a_recomputation_after_any_check_ins_and_decisions(
    demo: Any, drive: Any, other_drive: Any, register: Any, nurse: Any, physician: Any, steps: Any
) -> None:
    drives = [drive, other_drive]
    units = [demo.nodes[k] for k in UNITS]
    with transaction.atomic():
        seen: list[Presentation] = []
        for step in steps:
            if step[0] == "present":
                _, d, unit, outcome = step
                slots = drives[d].slots.count()
                registration = register(
                    drives[d],
                    slot_index=len(seen) % slots,
                    by="province_committee",
                    unit=units[unit],
                ).registration
                p = actions.check_in(
                    by=nurse, drive=drives[d], scan=str(registration.uuid)
                ).presentation
                seen.append(p)
                if outcome != "wait":
                    p = actions.record_answers(by=nurse, presentation=p, answers=no_answers(p))
                    vitals = HEALTHY | ({"hb_g_l": "95"} if outcome == "hb" else {})
                    p = actions.record_vitals(by=nurse, presentation=p, **vitals)
                    if outcome == "accept":
                        actions.physician_decide(
                            by=physician, presentation=p, decision="accept", volume_ml=350
                        )
                    else:
                        actions.physician_decide(
                            by=physician,
                            presentation=p,
                            decision="defer",
                            reason="Xét nghiệm lại sau",
                            until=dt.date.today() + dt.timedelta(days=90),
                        )
            elif seen:
                # The donor changes unit: what was presented stays credited where it was.
                _, which, unit = step
                donor = seen[which % len(seen)].donor
                Donor.objects.filter(pk=donor.pk).update(affiliation=units[unit])
            agree()
        transaction.set_rollback(True)


def test_a_check_in_and_a_deferral_each_add_to_their_day(
    demo: Any, drive: Any, register: Any, nurse: Any, physician: Any
) -> None:
    registration = register(
        drive, by="province_committee", unit=demo.nodes["vn_dong_school"]
    ).registration
    p = actions.check_in(by=nurse, drive=drive, scan=str(registration.uuid)).presentation
    row = DailyScreening.objects.get(drive=drive)
    assert (row.credited_to, row.presented, row.deferred) == (registration.mobilised_by, 1, 0)
    p = actions.record_answers(by=nurse, presentation=p, answers=no_answers(p))
    p = actions.record_vitals(by=nurse, presentation=p, **HEALTHY)
    actions.physician_decide(
        by=physician,
        presentation=p,
        decision="defer",
        reason="Huyết áp cần theo dõi",
        until=dt.date.today() + dt.timedelta(days=30),
    )
    row.refresh_from_db()
    assert (row.presented, row.deferred) == (1, 1)
    reason = DailyDeferralReason.objects.get(drive=drive)
    assert (reason.code, reason.presentations) == ("physician", 1)
    agree()


def test_the_check_command_names_a_wrong_screening_summary_and_repairs_it(
    demo: Any, drive: Any, register: Any, nurse: Any
) -> None:
    registration = register(drive).registration
    actions.check_in(by=nurse, drive=drive, scan=str(registration.uuid))
    DailyScreening.objects.filter(drive=drive).update(presented=7)
    err = StringIO()
    with pytest.raises(CommandError, match="1 screening summar"):
        call_command("check_progress_summaries", stderr=err)
    assert "SCREENING" in err.getvalue() and "(1, 0)" in err.getvalue()
    with pytest.raises(CommandError, match="repaired"):
        call_command("check_progress_summaries", "--repair", stderr=StringIO())
    call_command("check_progress_summaries", stdout=StringIO())
    assert DailyScreening.objects.get(drive=drive).presented == 1
