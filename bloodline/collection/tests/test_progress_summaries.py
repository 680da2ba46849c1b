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
from bloodline.collection import donor_windows, summaries
from bloodline.collection.models import DailyCredit, Donation
from bloodline.demo.factories import collection as factories
from bloodline.donors.actions import merge_donors
from bloodline.organisations import tally
from bloodline.organisations.actions import move_organisation
from bloodline.organisations.models import Organisation, Tally, TallyWindow
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
    # The distinct donors of every counted window equal a count from raw donations (0052).
    assert donor_windows.differences() == []


# Plan windows over the local days the steps reach (1–4 March in UTC+7 and UTC+8); the last is
# made in the middle of a sequence and filled by a later step.
WINDOWS = [
    (dt.date(2026, 3, 1), dt.date(2026, 3, 2)),
    (dt.date(2026, 3, 3), dt.date(2026, 3, 31)),
    (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
]


def counted_windows() -> None:
    for start, end in WINDOWS[:2]:
        tally.want_window(start, end)
    donor_windows.fill_due()


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
window = st.tuples(st.just("window"))  # a plan for the year is made: counted by "fill"
fill = st.tuples(st.just("fill"))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.one_of(give, give, merge, settle, move, window, fill), max_size=12))
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
# One donor at two units of one district on two days: one donor of the district and window.
@example(
    [
        ("give", 0, 0, 0, "whole_blood", True, False),
        ("give", 0, 1, 40, "platelets", True, False),
        ("window",),
        ("give", 1, 0, 63, "whole_blood", True, False),
        ("fill",),
        ("merge", 0, 1),
        ("move",),
        ("fill",),
    ]
)
def test_summaries_equal_a_recomputation_after_any_recordings_and_merges(demo, steps):
    nurse = next(u for p, u in demo.accounts if p.username == "drive_nurse")
    units = [demo.nodes[k] for k in UNITS]
    drive = demo.nodes["vn_garment"].drives_hosted.first()
    homes = [units[0].parent, demo.nodes["vn_tay"]]  # two districts of one province
    with transaction.atomic():
        counted_windows()
        people = factories.donors(3, demo.nodes["vn_garment"], prefix="Người thử")
        for step in steps:
            if step[0] == "window":
                tally.want_window(*WINDOWS[2])
            elif step[0] == "fill":
                donor_windows.fill_due()
            elif step[0] == "give":
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
                donor_windows.fill_due()  # the worker counts the stale windows again
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


def test_the_check_command_names_a_wrong_donor_count_and_repairs_it(demo):
    unit = demo.nodes["vn_garment"]
    counted_windows()
    people = factories.donors(2, unit)
    for hours in (0, 30):  # both give twice in the first window: two donors, not four
        factories.donations(
            people,
            credited_to=unit,
            establishment=demo.nodes["vn_centre"],
            at=START + dt.timedelta(hours=hours),
        )
    window = TallyWindow.objects.get(start=WINDOWS[0][0], end=WINDOWS[0][1])
    assert donor_windows.kept(window)[unit.pk] == 2
    assert donor_windows.kept(window)[unit.parent_id] == 2
    Tally.objects.create(node=unit, day=window.start, measure=window.measure, amount=1)
    err = StringIO()
    with pytest.raises(CommandError, match="1 distinct-donor count"):
        call_command("check_progress_summaries", stderr=err, repair=True)
    assert f"DONORS node {unit.pk} {window.measure}: kept 3, raw donations give 2" in (
        err.getvalue()
    )
    call_command("check_progress_summaries", stdout=StringIO())  # repaired: passes


def test_a_new_window_is_counted_live_until_the_worker_fills_it(demo):
    unit = demo.nodes["vn_garment"]
    people = factories.donors(3, unit)
    factories.donations(people, credited_to=unit, establishment=demo.nodes["vn_centre"], at=START)
    window = tally.want_window(*WINDOWS[2])
    assert not window.ready and donor_windows.kept(window) == {}
    factories.donations(
        people[:1], credited_to=unit, establishment=demo.nodes["vn_centre"], at=START
    )
    assert donor_windows.kept(window) == {}  # not ready: writers leave it to the fill
    assert donor_windows.fill_due() == {"windows": 1}
    window.refresh_from_db()
    assert window.ready
    assert donor_windows.kept(window) == donor_windows.counted(window)
    assert donor_windows.kept(window)[unit.pk] >= 3
    assert donor_windows.fill_due() == {"windows": 0}
