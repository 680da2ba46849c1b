"""Signing in and claiming through /api/v1/me/… (issue 13 API): what an app would call, with
the same codes, limits and answers as the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from bloodline.donors.models import DonorAccount
from bloodline.donors.tests.conftest import ENCRYPTED_BORN, person  # noqa: F401
from bloodline.portal.tests.account_fixtures import last_sms_code

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/me/{url}", body, content_type="application/json")


def test_an_app_signs_up_and_claims_through_the_api(
    gateway: Any,
    person: Any,  # noqa: F811
) -> None:
    donor, number = person
    client = Client()
    sent = post(client, "sign-in/code", {"address": "+84 913 555 001"})
    assert sent.status_code == 202
    code_id = sent.json()["code_id"]
    signed = post(client, "sign-in", {"code_id": code_id, "code": last_sms_code(gateway)})
    assert signed.status_code == 200 and signed.json()["claimed"] is False
    asked = post(client, "claim", {"number": number, "date_of_birth": str(ENCRYPTED_BORN)})
    assert asked.status_code == 202
    claim_id = asked.json()["code_id"]
    done = post(client, "claim/code", {"code_id": claim_id, "code": last_sms_code(gateway)})
    assert done.status_code == 200 and done.json()["claimed"] is True
    assert DonorAccount.objects.get(claimed_at__isnull=False).donor == donor
    assert client.get("/api/v1/me/record").json()["uuid"] == str(donor.uuid)


def test_a_wrong_code_answers_422_with_a_translated_message(gateway: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    code_id = post(client, "sign-in/code", {"address": "+84 913 555 002"}).json()["code_id"]
    code = last_sms_code(gateway)
    wrong = "000000" if code != "000000" else "111111"
    answer = post(client, "sign-in", {"code_id": code_id, "code": wrong})
    assert answer.status_code == 422
    assert "验证码不正确" in answer.json()["detail"][0]["msg"]


def test_the_api_rate_limit_answers_429(gateway: Any) -> None:
    client = Client()
    for _i in range(5):
        assert post(client, "sign-in/code", {"address": "+84 913 555 003"}).status_code == 202
    answer = post(client, "sign-in/code", {"address": "+84 913 555 003"})
    assert answer.status_code == 429
