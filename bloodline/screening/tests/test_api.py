"""POST /api/v1/eligibility/check: any signed-in person, nothing stored, 422 at the field."""

from __future__ import annotations

import pytest

URL = "/api/v1/eligibility/check"
BASE = {
    "jurisdiction": "VN-TT26-2013",
    "on": "2025-06-15",
    "sex": "F",
    "date_of_birth": "1995-03-01",
    "donation_type": "whole_blood",
}


@pytest.fixture
def donor(client, django_user_model):
    user = django_user_model.objects.create_user(username="self_check", password="x-unused-1")
    client.force_login(user)
    return client


def _post(client, body, **headers):
    return client.post(URL, body, content_type="application/json", **headers)


def test_an_eligible_donor_gets_the_volumes_her_weight_allows(donor):
    response = _post(donor, {**BASE, "weight_kg": 43, "hb_g_l": 130, "systolic": 120})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "outcome": "eligible",
        "allowed_volumes_ml": [250],
        "deferred_until": None,
        "reasons": [],
        "rule_set": "VN-TT26-2013 2013",
    }


def test_a_recent_donation_defers_until_a_date(donor):
    history = [{"date": "2025-05-01", "type": "whole_blood", "volume_ml": 350}]
    body = _post(donor, {**BASE, "history": history}).json()
    assert (body["outcome"], body["deferred_until"]) == ("deferred_temporary", "2025-07-24")
    reason = body["reasons"][0]
    assert reason["code"] == "interval.whole_blood_after_whole_blood"
    assert reason["source"] == "S36" and reason["message"]


def test_a_permanent_deferral(donor):
    body = _post(donor, {**BASE, "answers": {"hiv_positive": True}}).json()
    assert body["outcome"] == "deferred_permanent"
    assert [r["code"] for r in body["reasons"]] == ["deferral.hiv_positive"]
    assert body["allowed_volumes_ml"] == []


def test_an_unknown_answer_goes_to_review(donor):
    body = _post(donor, {**BASE, "jurisdiction": "CN-GB18467-2011", "answers": {"tattoo": None}})
    assert body.json()["outcome"] == "review"


@pytest.mark.parametrize("language", ["vi", "zh-hans", "en"])
def test_messages_follow_the_request_language(donor, language):
    body = _post(donor, {**BASE, "answers": {"tattoo": True}}, HTTP_ACCEPT_LANGUAGE=language).json()
    assert [r["code"] for r in body["reasons"]] == ["deferral.tattoo"]
    assert body["reasons"][0]["message"].strip()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"systolic": 400}, "systolic"),
        ({"weight_kg": 14}, "weight_kg"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"sex": "X"}, "sex"),
        ({"donation_type": "blood"}, "donation_type"),
        ({"on": "not a date"}, "on"),
        ({"hb_g_l": 20}, "hb_g_l"),
        ({"temperature_c": 50}, "temperature_c"),
    ],
)
def test_implausible_input_is_refused_at_the_field(donor, change, field):
    response = _post(donor, {**BASE, **change})
    assert response.status_code == 422
    assert any(e["loc"][-1] == field for e in response.json()["detail"]), response.json()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"jurisdiction": "XX-NOPE"}, "jurisdiction"),
        ({"on": "2010-01-01"}, "jurisdiction"),  # before TT 26/2013 took effect
        ({"date_of_birth": "2025-07-01"}, "date_of_birth"),  # after the check date
        ({"history": [{"date": "2025-07-01", "type": "plasma"}]}, "history"),
    ],
)
def test_inconsistent_input_is_refused_at_the_field(donor, change, field):
    response = _post(donor, {**BASE, **change})
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", field]]


def test_anonymous_callers_must_sign_in(client, db):
    assert _post(client, BASE).status_code == 401
