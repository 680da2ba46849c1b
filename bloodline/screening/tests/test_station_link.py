"""Staff who run stations find them from the drive's page while it is running."""

from __future__ import annotations

from bloodline.drives.models import DriveStatus


def test_a_nurse_opens_the_stations_from_a_running_drive(make_drive, login):
    drive = make_drive(DriveStatus.RUNNING)
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"
    page = client.get(f"/drives/{drive.uuid}/").content.decode()
    assert f"/stations/{drive.uuid}/checkin/" in page
    organiser = login("unit_organiser").get(f"/drives/{drive.uuid}/").content.decode()
    assert f"/stations/{drive.uuid}/checkin/" not in organiser


def test_no_station_link_before_the_drive_runs(make_drive, login):
    drive = make_drive(DriveStatus.CONFIRMED)
    page = login("drive_nurse").get(f"/drives/{drive.uuid}/").content.decode()
    assert f"/stations/{drive.uuid}/" not in page
