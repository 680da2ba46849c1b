"""The live board: counts by hour for the host behind a revocable link, never personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from bloodline.drives import actions, board
from bloodline.drives.models import BoardLink, DriveStatus


@pytest.fixture
def shared(make_drive, register, present, collect, users):
    """A running drive with three people registered: one collected at 07:40 local time, one
    deferred at 08:10, one not yet arrived; and its board link."""
    drive = make_drive(DriveStatus.RUNNING, expected_units=20)
    zone = drive.time_zone()
    people = [register(drive, slot_index=i // 2).registration for i in range(3)]
    seven = dt.datetime.combine(drive.starts_on, dt.time(7, 20), tzinfo=zone)
    present(drive, people[0], step="done", decision="accept", arrived_at=seven)
    collect(drive, people[0].donor, at=seven + dt.timedelta(minutes=20))
    present(drive, people[1], step="deferred", arrived_at=seven + dt.timedelta(minutes=50))
    link = actions.share_board(by=users["establishment_admin"], drive=drive)
    return {"drive": drive, "link": link, "people": people}


def test_the_board_shows_counts_without_signing_in(shared):
    page = Client().get(f"/drives/board/{shared['link'].token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<dd data-count="registered">3</dd>' in html
    assert '<dd data-count="arrived">2</dd>' in html
    assert '<dd data-count="deferred">1</dd>' in html
    assert "1 of 20 expected units" in html
    assert 'hx-trigger="every 30s"' in html


def test_the_board_counts_arrivals_and_collections_by_local_hour(shared):
    hours = board.hours(shared["drive"])
    assert [(h.starts.hour, h.arrivals, h.collections) for h in hours] == [(7, 1, 1), (8, 1, 0)]
    html = Client().get(f"/drives/board/{shared['link'].token}/").content.decode()
    assert '<td data-hour="07" data-kind="arrivals">1</td>' in html
    assert '<td data-hour="08" data-kind="collections">0</td>' in html


def test_the_board_shows_no_personal_data(shared):
    html = Client().get(f"/drives/board/{shared['link'].token}/").content.decode()
    for registration in shared["people"]:
        donor = registration.donor
        assert donor.full_name not in html
        assert donor.phone not in html
        assert str(donor.uuid) not in html
        assert donor.date_of_birth.isoformat() not in html


def test_htmx_asks_for_the_figures_alone(shared):
    page = Client().get(f"/drives/board/{shared['link'].token}/", HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert "<html" not in html and 'data-count="arrived"' in html


def test_a_revoked_or_unknown_link_answers_404(shared, users):
    token = shared["link"].token
    actions.revoke_board(by=users["establishment_admin"], drive=shared["drive"])
    assert Client().get(f"/drives/board/{token}/").status_code == 404
    assert Client().get("/drives/board/not-a-token/").status_code == 404


def test_sharing_again_after_revoking_makes_a_new_link(shared, users):
    admin, drive = users["establishment_admin"], shared["drive"]
    assert actions.share_board(by=admin, drive=drive) == shared["link"]
    actions.revoke_board(by=admin, drive=drive)
    fresh = actions.share_board(by=admin, drive=drive)
    assert fresh.token != shared["link"].token and len(fresh.token) >= 32
    assert BoardLink.objects.filter(drive=drive, revoked_at__isnull=True).count() == 1


def test_the_drive_page_shows_the_link_to_managers_and_host_organisers(english, shared):
    path = f"/drives/board/{shared['link'].token}/"
    for persona in ("establishment_admin", "unit_organiser"):
        html = english(persona).get(f"/drives/{shared['drive'].uuid}/").content.decode()
        assert path in html
    assert (
        path
        not in english("lab_technician").get(f"/drives/{shared['drive'].uuid}/").content.decode()
    )
    assert path not in Client().get(f"/drives/{shared['drive'].uuid}/").content.decode()


def test_only_managers_share_or_revoke(english, shared):
    client = english("unit_organiser")
    drive = shared["drive"]
    assert client.post(f"/drives/{drive.uuid}/board/revoke/").status_code == 403
    assert board.live_link(drive) is not None


def test_the_manager_shares_and_revokes_from_the_drive_page(english, make_drive):
    drive = make_drive(DriveStatus.CONFIRMED)
    client = english("establishment_admin")
    client.post(f"/drives/{drive.uuid}/board/share/")
    link = board.live_link(drive)
    assert link is not None
    client.post(f"/drives/{drive.uuid}/board/revoke/")
    assert board.live_link(drive) is None
