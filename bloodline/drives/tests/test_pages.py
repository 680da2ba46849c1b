"""The drive pages: forms that plan, change, request, answer and register, and their errors."""

from __future__ import annotations

import datetime as dt

from bloodline.drives.models import Drive, DriveRequest, DriveStatus, Registration, RequestStatus
from bloodline.drives.tests.conftest import in_days


def _drive_form(demo, **values):
    form = {
        "establishment": str(demo.nodes["vn_centre"].uuid),
        "title": "Ngày hội Chủ nhật Đỏ",
        "venue": "Nhà văn hóa xã An Phú",
        "starts_on": in_days(21).isoformat(),
        "ends_on": in_days(21).isoformat(),
        "opens_at": "07:00",
        "closes_at": "10:30",
        "slot_minutes": "30",
        "beds": "8",
        "expected_units": "150",
        "hosts": [str(demo.nodes["vn_dong_c0"].uuid), str(demo.nodes["vn_dong_school"].uuid)],
        "window_label_1": "Học sinh",
        "window_start_1": "07:00",
        "window_end_1": "08:00",
        "window_label_2": "Nhân dân",
        "window_start_2": "08:00",
        "window_end_2": "10:30",
    }
    form.update(values)
    return form


def test_an_establishment_plans_a_drive_through_the_form(demo, english):
    client = english("establishment_admin")
    page = client.get("/drives/new/").content.decode()
    assert str(demo.nodes["vn_dong_c0"].uuid) in page  # a commune of the centre's province
    assert str(demo.nodes["cn_firm0"].uuid) not in page
    response = client.post("/drives/new/", _drive_form(demo))
    drive = Drive.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/drives/{drive.uuid}/"
    assert drive.slots.count() == 7 and drive.hosts.count() == 2
    assert drive.arrival_windows[1] == {"label": "Nhân dân", "start": "08:00", "end": "10:30"}
    detail = client.get(response["Location"]).content.decode()
    assert "Học sinh: 07:00–08:00" in detail and "Confirm the drive" in detail


def test_form_errors_are_shown_at_their_field_and_nothing_is_saved(demo, english):
    client = english("establishment_admin")
    page = client.post(
        "/drives/new/", _drive_form(demo, beds="0", window_end_1="11:00")
    ).content.decode()
    assert 'id="id_beds_error"' in page
    assert "A drive needs at least one bed" in page
    assert "Arrival window 1 must lie within the opening hours." in page
    assert not Drive.objects.exists()


def test_people_without_an_establishment_cannot_open_the_planning_form(english, db, demo):
    assert english("unit_organiser").get("/drives/new/").status_code == 403


def test_a_drive_is_edited_through_the_form(demo, english, make_drive):
    drive = make_drive()
    client = english("establishment_admin")
    form = client.get(f"/drives/{drive.uuid}/edit/").context["form"]
    values = {k: v for k, v in form.initial.items() if v is not None}
    values.update(
        {
            "title": "Ngày hội mùa xuân",
            "starts_on": drive.starts_on.isoformat(),
            "ends_on": drive.ends_on.isoformat(),
            "opens_at": "07:00",
            "closes_at": "09:00",
            "reason": "Đổi tên",
        }
    )
    response = client.post(f"/drives/{drive.uuid}/edit/", values)
    assert response.status_code == 302
    drive.refresh_from_db()
    assert drive.title == "Ngày hội mùa xuân" and drive.version == 2


def test_the_status_buttons_walk_the_drive_through_its_day(english, make_drive):
    drive = make_drive()
    client = english("establishment_admin")
    for status in ("confirmed", "running", "closed", "reconciled"):
        response = client.post(f"/drives/{drive.uuid}/status/", {"status": status})
        assert response.status_code == 302
        drive.refresh_from_db()
        assert drive.status == status
    page = client.post(f"/drives/{drive.uuid}/status/", {"status": "running"}, follow=True)
    assert "A drive that is reconciled cannot become running." in page.content.decode()


def test_cancelling_through_the_page_asks_for_the_reason(english, make_drive, register):
    drive = make_drive(DriveStatus.CONFIRMED)
    register(drive)
    client = english("establishment_admin")
    assert "1 person is registered" in client.get(f"/drives/{drive.uuid}/cancel/").content.decode()
    page = client.post(f"/drives/{drive.uuid}/cancel/", {"reason": ""}).content.decode()
    assert "Say why the drive is cancelled" in page
    response = client.post(f"/drives/{drive.uuid}/cancel/", {"reason": "Mất điện"})
    assert response.status_code == 302
    drive.refresh_from_db()
    assert drive.status == DriveStatus.CANCELLED and drive.registrations.count() == 1


