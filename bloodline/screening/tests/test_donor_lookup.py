"""GET /api/v1/donors/lookup: a station finds a donor by one number and gets the card it
needs, with today's eligibility from the engine (decision 0041)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bloodline.audit.models import AuditEvent
from bloodline.collection.models import Donation
from bloodline.demo.factories import collection as factories
from bloodline.donors import actions
from bloodline.donors.models import DocumentKind, Donor
from bloodline.donors.tests.conftest import vn_number
from bloodline.lib.isbt128 import check_character, type3_flag
from bloodline.screening.models import Deferral

URL = "/api/v1/donors/lookup"
BORN = dt.date(1990, 5, 17)
HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def nurse(users: dict[str, Any]) -> Any:
    return users["drive_nurse"]


@pytest.fixture
def person(nurse: Any) -> Donor:
    """A generated Vietnamese donor with a citizen identity card and a mobile phone."""
    donor = actions.create_donor(
        by=nurse,
        full_name="Lương Thị Tra Cứu",
        date_of_birth=BORN,
        sex="F",
        phone="0911 222 333",
        region="VN",
        abo_declared="B",
        rhd_declared="pos",
        confirmed_distinct=True,
    )
    actions.add_identity_document(
        by=nurse,
        donor=donor,
        kind=DocumentKind.VN_CITIZEN_IDENTITY_CARD,
        number=vn_number(BORN, "F", tail="246802"),
    )
    return donor


def _give(donor: Donor, demo: Any, days_ago: int, centre: str = "vn_centre") -> Donation:
    at = timezone.now() - dt.timedelta(days=days_ago)
    place = demo.nodes[centre]
    return factories.donations([donor], credited_to=place, establishment=place, at=at)[0]


@pytest.fixture
def api(english: Any, demo: Any) -> Any:
    return english("drive_nurse")


def test_the_lookup_is_in_the_schema_with_its_card(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/donors/lookup"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"identity_number", "phone", "din", "card"}
    card = schema["components"]["schemas"]["DonorCardOut"]["properties"]
    assert {"full_name", "abo", "rhd", "last_donations", "active_deferrals", "eligibility"} <= set(
        card
    )


def test_a_donor_is_found_by_identity_number_as_typed(api, person):
    number = vn_number(BORN, "F", tail="246802")
    spaced = f" {number[:4]} {number[4:8]} {number[8:]} "
    found = api.get(URL, {"identity_number": spaced})
    assert found.status_code == 200, found.content
    [card] = found.json()
    assert card["uuid"] == str(person.uuid)
    assert card["full_name"] == "Lương Thị Tra Cứu"
    assert (card["abo"], card["rhd"], card["blood_group_confirmed"]) == ("B", "pos", False)
    assert card["blood_group"] == "B RhD-positive"
    # Never given, no deferral: she may give today.
    today = timezone.localtime(timezone.now(), HANOI).date()
    assert card["eligibility"]["outcome"] == "eligible"
    assert card["eligibility"]["next_eligible_on"] == today.isoformat()
    assert card["eligibility"]["rule_set"].startswith("VN-TT26-2013")


def test_a_donor_is_found_by_phone_in_national_or_international_form(api, person):
    for written in ("0911222333", "+84 911 222 333", "0084911222333"):
        found = api.get(URL, {"phone": written})
        assert found.status_code == 200, (written, found.content)
        assert [c["uuid"] for c in found.json()] == [str(person.uuid)]


def test_a_shared_phone_answers_with_each_holder(api, person, nurse):
    sister = actions.create_donor(
        by=nurse,
        full_name="Lương Thị Em",
        date_of_birth=dt.date(1994, 2, 3),
        sex="F",
        phone="+84911222333",
        region="VN",
        confirmed_distinct=True,
    )
    found = api.get(URL, {"phone": "0911 222 333"}).json()
    assert {c["uuid"] for c in found} == {str(person.uuid), str(sister.uuid)}


def test_a_donor_is_found_by_din_bare_with_check_character_or_scanned(api, person, demo):
    din = _give(person, demo, days_ago=21).din
    for written in (din, din + check_character(din), f"={din}{type3_flag(din)}", din + "00"):
        found = api.get(URL, {"din": written})
        assert found.status_code == 200, (written, found.content)
        assert [c["uuid"] for c in found.json()] == [str(person.uuid)]


def test_the_card_gives_the_next_eligible_date_after_the_last_donation(api, person, demo):
    given = _give(person, demo, days_ago=21)
    card = api.get(URL, {"din": given.din}).json()[0]
    on = timezone.localtime(given.collected_at, HANOI).date()
    # Whole blood after whole blood: 12 weeks in Viet Nam [S36].
    assert card["eligibility"]["outcome"] == "deferred_temporary"
    assert card["eligibility"]["next_eligible_on"] == (on + dt.timedelta(weeks=12)).isoformat()
    assert [r["code"] for r in card["eligibility"]["reasons"]] == [
        "interval.whole_blood_after_whole_blood"
    ]
    [last] = card["last_donations"]
    assert (last["din"], last["donation_type"], last["volume_ml"]) == (
        given.din,
        "whole_blood",
        350,
    )
    assert last["donation_type_label"] == "whole blood"


def test_the_card_lists_deferrals_in_force_and_a_permanent_one_has_no_next_date(api, person, nurse):
    today = timezone.localdate()
    Deferral.objects.create(
        donor=person,
        code="hb.low",
        reason="",
        starts_on=today - dt.timedelta(days=400),
        until=today - dt.timedelta(days=30),
    )
    Deferral.objects.create(
        donor=person, code="hiv", reason="", starts_on=today, permanent=True, created_by=nurse
    )
    card = api.get(URL, {"phone": "0911222333"}).json()[0]
    assert [(d["code"], d["permanent"], d["until"]) for d in card["active_deferrals"]] == [
        ("hiv", True, None)
    ]
    assert card["eligibility"]["outcome"] == "deferred_permanent"
    assert card["eligibility"]["next_eligible_on"] is None


def test_a_donor_without_sex_or_birth_date_is_not_judged(api, nurse):
    donor = actions.create_donor(
        by=nurse, full_name="Vô Danh Thử", date_of_birth=None, phone="0922 333 444", region="VN"
    )
    card = api.get(URL, {"phone": "0922333444"}).json()[0]
    assert card["uuid"] == str(donor.uuid)
    assert card["eligibility"] == {
        "outcome": "unknown",
        "next_eligible_on": None,
        "donation_type": "whole_blood",
        "rule_set": "",
        "reasons": [],
    }


def test_nobody_found_and_out_of_scope_give_the_same_404(api, english, users, person, demo):
    chinese = actions.create_donor(
        by=users["cn_establishment_admin"],
        full_name="王试查",
        date_of_birth=BORN,
        sex="M",
        region="CN",
        confirmed_distinct=True,
    )
    din = _give(chinese, demo, days_ago=5, centre="cn_centre").din
    hidden = api.get(URL, {"din": din})
    missing = api.get(URL, {"identity_number": "001099000000"})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Not found."}
    # The Chinese centre reaches its own registry: the donor is there, under Chinese rules.
    card = english("cn_establishment_admin").get(URL, {"din": din}).json()[0]
    assert card["uuid"] == str(chinese.uuid)
    assert card["eligibility"]["rule_set"].startswith("CN-GB18467-2011")


def test_merged_and_erased_donors_are_not_found(api, person, nurse):
    twin = actions.create_donor(
        by=nurse,
        full_name="Lương Thị Tra Cứu",
        date_of_birth=BORN,
        sex="F",
        phone="0933 444 555",
        region="VN",
        confirmed_distinct=True,
    )
    actions.merge_donors(by=nurse, keep=person, duplicate=twin, reason="Cùng một người")
    assert api.get(URL, {"phone": "0933444555"}).status_code == 404
    Donor.objects.filter(pk=person.pk).update(erased_at=timezone.now())
    assert api.get(URL, {"phone": "0911222333"}).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "identity_number"),
        ({"identity_number": "  "}, "identity_number"),
        ({"identity_number": "001", "phone": "0911222333"}, "phone"),
        ({"identity_number": "ABC$%"}, "identity_number"),
        ({"phone": "12"}, "phone"),
        ({"din": "W000126"}, "din"),
        ({"din": "G999926000001X"}, "din"),
        ({"din": "x" * 21}, "din"),
    ],
)
def test_bad_input_is_a_translated_422_at_its_parameter(api, person, query, field):
    refused = api.get(URL, query)
    assert refused.status_code == 422, refused.content
    assert field in {str(loc) for item in refused.json()["detail"] for loc in item["loc"]}


LANGUAGES = {
    "vi": "Chỉ",
    "zh-hans": "一",
    "zh-hant": "一",
    "en": "exactly one",
    "fr": "exactement",
    "es": "exactamente",
}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_refusal_is_worded_in_six_languages(login, demo, language):
    client = login("drive_nurse")
    client.cookies["django_language"] = language
    refused = client.get(URL, {"identity_number": "1", "din": "2"})
    assert refused.status_code == 422
    assert LANGUAGES[language] in refused.json()["detail"][0]["msg"]


def test_every_card_is_a_logged_read_and_a_miss_a_logged_search(api, person, nurse):
    before = AuditEvent.objects.count()
    api.get(URL, {"phone": "0911222333"})
    read = AuditEvent.objects.order_by("-pk").first()
    assert read.action == "donor.read" and read.changes["read"] == [None, "lookup_api"]
    api.get(URL, {"phone": "0999999999"})
    miss = AuditEvent.objects.order_by("-pk").first()
    assert miss.action == "donor.search" and miss.changes["results"] == [None, 0]
    assert AuditEvent.objects.count() == before + 2


def _queries(api: Any, query: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.get(URL, query).status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow_with_the_donor_history(api, person, demo):
    _give(person, demo, days_ago=400)
    _queries(api, {"phone": "0911222333"})  # the session settles on the first request
    short = _queries(api, {"phone": "0911222333"})
    for years in range(2, 10):
        _give(person, demo, days_ago=400 * years)
    Deferral.objects.create(
        donor=person, code="travel", reason="", starts_on=timezone.localdate(), until=None
    )
    assert _queries(api, {"phone": "0911222333"}) == short
    # Session, person and grants with the country a phone is read in (3), donors (1), the
    # card (2), the read's audit event (6 here: its savepoint (2), lock the chain head, the
    # next id, insert, move the head; on PostgreSQL the next id comes with the lock —
    # decision 0046).
    assert short <= 12, short
