"""The progress day summaries and first-time flags always equal a recomputation from raw
donations, after any sequence of recordings and merges; the check command says when they do
not (decision 0039)."""

from __future__ import annotations

import contextlib
import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bloodline.accounts.system import system_actor
from bloodline.collection import summaries
from bloodline.collection.models import DailyCredit, Donation
from bloodline.demo.factories import collection as factories
from bloodline.donors.actions import merge_donors
from bloodline.organisations import tally
from bloodline.organisations.actions import move_organisation
from bloodline.organisations.models import Organisation
from bloodline.screening import summaries as screening_summaries

UNITS = ["vn_garment", "vn_dong_school", "vn_dong_c1", "cn_district"]  # two time zones
START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
REASON = "Cùng số giấy tờ; đã gọi xác nhận"


def agree() -> None:
    kept = summaries.stored(DailyCredit)
    assert summaries.differences(summaries.recompute(Donation, Organisation), kept) == []
    assert summaries.wrong_flags(Donation) == []
    # The sums at every level of the tree equal the day rows added up (decision 0049).
    expected = tally.expected(screening_summaries.every_day_row())
    assert tally.differences(expected, tally.kept()) == []


give = st.tuples(
    st.just("give"),
    st.integers(0, 2),  # donor: few, so that merged donors have given
    st.integers(0, len(UNITS) - 1),  # credited unit
    # Hours after START: crosses local midnights in both zones (UTC+7 and UTC+8).
    st.sampled_from([0, 16, 17, 40, 41, 63, 64, 90]),
    st.sampled_from(["whole_blood", "platelets"]),
    st.booleans(),  # complete
    st.booleans(),  # at the demo drive
)
merge = st.tuples(st.just("merge"), st.integers(0, 2), st.integers(0, 2))
settle = st.tuples(st.just("settle"))
move = st.tuples(st.just("move"))  # the first unit goes under the second's parent, or back


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.one_of(give, give, merge, settle, move), max_size=12))
# The duplicate gave first: after the merge the keeper's own donation is a repeat (pinned:
# random search alone missed a removed merge hook in a mutation check).
@example(
    [
        ("give", 0, 0, 50, "whole_blood", True, False),
        ("give", 1, 1, 2, "whole_blood", True, False),
        ("merge", 0, 1),
    ]
)
@example(
    [
        ("merge", 1, 2),
        ("give", 0, 3, 41, "platelets", True, True),
        ("give", 1, 3, 0, "platelets", True, False),
        ("merge", 0, 1),
    ]
)
@example([("give", 0, 0, 0, "whole_blood", True, True), ("move",), ("settle",), ("move",)])
def test_summaries_equal_a_recomputation_after_any_recordings_and_merges(demo, steps):
    nurse = next(u for p, u in demo.accounts if p.username == "drive_nurse")
    units = [demo.nodes[k] for k in UNITS]
    drive = demo.nodes["vn_garment"].drives_hosted.first()
    homes = [units[0].parent, demo.nodes["vn_tay"]]  # two districts of one province
    with transaction.atomic():
        people = factories.donors(3, demo.nodes["vn_garment"], prefix="Người thử")
        for step in steps:
            if step[0] == "give":
                _, who, unit, hours, kind, complete, at_drive = step
                factories.donations(
                    [people[who]],
                    credited_to=units[unit],
                    establishment=demo.nodes["vn_centre"],
                    at=START + dt.timedelta(hours=hours),
                    donation_type=kind,
                    volume_ml=250,
                    drive=drive if at_drive else None,
                    incomplete_reason="" if complete else "poor_flow",
                )
            elif step[0] == "settle":
                tally.settle()
            elif step[0] == "move":
                moving = Organisation.objects.get(pk=units[0].pk)
                home = homes[1] if moving.parent_id == homes[0].pk else homes[0]
                move_organisation(by=system_actor(), organisation=moving, new_parent=home)
            else:
                _, keep, duplicate = step
                # The same record, or one already merged: refused, nothing moved.
                with contextlib.suppress(ValidationError, PermissionDenied):
                    merge_donors(
                        by=nurse, keep=people[keep], duplicate=people[duplicate], reason=REASON
                    )
                for person in people:
                    person.refresh_from_db()
            agree()
        transaction.set_rollback(True)


def test_a_merge_moves_the_first_donation_to_the_earlier_record(demo):
    nurse = next(u for p, u in demo.accounts if p.username == "drive_nurse")
    unit = demo.nodes["vn_garment"]
    keep, duplicate = factories.donors(2, unit)
    later = factories.donations(
        [keep], credited_to=unit, establishment=demo.nodes["vn_centre"], at=START
    )[0]
    earlier = factories.donations(
        [duplicate],
        credited_to=unit,
        establishment=demo.nodes["vn_centre"],
        at=START - dt.timedelta(days=120),
    )[0]
    later.refresh_from_db()
    assert later.first_time
    merge_donors(by=nurse, keep=keep, duplicate=duplicate, reason=REASON)
    later.refresh_from_db()
    earlier.refresh_from_db()
    assert (earlier.first_time, later.first_time) == (True, False)
    agree()


@pytest.mark.django_db
def test_the_check_command_passes_when_summaries_match(demo):
    out = StringIO()
    call_command("check_progress_summaries", stdout=out)
    assert "match" in out.getvalue()


def test_the_check_command_names_a_mismatch_and_repairs_it(demo):
    unit = demo.nodes["vn_garment"]
    factories.donations(
        factories.donors(2, unit), credited_to=unit, establishment=demo.nodes["vn_centre"], at=START
    )
    row = DailyCredit.objects.filter(credited_to=unit, day=START.date(), drive=None).get()
    DailyCredit.objects.filter(pk=row.pk).update(bags=1)
    err = StringIO()
    with pytest.raises(CommandError, match="1 day summar"):
        call_command("check_progress_summaries", stderr=err)
    assert f"DAY organisation {unit.pk} {START.date()} drive None" in err.getvalue()
    assert "bags 1" in err.getvalue() and "bags 2" in err.getvalue()
    with pytest.raises(CommandError, match="repaired"):
        call_command("check_progress_summaries", "--repair", stderr=StringIO())
    call_command("check_progress_summaries", stdout=StringIO())
    agree()
