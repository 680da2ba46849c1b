"""Each persona reaches exactly the drives of its part of the tree, in pages and API alike.

A drive outside what the person can see answers 404; one they can see but not change, 403.
A public (confirmed) drive is visible to everyone, so changing it from outside answers 403.
"""

from __future__ import annotations

import pytest

from bloodline.drives.models import DriveStatus

# persona: (sees the proposed drive, may manage it, may register people)
PERSONAS = {
    "establishment_admin": (True, True, False),
    "unit_organiser": (True, False, True),
    "district_committee": (True, False, True),
    "province_committee": (True, False, True),
    "drive_nurse": (True, False, False),
    "donor": (True, False, False),
    "hospital_user": (False, False, False),
    "cn_committee": (False, False, True),
    "cn_establishment_admin": (False, False, False),
}


def _status(visible, allowed, ok):
    if not visible:
        return 404
    return ok if allowed else 403


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_a_proposed_drive_is_reached_exactly_by_its_part_of_the_tree(
    make_drive, register, login, persona
):
    drive = make_drive()
    register(drive)
    sees, manages, registers = PERSONAS[persona]
    client = login(persona)
    base = f"/drives/{drive.uuid}"
    got = {
        "page": client.get(f"{base}/").status_code,
        "edit": client.get(f"{base}/edit/").status_code,
        "status": client.post(f"{base}/status/", {"status": "confirmed"}).status_code,
        "register": client.get(f"{base}/register/").status_code,
        "api get": client.get(f"/api/v1/drives/{drive.uuid}").status_code,
        "api patch": client.patch(
            f"/api/v1/drives/{drive.uuid}",
            {"version": 0},  # refused by the version check if it gets that far
            content_type="application/json",
        ).status_code,
        "api registrations": client.get(f"/api/v1/drives/{drive.uuid}/registrations").status_code,
    }
    want = {
        "page": _status(sees, True, 200),
        "edit": _status(sees, manages, 200),
        "status": _status(sees, manages, 302),
        "register": _status(sees, registers, 200),
        "api get": _status(sees, True, 200),
        "api patch": _status(sees, manages, 409),
        "api registrations": _status(sees, manages or registers, 200),
    }
    assert got == want


@pytest.mark.parametrize("persona", ["cn_committee", "hospital_user", "drive_nurse"])
def test_a_confirmed_drive_is_public_but_only_its_establishment_changes_it(
    make_drive, login, persona
):
    drive = make_drive(DriveStatus.CONFIRMED)
    client = login(persona)
    assert client.get(f"/drives/{drive.uuid}/").status_code == 200
    assert client.get(f"/drives/{drive.uuid}/edit/").status_code == 403
    assert client.post(f"/drives/{drive.uuid}/status/", {"status": "running"}).status_code == 403
    response = client.post(
        f"/api/v1/drives/{drive.uuid}/status",
        {"status": "running"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_anonymous_visitors_reach_public_drives_only(client, make_drive):
    proposed, confirmed = make_drive(), make_drive(DriveStatus.CONFIRMED)
    assert client.get(f"/drives/{proposed.uuid}/").status_code == 404
    assert client.get(f"/drives/{confirmed.uuid}/").status_code == 200
    assert client.get(f"/drives/{confirmed.uuid}/register/").status_code == 302  # sign in
    assert client.get(f"/api/v1/drives/{confirmed.uuid}").status_code == 401


def test_organisers_see_only_the_registrations_they_credited(demo, make_drive, register, login):
    drive = make_drive()
    register(drive, by="unit_organiser")
    register(drive, by="district_committee", unit=demo.nodes["vn_dong_c1"])
    listed = {
        persona: {
            r["mobilised_by"]
            for r in login(persona)
            .get(f"/api/v1/drives/{drive.uuid}/registrations")
            .json()["items"]
        }
        for persona in ("unit_organiser", "district_committee", "establishment_admin")
    }
    garment, commune = str(demo.nodes["vn_garment"].uuid), str(demo.nodes["vn_dong_c1"].uuid)
    assert listed == {
        "unit_organiser": {garment},
        "district_committee": {garment, commune},
        "establishment_admin": {garment, commune},
    }


def test_a_registration_outside_the_organisers_credit_cannot_be_cancelled(
    demo, make_drive, register, login
):
    drive = make_drive()
    other = register(drive, by="district_committee", unit=demo.nodes["vn_dong_c1"]).registration
    url = f"/drives/{drive.uuid}/registrations/{other.uuid}/cancel/"
    assert login("unit_organiser").post(url).status_code == 404
    other.refresh_from_db()
    assert other.cancelled_at is None


def test_requests_are_seen_by_the_unit_and_the_establishment_only(demo, login, users):
    from bloodline.drives import actions
    from bloodline.drives.tests.conftest import in_days

    request = actions.request_drive(
        by=users["unit_organiser"],
        requested_by=demo.nodes["vn_garment"],
        establishment=demo.nodes["vn_centre"],
        options=[in_days(15)],
        expected_donors=50,
        venue="Xưởng 2",
    )
    url = f"/drives/requests/{request.uuid}/"
    assert login("unit_organiser").get(url).status_code == 200
    assert login("establishment_admin").get(url).status_code == 200
    assert login("cn_committee").get(url).status_code == 404
    assert login("drive_nurse").post(f"{url}decline/", {"reason": "x"}).status_code == 403
    assert login("unit_organiser").post(f"{url}decline/", {"reason": "x"}).status_code == 403
    api = login("cn_committee").get(f"/api/v1/drives/requests/{request.uuid}")
    assert api.status_code == 404