def test_a_unit_requests_a_drive_and_the_establishment_accepts_it(demo, english):
    organiser = english("unit_organiser")
    page = organiser.get("/drives/requests/new/").content.decode()
    assert str(demo.nodes["vn_centre"].uuid) in page
    assert str(demo.nodes["vn_station"].uuid) not in page  # serves the other district
    response = organiser.post(
        "/drives/requests/new/",
        {
            "requested_by": str(demo.nodes["vn_garment"].uuid),
            "establishment": str(demo.nodes["vn_centre"].uuid),
            "option_1": in_days(14).isoformat(),
            "option_2": in_days(21).isoformat(),
            "expected_donors": "80",
            "venue": "Nhà ăn",
        },
    )
    request = DriveRequest.objects.get()
    assert response["Location"] == f"/drives/requests/{request.uuid}/"
    admin = english("establishment_admin")
    listing = admin.get("/drives/requests/").content.decode()
    assert "Addressed to your establishments" in listing and "Nhà ăn" in listing
    wrong = admin.post(
        f"/drives/requests/{request.uuid}/accept/",
        {"date": in_days(15).isoformat(), "opens_at": "07:00", "closes_at": "11:00"},
    )
    assert "Select a valid choice" in wrong.content.decode()
    accepted = admin.post(
        f"/drives/requests/{request.uuid}/accept/",
        {
            "date": in_days(21).isoformat(),
            "opens_at": "07:00",
            "closes_at": "11:00",
            "slot_minutes": "30",
            "beds": "6",
        },
    )
    request.refresh_from_db()
    assert accepted["Location"] == f"/drives/{request.drive.uuid}/"
    assert request.drive.starts_on == in_days(21)


def test_the_establishment_declines_with_a_reason(demo, english, users):
    from bloodline.drives import actions

    request = actions.request_drive(
        by=users["unit_organiser"],
        requested_by=demo.nodes["vn_garment"],
        establishment=demo.nodes["vn_centre"],
        options=[in_days(9)],
        expected_donors=40,
        venue="Sân",
    )
    admin = english("establishment_admin")
    page = admin.post(f"/drives/requests/{request.uuid}/decline/", {"reason": ""})
    assert "Say why the request is declined." in page.content.decode()
    admin.post(f"/drives/requests/{request.uuid}/decline/", {"reason": "Trùng lịch"})
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED
    seen = english("unit_organiser").get(f"/drives/requests/{request.uuid}/").content.decode()
    assert "Trùng lịch" in seen


def test_an_organiser_registers_a_person_through_the_form(demo, english, make_drive):
    drive = make_drive(DriveStatus.CONFIRMED)
    client = english("unit_organiser")
    slot = drive.slots.all()[1]
    form = {
        "slot": slot.starts_at.isoformat(),
        "full_name": "Bùi Ngọc Lan",
        "date_of_birth": "1996-09-09",
        "sex": "F",
        "phone": "0903 111 222",
        "unit": str(demo.nodes["vn_garment"].uuid),
    }
    response = client.post(f"/drives/{drive.uuid}/register/", form)
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.slot == slot and registration.mobilised_by == demo.nodes["vn_garment"]
    again = client.post(f"/drives/{drive.uuid}/register/", form).content.decode()
    assert "Bùi Ngọc Lan is already registered for this drive." in again
    other = make_drive(DriveStatus.CONFIRMED)
    form["slot"] = other.slots.first().starts_at.isoformat()
    warned = client.post(f"/drives/{other.uuid}/register/", form, follow=True).content.decode()
    assert "already on record" in warned and "Bùi Ngọc Lan is registered." in warned


def test_the_registration_page_refreshes_places_left_as_a_fragment(english, make_drive, register):
    drive = make_drive(DriveStatus.CONFIRMED)
    register(drive)
    client = english("unit_organiser")
    page = client.get(f"/drives/{drive.uuid}/register/").content.decode()
    assert f'hx-get="/drives/{drive.uuid}/slots/"' in page
    fragment = client.get(f"/drives/{drive.uuid}/slots/", HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert "<html" not in text and "<td>07:00–07:30</td><td>1</td><td>2</td><td>1</td>" in text
    assert "<html" in client.get(f"/drives/{drive.uuid}/slots/").content.decode()


def test_a_registration_is_cancelled_from_the_drive_page(english, make_drive, register):
    drive = make_drive()
    booked = register(drive).registration
    client = english("unit_organiser")
    page = client.get(f"/drives/{drive.uuid}/").content.decode()
    assert booked.donor.full_name in page and "1</td><td>2</td>" in page
    client.post(f"/drives/{drive.uuid}/registrations/{booked.uuid}/cancel/")
    booked.refresh_from_db()
    assert booked.cancelled_at is not None and drive.slots.first().booked == 0


def test_slot_times_on_the_drive_page_are_the_establishments_local_times(english, make_drive):
    drive = make_drive(opens_at=dt.time(7), closes_at=dt.time(8))
    page = english("establishment_admin").get(f"/drives/{drive.uuid}/").content.decode()
    assert "07:00–07:30" in page and "Asia/Ho_Chi_Minh" in page


def test_answering_an_answered_request_says_so(demo, english, users):
    from bloodline.drives import actions

    request = actions.request_drive(
        by=users["unit_organiser"],
        requested_by=demo.nodes["vn_garment"],
        establishment=demo.nodes["vn_centre"],
        options=[in_days(9)],
        expected_donors=40,
        venue="Sân",
    )
    admin = english("establishment_admin")
    admin.post(f"/drives/requests/{request.uuid}/decline/", {"reason": "Trùng lịch"})
    again = admin.post(
        f"/drives/requests/{request.uuid}/accept/",
        {"date": in_days(9).isoformat(), "opens_at": "07:00", "closes_at": "09:00"},
        follow=True,
    )
    assert "This request has already been answered." in again.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED and request.drive is None
