"""The drive calendar: public without personal data; more for signed-in people; a month view."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from bloodline.drives.models import DriveStatus
from bloodline.drives.tests.conftest import in_days
from bloodline.lib.querycount import assert_flat, counted


@pytest.fixture
def visitor():
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def test_the_public_calendar_lists_confirmed_and_running_drives_only(visitor, make_drive):
    shown = [
        make_drive(DriveStatus.CONFIRMED, title="Ngày hội xác nhận"),
        make_drive(DriveStatus.RUNNING, title="Ngày hội đang diễn ra"),
    ]
    hidden = [
        make_drive(DriveStatus.PROPOSED, title="Ngày hội dự kiến"),
        make_drive(DriveStatus.CANCELLED, title="Ngày hội bị hủy"),
    ]
    page = visitor.get("/drives/").content.decode()
    assert all(d.title in page for d in shown)
    assert not any(d.title in page for d in hidden)


def test_public_pages_show_no_personal_data(visitor, make_drive, register):
    drive = make_drive(DriveStatus.CONFIRMED)
    booked = register(drive, full_name="Vũ Thanh Hương", phone="0977123456")
    for url in (
        "/drives/",
        "/drives/?view=month",
        f"/drives/?view=month&month={drive.starts_on:%Y-%m}",
        f"/drives/{drive.uuid}/",
    ):
        page = visitor.get(url).content.decode()
        assert "Vũ Thanh Hương" not in page and "0977123456" not in page, url
        assert str(booked.registration.uuid) not in page
    detail = visitor.get(f"/drives/{drive.uuid}/").content.decode()
    assert drive.venue in detail and "Registrations" not in detail


def test_signed_in_people_also_see_the_proposed_drives_of_their_part_with_status(
    english, make_drive
):
    proposed = make_drive(title="Ngày hội dự kiến")
    page = english("unit_organiser").get("/drives/").content.decode()
    assert proposed.title in page and "proposed" in page
    assert proposed.title not in english("cn_committee").get("/drives/").content.decode()


def test_the_month_view_shows_a_drive_on_each_of_its_days(visitor, make_drive):
    first = in_days(40)
    drive = make_drive(DriveStatus.CONFIRMED, starts_on=first, ends_on=first + dt.timedelta(1))
    response = visitor.get(f"/drives/?view=month&month={first:%Y-%m}")
    month = response.context["month"]
    days = [d.date for week in month.weeks for d in week if drive in d.drives]
    last_of_month = month.last
    expected = [first, first + dt.timedelta(1)]
    assert days == [d for d in expected if d <= last_of_month]
    page = response.content.decode()
    assert f"?view=month&amp;month={month.previous}" in page and drive.title in page


def test_an_unreadable_month_shows_the_current_month_and_says_so(visitor, db):
    response = visitor.get("/drives/?view=month&month=2026-13")
    assert response.status_code == 200
    assert response.context["month_unreadable"]
    assert "That month could not be read" in response.content.decode()


def test_the_calendar_costs_the_same_queries_for_one_or_ten_drives(english, make_drive):
    client = english("establishment_admin")
    make_drive(DriveStatus.CONFIRMED)
    measured = []
    for more in (0, 9):
        for n in range(more):
            make_drive(DriveStatus.CONFIRMED, title=f"Ngày hội {n}")
        client.get("/drives/")  # warm the session and grants
        with counted() as list_view:
            listed = client.get("/drives/")
        with counted() as month_view:
            month = client.get(f"/drives/?view=month&month={in_days(30):%Y-%m}")
        measured.append((list_view, month_view))
    (list_one, month_one), (list_ten, month_ten) = measured
    assert_flat(list_one, list_ten, sizes=(1, 10))
    assert_flat(month_one, month_ten, sizes=(1, 10))
    assert listed.content.decode().count("Ngày hội") >= 10
    assert month.content.decode().count("Ngày hội") >= 10


def test_a_signed_in_person_without_any_role_sees_the_public_calendar(make_drive):
    from bloodline.accounts.models import User

    User.objects.create_user(username="newcomer", password="x-long-enough-123", full_name="Mới")
    client = Client()
    client.cookies["django_language"] = "en"
    assert client.login(username="newcomer", password="x-long-enough-123")
    confirmed, proposed = make_drive(DriveStatus.CONFIRMED), make_drive(title="Dự kiến riêng")
    page = client.get("/drives/").content.decode()
    assert confirmed.title in page and proposed.title not in page
    assert client.get(f"/drives/{proposed.uuid}/").status_code == 404
    assert client.get(f"/drives/{confirmed.uuid}/register/").status_code == 403
    assert client.get("/drives/requests/").status_code == 200
