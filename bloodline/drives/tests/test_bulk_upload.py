"""Registering many people from a workbook: all or nothing, every problem at its row."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bloodline.drives import bulk
from bloodline.drives.models import Channel, DriveStatus, Registration
from bloodline.jobs import tasks
from bloodline.jobs.models import Task
from bloodline.lib import xlsx

HEADER = [
    "Full name",
    "Date of birth (YYYY-MM-DD)",
    "Sex (M/F)",
    "Phone",
    "Unit official code (optional)",
    "Slot start time (HH:MM)",
]
GARMENT_CODE = "VN-MST-0100000001"
SEAFOOD_CODE = "VN-MST-0100000002"  # in Đông Giang, outside the garment organiser's scope
COOP_CODE = "VN-MST-0100000003"  # in Tây Giang


def workbook(rows, header=HEADER):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def person(n, slot="07:00", code="", dob=None, phone=None):
    return [
        f"Công nhân {n}",
        dob or f"1990-01-{n:02d}",
        "M" if n % 2 else "F",
        phone if phone is not None else f"0988{n:06d}",
        code,
        slot,
    ]


@pytest.fixture
def drive(make_drive):
    return make_drive(DriveStatus.CONFIRMED)


def finish(client, response):
    """The page the organiser ends on: the request starts a task (decision 0044), the worker
    runs it, and its page leads to the outcome — or shows why it failed."""
    if response.status_code != 302 or not response["Location"].startswith("/tasks/"):
        return response
    tasks.run_pending()
    task = Task.objects.get(uuid=response["Location"].split("/")[2])
    if task.status == Task.Status.DONE:
        return client.get(task.result["result_url"])
    return client.get(response["Location"])


@pytest.fixture
def upload(demo, english):
    client = english("unit_organiser")

    def send(drive, content, name="dang-ky.xlsx", unit="vn_garment"):
        return finish(
            client,
            client.post(
                f"/drives/{drive.uuid}/upload/",
                {"file": SimpleUploadedFile(name, content), "unit": str(demo.nodes[unit].uuid)},
            ),
        )

    send.client = client  # type: ignore[attr-defined]
    return send


def _errors(response):
    check = response.context["check"]
    return [(e.row, e.message) for e in check.errors]


def test_a_clean_workbook_registers_everyone_at_once(demo, drive, upload):
    rows = [person(1), person(2, "07:30", GARMENT_CODE), person(3, "08:00")]
    response = upload(drive, workbook(rows), unit="vn_garment_union")
    assert response.status_code == 302, _errors(response)
    registrations = Registration.objects.filter(drive=drive).order_by("donor__full_name")
    assert [r.channel for r in registrations] == [Channel.BULK] * 3
    credits = [r.mobilised_by for r in registrations]
    assert credits == [
        demo.nodes["vn_garment_union"],
        demo.nodes["vn_garment"],
        demo.nodes["vn_garment_union"],
    ]
    assert [s.booked for s in drive.slots.all()] == [1, 1, 1, 0]
    page = upload.client.get(response["Location"]).content.decode()
    assert "3 people were registered." in page


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([person(1, dob="31/12/1990")], (2, "Write the date of birth as YYYY-MM-DD.")),
        ([person(1, code="VN-NOPE-1")], (2, "No organisation has the official code “VN-NOPE-1”.")),
        (
            [person(1, code=SEAFOOD_CODE)],
            (2, f"“{SEAFOOD_CODE}” is outside the part of the tree you work on."),
        ),
        (
            [person(1, code=COOP_CODE)],
            (2, f"“{COOP_CODE}” is outside the part of the tree you work on."),
        ),
        ([person(1), person(2), person(3)], (4, "The slot at “07:00” is full.")),
        (
            [person(1), ["Công nhân 1", "1990-01-01", "F", "", "", "07:30"]],
            (3, "This person is already listed in row 2."),
        ),
        (
            [person(1, phone="0912000111"), person(2, "07:30", phone="0912 000 111")],
            (3, "This person is already listed in row 2."),
        ),
        ([person(1, slot="06:00")], (2, "No slot of this drive starts at “06:00”.")),
        ([person(1, slot="")], (2, "Write the slot start time as HH:MM.")),
        ([["Công nhân 1", "1990-01-01", "X", "", "", "07:00"]], (2, "Write the sex as M or F.")),
        ([["", "1990-01-01", "F", "", "", "07:00"]], (2, "Enter the person's full name.")),
        (
            [["Công nhân 1", "1990-01-01", "F", "12ab", "", "07:00"]],
            (
                2,
                "This phone number cannot be read. Write a national number such as 0912 345 678, "
                "or an international one starting with + and the country code.",
            ),
        ),
    ],
)
def test_each_bad_row_is_reported_at_its_row_and_nothing_is_registered(
    drive, upload, rows, expected
):
    response = upload(drive, workbook(rows))
    assert response.status_code == 200
    assert expected in _errors(response)
    assert not Registration.objects.exists()
    assert {s.booked for s in drive.slots.all()} == {0}


def test_someone_already_registered_is_reported(drive, upload, register):
    register(drive, 1, full_name="Công nhân 1", date_of_birth=dt.date(1990, 1, 1))
    response = upload(drive, workbook([person(1, phone="")]))
    assert _errors(response) == [(2, "Công nhân 1 is already registered for this drive.")]


def test_missing_and_unknown_columns_are_reported_at_row_1(drive, upload):
    header = ["Full name", "Sex (M/F)", "Phone", "Blood group", "Slot start time (HH:MM)"]
    response = upload(drive, workbook([], header=header))
    assert _errors(response) == [
        (1, "The column “Blood group” is not one of the template's columns."),
        (1, "The column “Date of birth (YYYY-MM-DD)” is missing."),
    ]


def test_an_empty_workbook_says_nobody_is_listed(drive, upload):
    response = upload(drive, workbook([]))
    assert _errors(response) == [(2, "The workbook lists nobody below the header row.")]


@pytest.mark.parametrize(
    "content",
    [
        b"Full name,Date of birth\nAn,1990-01-01\n",
        b"PK\x03\x04 not really a zip",
    ],
)
def test_a_file_that_is_not_an_xlsx_workbook_is_refused(drive, upload, content):
    response = upload(drive, content, name="list.xlsx")
    assert response.status_code == 200
    assert "This file is not an Excel workbook (.xlsx)." in response.content.decode()


def test_a_zip_that_is_not_a_workbook_is_refused(drive, upload):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    response = upload(drive, out.getvalue())
    assert "This file is not an Excel workbook (.xlsx)." in response.content.decode()


def test_a_file_over_2_mb_is_refused(drive, upload):
    response = upload(drive, b"PK\x03\x04" + b"0" * (2 * 1024 * 1024))
    page = response.content.decode()
    assert "The file is larger than 2 MB." in page
    assert not Registration.objects.exists()


def test_a_much_larger_upload_is_refused_before_it_is_read(drive, upload):
    response = upload(drive, b"PK\x03\x04" + b"0" * (3 * 1024 * 1024))
    assert response.status_code == 302 and response["Location"].endswith("/upload/")
    page = upload.client.get(response["Location"]).content.decode()
    assert "The file is larger than 2 MB." in page


def test_the_valid_rows_are_registered_when_the_organiser_chooses(drive, upload):
    rows = [person(1), person(2, code="VN-NOPE-1"), person(3, "07:30")]
    response = upload(drive, workbook(rows))
    assert [row for row, _ in _errors(response)] == [3]
    assert "Register the valid rows" in response.content.decode()
    token = response.context["token"]
    applied = finish(
        upload.client,
        upload.client.post(f"/drives/{drive.uuid}/upload/apply/", {"token": token}),
    )
    assert applied.status_code == 302
    names = set(Registration.objects.values_list("donor__full_name", flat=True))
    assert names == {"Công nhân 1", "Công nhân 3"}


def test_applying_the_valid_rows_checks_them_again(drive, upload, register):
    response = upload(drive, workbook([person(1), person(2, code="VN-NOPE-1")]))
    token = response.context["token"]
    register(drive, 0)  # the 07:00 slot fills up meanwhile
    register(drive, 0)
    again = finish(
        upload.client,
        upload.client.post(f"/drives/{drive.uuid}/upload/apply/", {"token": token}),
    )
    assert again.status_code == 200
    assert _errors(again) == [(2, "The slot at “07:00” is full.")]
    assert Registration.objects.count() == 2


def test_an_altered_list_of_valid_rows_is_refused(drive, upload):
    response = upload(drive, workbook([person(1), person(2, code="VN-NOPE-1")]))
    token = response.context["token"][:-2] + "xx"
    refused = upload.client.post(f"/drives/{drive.uuid}/upload/apply/", {"token": token})
    assert refused.status_code == 302 and refused["Location"].endswith("/upload/")
    assert not Registration.objects.exists()


def test_the_template_has_the_columns_and_lists_slots_and_unit_codes(drive, upload):
    response = upload.client.get(f"/drives/{drive.uuid}/upload/template.xlsx")
    assert response["Content-Type"] == xlsx.XLSX_MIME
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    people, slots, units = book.worksheets
    assert [c.value for c in people[1]] == HEADER
    assert [row[0] for row in slots.iter_rows(min_row=2, values_only=True)] == [
        "07:00",
        "07:30",
        "08:00",
        "08:30",
    ]
    assert GARMENT_CODE in [row[0] for row in units.iter_rows(min_row=2, values_only=True)]


def test_a_template_filled_in_another_language_is_understood(demo, drive, upload):
    with translation.override("fr"):
        header = [str(c.label) for c in bulk.COLUMNS]
    header[0] = header[0].upper()  # people retype headers; case and spacing do not matter
    response = upload(drive, workbook([person(1)], header=header))
    assert response.status_code == 302
    assert Registration.objects.count() == 1


def test_date_and_time_cells_typed_by_excel_are_read(drive, upload):
    rows = [["Công nhân 1", dt.datetime(1990, 1, 1), "f", 988000001, "", dt.time(7, 30)]]
    response = upload(drive, workbook(rows))
    assert response.status_code == 302, _errors(response)
    registration = Registration.objects.get()
    assert registration.donor.date_of_birth == dt.date(1990, 1, 1)
    # Excel drops the leading 0; the number is still read as a Vietnamese mobile.
    assert registration.donor.phone == "+84988000001" and registration.donor.sex == "F"


def test_a_drive_of_several_days_needs_the_date_with_the_time(make_drive, upload):
    first_day = dt.date.today() + dt.timedelta(days=40)
    several = make_drive(
        DriveStatus.CONFIRMED, starts_on=first_day, ends_on=first_day + dt.timedelta(days=1)
    )
    second_day = f"{several.ends_on:%Y-%m-%d} 07:30"
    response = upload(several, workbook([person(1), person(2, second_day)]))
    assert _errors(response) == [(2, "This drive lasts several days: write YYYY-MM-DD HH:MM.")]
