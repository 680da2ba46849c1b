"""The check API refuses the issue's bad inputs at the field and quotes questions, not codes."""

from __future__ import annotations

import json

import pytest

BODY = {
    "jurisdiction": "VN-TT26-2013",
    "on": "2026-11-21",
    "sex": "F",
    "date_of_birth": "1995-02-10",
    "donation_type": "whole_blood",
    "weight_kg": 55,
}


def check(client, language="en", **changes):
    return client.post(
        "/api/v1/eligibility/check",
        json.dumps({**BODY, **changes}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"systolic": 400}, "systolic"),
        ({"weight_kg": 15}, "weight_kg"),
        ({"date_of_birth": "2030-01-01"}, "date_of_birth"),
    ],
)
def test_bad_input_is_refused_at_the_field(demo, login, changes, field):
    response = check(login("donor"), **changes)
    assert response.status_code == 422
    assert field in {e["loc"][-1] for e in response.json()["detail"]}


def test_a_deferral_quotes_the_question_in_the_readers_language(demo, login):
    client = login("donor")
    english = check(client, answers={"tattoo": True}).json()
    reason = next(r for r in english["reasons"] if r["code"] == "deferral.tattoo")
    assert "tattoo" in reason["message"] and "“tattoo”" not in reason["message"]
    vietnamese = check(client, language="vi", answers={"tattoo": True}).json()
    reason_vi = next(r for r in vietnamese["reasons"] if r["code"] == "deferral.tattoo")
    assert reason_vi["message"] != reason["message"]
