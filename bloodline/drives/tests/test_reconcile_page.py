"""The reconciliation page: figures and lists for the drive's managers, and its buttons."""

from __future__ import annotations

from bloodline.drives.models import DriveStatus
from bloodline.drives.tests.conftest import typed


def test_the_page_shows_the_figures_and_the_no_shows(english, make_drive, register, present):
    drive = make_drive(DriveStatus.RUNNING)
    came = register(drive).registration
    missing = register(drive).registration
    present(drive, came, step="vitals")
    page = english("establishment_admin").get(f"/drives/{drive.uuid}/reconcile/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<td data-figure="registered">2</td>' in html
    assert '<td data-figure="arrived">1</td>' in html
    assert missing.donor.full_name in html
    assert "1 person still in the day's flow" in html


def test_closing_from_the_page_is_refused_while_someone_is_in_the_flow(
    english, make_drive, register, present
):
    drive = make_drive(DriveStatus.RUNNING)
    open_one = present(drive, register(drive).registration, step="vitals")
    client = english("establishment_admin")
    url = f"/drives/{drive.uuid}/reconcile/"
    page = client.post(url + "status/", {"status": "closed"}, follow=True)
    assert "still in the day" in page.content.decode()
    client.post(url + f"left/{open_one.uuid}/", {"reason": "Felt unwell, went home"})
    client.post(url + "status/", {"status": "closed"})
    drive.refresh_from_db()
    assert drive.status == DriveStatus.CLOSED


def test_reconciling_from_the_page_needs_the_no_show_confirmation(english, make_drive, register):
    drive = make_drive(DriveStatus.RUNNING)
    register(drive)
    client = english("establishment_admin")
    url = f"/drives/{drive.uuid}/reconcile/status/"
    client.post(url, {"status": "closed"})
    client.post(url, {"status": "reconciled"})
    drive.refresh_from_db()
    assert drive.status == DriveStatus.CLOSED
    client.post(url, {"status": "reconciled", "confirm_no_shows": "on"})
    drive.refresh_from_db()
    assert drive.status == DriveStatus.RECONCILED


def test_voiding_from_the_page(english, make_drive, printed):
    drive = make_drive(DriveStatus.RUNNING)
    printed(drive, 120, 125)
    client = english("establishment_admin")
    client.post(
        f"/drives/{drive.uuid}/reconcile/void/",
        {"din": typed("A999926000123"), "reason": "Spoiled"},
    )
    page = client.get(f"/drives/{drive.uuid}/reconcile/")
    assert "A999926000123 — Spoiled" in page.content.decode()


def test_only_managers_reach_the_page(english, make_drive):
    drive = make_drive(DriveStatus.RUNNING)
    assert english("unit_organiser").get(f"/drives/{drive.uuid}/reconcile/").status_code == 403
    assert english("drive_nurse").get(f"/drives/{drive.uuid}/reconcile/").status_code == 403
    outsider = english("cn_establishment_admin")
    planned = make_drive(DriveStatus.PROPOSED)
    assert outsider.get(f"/drives/{planned.uuid}/reconcile/").status_code == 404


def test_a_drive_that_has_not_started_has_no_reconciliation(english, make_drive):
    drive = make_drive(DriveStatus.CONFIRMED)
    page = english("establishment_admin").get(f"/drives/{drive.uuid}/reconcile/")
    assert page.status_code == 404


def test_the_drive_page_links_to_the_reconciliation(english, make_drive):
    drive = make_drive(DriveStatus.RUNNING)
    page = english("establishment_admin").get(f"/drives/{drive.uuid}/")
    assert f"/drives/{drive.uuid}/reconcile/" in page.content.decode()
