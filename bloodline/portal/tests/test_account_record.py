"""The donor's own record (issue 13 §4): the home page and GET /api/v1/me/record show every
donation with its visit's measurements, the count by the certificate's rule, the blood
group once confirmed, deferrals, released results only, and the engine's next eligible
date; only the donor's own data, never another's."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bloodline.accounts.system import system_actor
from bloodline.collection import certificates
from bloodline.portal.account_models import ResultRelease
from bloodline.portal.tests.account_fixtures import as_donor
from bloodline.screening import lookup
from bloodline.screening.models import Deferral

pytestmark = pytest.mark.django_db


@pytest.fixture
def giver(centre: Any, make_donor: Any) -> Any:
    """A donor with two whole-blood donations at the centre, 200 and 20 days ago."""
    donor = make_donor(sex="F", date_of_birth=dt.date(1990, 3, 4))
    now = timezone.now()
    for days in (200, 20):
        centre.donation(donor=donor, at=now - dt.timedelta(days=days))
    return donor


def test_the_home_page_shows_the_donors_donations_and_count(giver: Any) -> None:
    page = as_donor(giver).get("/donor/")
    assert page.status_code == 200
    record = page.context["record"]
    assert len(record.visits) == 2
    latest = record.visits[0].donation
    assert record.donation_count == certificates.donation_count(latest) == 2
    assert 'data-testid="donation-count">2<' in page.content.decode()


def test_the_next_eligible_date_is_the_engines(giver: Any) -> None:
    answer = as_donor(giver).get("/api/v1/me/record")
    assert answer.status_code == 200
    dates = {e["donation_type"]: e for e in answer.json()["next_eligible"]}
    station = lookup.card(system_actor(), giver).eligibility  # the station card's answer
    assert station.next_eligible_on is not None
    assert dates["whole_blood"]["next_eligible_on"] == station.next_eligible_on.isoformat()
    assert dates["whole_blood"]["outcome"] == station.outcome
    assert set(dates) == {"whole_blood", "platelets", "plasma", "double_red_cells"}


def test_the_api_lists_every_donation_with_place_volume_and_type(giver: Any) -> None:
    body = as_donor(giver).get("/api/v1/me/record").json()
    assert body["uuid"] == str(giver.uuid) and body["donation_count"] == 2
    assert [d["volume_ml"] for d in body["donations"]] == [350, 350]
    assert {d["donation_type"] for d in body["donations"]} == {"whole_blood"}
    assert all(d["certificate_url"] for d in body["donations"])


def test_the_blood_group_shows_only_once_confirmed(giver: Any) -> None:
    client = as_donor(giver)
    assert client.get("/api/v1/me/record").json()["blood_group"] == ""
    giver.abo_confirmed, giver.rhd_confirmed, giver.confirmed_at = "O", "pos", timezone.now()
    giver.save()
    assert client.get("/api/v1/me/record").json()["blood_group"] != ""


def test_deferrals_show_their_end_date_and_words(giver: Any) -> None:
    today = timezone.localdate()
    Deferral.objects.create(
        donor=giver,
        code="low_haemoglobin",
        reason="",
        starts_on=today,
        until=today + dt.timedelta(days=30),
    )
    body = as_donor(giver).get("/api/v1/me/record").json()
    (deferral,) = body["deferrals"]
    assert deferral["until"] == (today + dt.timedelta(days=30)).isoformat()
    assert deferral["in_force"] and deferral["reason"] and deferral["reason"] != "low_haemoglobin"


def test_another_donors_certificate_is_hidden(giver: Any, make_donor: Any, centre: Any) -> None:
    other = make_donor()
    theirs = centre.donation(donor=other)
    client = as_donor(giver)
    assert client.get(f"/donor/donations/{theirs.din}/certificate.pdf").status_code == 404
    mine = giver.donations.first()
    answer = client.get(f"/donor/donations/{mine.din}/certificate.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"


def test_the_record_is_only_ever_the_donors_own(giver: Any, make_donor: Any, centre: Any) -> None:
    other = make_donor()
    centre.donation(donor=other)
    body = as_donor(other).get("/api/v1/me/record").json()
    assert body["uuid"] == str(other.uuid) and body["donation_count"] == 1
    assert {d["uuid"] for d in body["donations"]}.isdisjoint(
        {str(d.uuid) for d in giver.donations.all()}
    )


def test_the_donor_sees_their_own_card_qr(giver: Any) -> None:
    page = as_donor(giver).get("/donor/card/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    giver.refresh_from_db()
    assert giver.card_generation == 1


def test_staff_and_strangers_are_kept_out(giver: Any, login: Any) -> None:
    assert Client().get("/donor/").status_code == 302
    assert Client().get("/api/v1/me/record").status_code == 401
    nurse = login("drive_nurse")
    assert nurse.get("/donor/").status_code == 403
    assert nurse.get("/api/v1/me/record").status_code == 403


def test_an_account_without_a_record_is_asked_to_claim(make_donor: Any) -> None:
    donor = make_donor()
    client = as_donor(donor, claimed=False)
    page = client.get("/donor/")
    assert 'data-testid="claim-prompt"' in page.content.decode()


def test_the_record_costs_the_same_queries_whatever_the_history(
    centre: Any, make_donor: Any
) -> None:
    from bloodline.lib.querycount import assert_flat, counted

    donor = make_donor(sex="M", date_of_birth=dt.date(1985, 6, 1))
    client = as_donor(donor)
    start = timezone.now() - dt.timedelta(days=4000)

    def give(count: int, offset: int) -> None:
        for n in range(count):
            centre.donation(donor=donor, at=start + dt.timedelta(days=120 * (offset + n)))

    give(2, 0)
    with counted() as small:
        assert client.get("/api/v1/me/record").status_code == 200
    with counted() as small_page:
        assert client.get("/donor/").status_code == 200
    give(18, 2)
    with counted() as large:
        body = client.get("/api/v1/me/record").json()
    with counted() as large_page:
        assert client.get("/donor/").status_code == 200
    assert len(body["donations"]) == 20
    assert_flat(small, large, sizes=(2, 20))
    assert_flat(small_page, large_page, sizes=(2, 20))


def test_results_that_count_show_once_released(giver: Any, centre: Any) -> None:
    centre.stocked(donor=giver)  # a donation with a passing result file, imported
    client = as_donor(giver)
    hidden = client.get("/api/v1/me/record").json()
    assert all(d["results"] == [] for d in hidden["donations"])
    ResultRelease.objects.create(establishment=centre.centre, to_donors=True)
    body = client.get("/api/v1/me/record").json()
    shown = [d for d in body["donations"] if d["results"]]
    assert len(shown) == 1
    assert {"abo", "rhd"} <= {r["test"] for r in shown[0]["results"]}


def test_each_visit_shows_its_haemoglobin_and_vital_signs(
    giver: Any, nurse: Any, make_drive: Any
) -> None:
    from bloodline.screening.models import Presentation

    donation = giver.donations.order_by("-collected_at").first()
    Presentation.objects.create(
        drive=make_drive(),
        donor=giver,
        arrived_at=donation.collected_at - dt.timedelta(hours=1),
        checked_in_by=nurse,
        hb_g_l=132,
        systolic=118,
        diastolic=76,
        pulse=72,
        donation=donation,
    )
    body = as_donor(giver).get("/api/v1/me/record").json()
    latest, earlier = body["donations"]
    assert latest["vitals"]["hb_g_l"] == 132 and latest["vitals"]["systolic"] == 118
    assert earlier["vitals"] is None
    page = as_donor_page(giver, "vi")
    assert "132 g/L" in page and "118/76 mmHg" in page


def as_donor_page(donor: Any, language: str) -> str:
    from bloodline.donors.models import DonorAccount

    account = DonorAccount.objects.get(donor=donor)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(account.user)
    page = client.get("/donor/")
    assert page.status_code == 200
    return page.content.decode()


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_the_home_page_reads_in_the_donors_language(giver: Any, language: str) -> None:
    as_donor(giver)
    page = as_donor_page(giver, language)
    words = {"vi": "Các lần hiến máu của tôi", "zh-hans": "我的献血记录"}[language]
    assert words in page
