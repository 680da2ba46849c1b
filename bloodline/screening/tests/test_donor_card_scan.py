"""A station scans the digital donor card (decision 0054): check-in opens the donor at once,
the lookup API answers their card; an expired, replaced or forged card is explained."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bloodline.audit.models import AuditEvent
from bloodline.donors import actions as donor_actions
from bloodline.donors import card
from bloodline.donors.models import Donor
from bloodline.drives.models import Drive
from bloodline.screening import actions
from bloodline.screening.models import Presentation

pytestmark = pytest.mark.django_db
URL = "/api/v1/donors/lookup"


@pytest.fixture
def holder(nurse: Any) -> Donor:
    return donor_actions.create_donor(
        by=nurse,
        full_name="Mai Thị Quét",
        date_of_birth=dt.date(1993, 4, 5),
        sex="F",
        region="VN",
        confirmed_distinct=True,
    )


def station(drive: Drive) -> str:
    return reverse("stations:station", args=[drive.uuid, "checkin"])


def test_scanning_a_card_at_check_in_checks_the_donor_in(drive, holder, nurse):
    token = card.issue_card(holder, by=nurse)
    result = actions.check_in(by=nurse, drive=drive, scan=token)
    assert result.presentation.donor == holder


def test_the_check_in_page_opens_the_donor_by_card(drive, holder, nurse, english):
    token = card.issue_card(holder, by=nurse)
    client = english("drive_nurse")
    found = client.post(station(drive), {"scan": token, "search": "1"}).content.decode()
    assert "Mai Thị Quét" in found and f'href="?d={holder.uuid}"' in found
    assert not Presentation.objects.exists()  # searching checks nobody in
    checked = client.post(station(drive), {"scan": token})
    assert checked.status_code == 302
    assert Presentation.objects.get(drive=drive).donor == holder


def test_a_revoked_expired_or_forged_card_is_explained_at_check_in(
    drive, holder, nurse, english, settings
):
    old = card.issue_card(holder, by=nurse)
    card.issue_card(holder, by=nurse)
    client = english("drive_nurse")
    for data in ({"scan": old}, {"scan": old, "search": "1"}):
        answer = client.post(station(drive), data).content.decode()
        assert "replaced by a newer one" in answer
    forged = old[:-4] + "abcd"
    answer = client.post(station(drive), {"scan": forged}).content.decode()
    assert "not genuine" in answer
    settings.DONOR_CARD_MAX_AGE_DAYS = 0
    answer = client.post(station(drive), {"scan": card.card_token(holder)}).content.decode()
    assert "has expired" in answer
    assert not Presentation.objects.exists()


def test_the_lookup_api_answers_a_card_in_one_indexed_query(holder, nurse, english, demo):
    token = card.issue_card(holder, by=nurse)
    client = english("drive_nurse")
    with CaptureQueriesContext(connection) as queries:
        found = client.get(URL, {"card": token})
    assert found.status_code == 200, found.content
    assert [c["uuid"] for c in found.json()] == [str(holder.uuid)]
    donor_reads = [q["sql"] for q in queries if 'FROM "donors_donor"' in q["sql"]]
    assert any('"donors_donor"."uuid" =' in sql for sql in donor_reads)
    event = AuditEvent.objects.filter(action="donor.read", object_id=str(holder.uuid)).last()
    assert event.changes["read"] == [None, "lookup_api"]


def test_the_lookup_api_refuses_a_bad_card_with_its_reason(holder, nurse, english):
    old = card.issue_card(holder, by=nurse)
    card.issue_card(holder, by=nurse)
    client = english("drive_nurse")
    replaced = client.get(URL, {"card": old})
    assert replaced.status_code == 422
    [error] = replaced.json()["detail"]
    assert error["loc"][-1] == "card" and "replaced by a newer one" in error["msg"]
    forged = client.get(URL, {"card": "DC1.AAAAAAAAAAAAAAAAAAAAAA.1:abc:def"})
    assert forged.status_code == 422 and "not genuine" in forged.content.decode()
    assert client.get(URL, {"card": "hello"}).status_code == 422
    both = client.get(URL, {"card": old, "phone": "0911222333"})
    assert both.status_code == 422


def test_a_card_from_another_registry_finds_nobody(holder, nurse, login):
    token = card.issue_card(holder, by=nurse)
    foreign = login("cn_establishment_admin")
    foreign.cookies["django_language"] = "en"
    answer = foreign.get(URL, {"card": token})
    assert answer.status_code == 422
    assert "Nobody in the registries you work with" in answer.content.decode()
    assert "Mai Thị Quét" not in answer.content.decode()
