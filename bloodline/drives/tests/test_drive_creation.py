"""Planning a drive: its slots, its hours in the establishment's time zone, and bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bloodline.audit.models import AuditEvent
from bloodline.drives import actions
from bloodline.drives.models import Drive, DriveStatus, Slot
from bloodline.drives.tests.conftest import in_days
from bloodline.programmes.models import Plan, Round

UTC = dt.UTC


def test_it_cuts_opening_hours_into_slots_that_take_as_many_donors_as_beds(demo, make_drive):
    drive = make_drive(beds=3)
    slots = list(drive.slots.all())
    assert drive.status == DriveStatus.PROPOSED
    assert len(slots) == 4
    assert {s.capacity for s in slots} == {3} and {s.booked for s in slots} == {0}
    assert [s.ends_at - s.starts_at for s in slots] == [dt.timedelta(minutes=30)] * 4
    assert list(drive.hosts.all()) == [demo.nodes["vn_garment"]]
    event = AuditEvent.objects.get(object_id=str(drive.uuid), action="drive.create")
    assert event.actor_label == "establishment_admin"
    assert event.changes["beds"] == [None, 3] and event.changes["opens_at"] == [None, "07:00"]


def test_a_7_oclock_slot_in_ho_chi_minh_city_starts_at_midnight_utc(make_drive):
    day = in_days(20)
    drive = make_drive(starts_on=day)
    first = drive.slots.first()
    assert first.starts_at == dt.datetime.combine(day, dt.time(0, 0), tzinfo=UTC)
    assert first.ends_at == dt.datetime.combine(day, dt.time(0, 30), tzinfo=UTC)


def test_a_7_oclock_slot_in_shanghai_starts_at_23_utc_the_day_before(demo, users):
    day = in_days(20)
    drive = actions.create_drive(
        by=users["cn_establishment_admin"],
        establishment=demo.nodes["cn_centre"],
        hosts=[demo.nodes["cn_centre"]],
        title="献血日",
        venue="血液中心",
        starts_on=day,
        ends_on=day,
        opens_at=dt.time(7, 0),
        closes_at=dt.time(8, 0),
        slot_minutes=60,
        beds=5,
    )
    first = drive.slots.get()
    assert first.starts_at == dt.datetime.combine(day - dt.timedelta(days=1), dt.time(23), UTC)


def test_it_refuses_a_slot_with_zero_capacity(make_drive):
    before = (Drive.objects.count(), Slot.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as refused:
        make_drive(beds=0)
    assert refused.value.message_dict["beds"] == [
        "A drive needs at least one bed: each slot takes as many donors as there are beds."
    ]
    assert (Drive.objects.count(), Slot.objects.count(), AuditEvent.objects.count()) == before


def test_the_last_slot_of_a_day_ends_at_closing_time(make_drive):
    drive = make_drive(closes_at=dt.time(8, 45))
    ends = [s.ends_at.astimezone(drive.time_zone()).time() for s in drive.slots.all()]
    assert ends == [dt.time(7, 30), dt.time(8, 0), dt.time(8, 30), dt.time(8, 45)]


def test_a_drive_of_several_days_has_slots_on_each_day(make_drive):
    drive = make_drive(starts_on=in_days(10), ends_on=in_days(12))
    days = {s.starts_at.astimezone(drive.time_zone()).date() for s in drive.slots.all()}
    assert days == {in_days(10), in_days(11), in_days(12)}
    assert drive.slots.count() == 12


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"opens_at": dt.time(9), "closes_at": dt.time(7)},
            "closes_at",
            "The closing time must be after the opening time.",
        ),
        (
            {"starts_on": in_days(5), "ends_on": in_days(4)},
            "ends_on",
            "The last day cannot be before the first day.",
        ),
        (
            {"starts_on": in_days(5), "ends_on": in_days(40)},
            "ends_on",
            "A drive can last at most 31 days.",
        ),
        ({"slot_minutes": 2}, "slot_minutes", "A slot must last at least 5 minutes."),
        ({"slot_minutes": 180}, "slot_minutes", "A slot cannot be longer than the opening hours."),
        ({"title": "  "}, "title", "Give the drive a title."),
        ({"venue": ""}, "venue", "Say where the drive is held."),
        (
            {"latitude": Decimal("16.05")},
            "longitude",
            "Give both the latitude and the longitude, or neither.",
        ),
        ({"hosts": []}, "hosts", "Choose at least one host organisation."),
    ],
)
def test_it_refuses_bad_days_hours_and_details_at_their_field(
    make_drive, overrides, field, message
):
    with pytest.raises(ValidationError) as refused:
        make_drive(**overrides)
    assert message in refused.value.message_dict[field]
    assert not Drive.objects.exists()


def test_arrival_windows_are_kept_in_order_within_opening_hours(make_drive):
    windows = [
        {"label": "Trường học", "start": "07:00", "end": "07:30"},
        {"label": "Cơ quan", "start": "07:30", "end": "08:00"},
        {"label": "Nhân dân", "start": "08:00", "end": "09:00"},
    ]
    drive = make_drive(arrival_windows=windows)
    drive.refresh_from_db()
    assert drive.arrival_windows == windows


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (
            {"label": "Trường học", "start": "06:00", "end": "07:30"},
            "Arrival window 1 must lie within the opening hours.",
        ),
        (
            {"label": "Trường học", "start": "08:00", "end": "07:30"},
            "Arrival window 1: the end must be after the start.",
        ),
        (
            {"label": "Trường học", "start": "7h", "end": "08:00"},
            "Arrival window 1: write its start and end as HH:MM.",
        ),
        (
            {"label": "", "start": "07:00", "end": "08:00"},
            "Arrival window 1: give a label of at most 80 characters.",
        ),
    ],
)
def test_it_refuses_an_arrival_window_that_does_not_fit(make_drive, window, message):
    with pytest.raises(ValidationError) as refused:
        make_drive(arrival_windows=[window])
    assert message in refused.value.message_dict["arrival_windows"]


def test_hosts_come_from_the_establishments_area_or_the_persons_view(demo, make_drive):
    drive = make_drive(hosts=[demo.nodes["vn_dong_c2"], demo.nodes["vn_dong_school"]])
    assert drive.hosts.count() == 2
    with pytest.raises(ValidationError) as refused:
        make_drive(hosts=[demo.nodes["cn_firm0"]])
    assert refused.value.message_dict["hosts"] == [
        f"{demo.nodes['cn_firm0'].name} cannot host a drive of this establishment."
    ]


def test_only_the_establishments_drive_managers_may_plan_its_drives(demo, make_drive, users):
    for person in ("drive_nurse", "unit_organiser", "cn_establishment_admin"):
        with pytest.raises(PermissionDenied):
            actions.create_drive(
                by=users[person],
                establishment=demo.nodes["vn_centre"],
                hosts=[demo.nodes["vn_garment"]],
                title="x",
                venue="y",
                starts_on=in_days(3),
                ends_on=in_days(3),
                opens_at=dt.time(7),
                closes_at=dt.time(8),
                slot_minutes=30,
                beds=2,
            )


def test_a_drive_must_fall_within_its_round(demo, make_drive):
    province = demo.nodes["vn_province"]
    plan = Plan.objects.create(
        issuer=demo.nodes["vn_province_committee"],
        area=province,
        number="276/KH-BCĐ",
        issued_on=in_days(-30),
        title="Kế hoạch vận động hiến máu",
        period_start=in_days(-30),
        period_end=in_days(300),
        measure="donations",
        base_volume_ml=250,
        rule_set="VN-TT26-2013",
    )
    spring = Round.objects.create(
        plan=plan, name="Đợt 1", starts_on=in_days(1), ends_on=in_days(40)
    )
    assert make_drive(round=spring).round == spring
    with pytest.raises(ValidationError) as refused:
        make_drive(round=spring, starts_on=in_days(50))
    assert "round" in refused.value.message_dict
