"""Claiming a donor record (issue 13 §2): identity number + date of birth + a code sent to
the phone ON RECORD; the same answer whether the number exists or not; rate-limited and
audited; a record made at a first booking merges into the claimed one; staff can link an
account at a drive with the code the donor shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from bloodline.audit.models import AuditEvent
from bloodline.donors.models import DonorAccount
from bloodline.donors.tests.conftest import ENCRYPTED_BORN, person  # noqa: F401
from bloodline.portal.tests.account_fixtures import deliver, last_sms_code, signed_up

pytestmark = pytest.mark.django_db
MY_PHONE = "+84 913 555 000"  # the phone the donor signs up with, not the one on record


def claim(client: Client, number: str, born: dt.date) -> Any:
    return client.post("/donor/claim/", {"number": number, "date_of_birth": born.isoformat()})


def test_a_donor_claims_their_record_with_a_code_to_the_phone_on_record(
    gateway: Any,
    person: Any,  # noqa: F811
) -> None:
    donor, number = person
    client = Client()
    signed_up(client, gateway, MY_PHONE)
    answer = claim(client, number.lower(), ENCRYPTED_BORN)  # normalised as documents do
    assert answer.status_code == 302
    code = last_sms_code(gateway)
    assert gateway.delivered[-1]["body"]["to"] == "+84912345678"  # the record's phone
    assert client.post("/donor/claim/code/", {"code": code}).status_code == 302
    account = DonorAccount.objects.get(user__username__startswith="donor-")
    assert account.donor == donor and account.claimed_at is not None
    assert AuditEvent.objects.filter(action="donor_account.claim").count() == 1
    assert client.get("/api/v1/me/record").json()["uuid"] == str(donor.uuid)
    # The record had no language: it takes the one the donor signed up in (their messages).
    donor.refresh_from_db()
    assert account.user.preferred_language
    assert donor.preferred_language == account.user.preferred_language


def _answer_text(answer: Any, client: Client) -> str:
    return client.get(answer["Location"]).content.decode()


def test_someone_elses_record_gets_the_same_answer_as_an_unknown_number(
    gateway: Any,
    person: Any,  # noqa: F811
) -> None:
    donor, number = person
    client = Client()
    signed_up(client, gateway, MY_PHONE)
    sent_before = len(gateway.delivered)
    wrong_birthday = claim(client, number, ENCRYPTED_BORN + dt.timedelta(days=1))
    unknown = claim(client, "079099000001", ENCRYPTED_BORN)
    assert wrong_birthday.status_code == unknown.status_code == 302
    assert wrong_birthday["Location"] == unknown["Location"]
    # No code went anywhere, and the record's history says someone tried.
    deliver()
    assert len(gateway.delivered) == sent_before
    refused = AuditEvent.objects.filter(action="donor.claim_refused")
    assert refused.count() == 1 and refused.get().object_id == str(donor.uuid)
    assert AuditEvent.objects.filter(action="donor_account.claim_attempt").count() == 2
    # No code can open the record.
    for guess in ("000000", "123456"):
        client.post("/donor/claim/code/", {"code": guess})
    assert DonorAccount.objects.get(user__username__startswith="donor-").donor is None


def test_claim_attempts_are_rate_limited(gateway: Any) -> None:
    client = Client()
    signed_up(client, gateway, MY_PHONE)
    for n in range(5):
        assert claim(client, f"07909900000{n}", ENCRYPTED_BORN).status_code == 302
    answer = claim(client, "079099000009", ENCRYPTED_BORN)
    assert answer.status_code == 429
    assert "Too many tries." in answer.content.decode()


def test_the_record_made_at_a_first_booking_merges_into_the_claimed_one(
    gateway: Any,
    person: Any,  # noqa: F811
    make_donor: Any,
) -> None:
    donor, number = person
    client = Client()
    user = signed_up(client, gateway, MY_PHONE)
    provisional = make_donor(full_name="Trần Văn Mới")
    DonorAccount.objects.filter(user=user).update(donor=provisional)
    claim(client, number, ENCRYPTED_BORN)
    assert client.post("/donor/claim/code/", {"code": last_sms_code(gateway)}).status_code == 302
    provisional.refresh_from_db()
    assert provisional.merged_into_id == donor.pk
    merge = AuditEvent.objects.get(action="donor.merge")
    assert merge.actor_label == "system" and merge.reason
    assert DonorAccount.objects.get(user=user).donor == donor


def test_a_nurse_links_the_account_with_the_code_the_donor_shows(
    gateway: Any,
    person: Any,  # noqa: F811
    login: Any,
    make_donor: Any,
) -> None:
    donor, _number = person
    client = Client()
    user = signed_up(client, gateway, MY_PHONE)
    shown = client.post("/donor/link-code/").context["code"]
    assert len(shown) == 8
    nurse = login("drive_nurse")
    wrong = nurse.post(f"/donor/staff/link/{donor.uuid}/", {"code": "00000000"})
    assert wrong.status_code == 200 and DonorAccount.objects.get(user=user).donor is None
    answer = nurse.post(f"/donor/staff/link/{donor.uuid}/", {"code": shown})
    assert answer.status_code == 302
    account = DonorAccount.objects.get(user=user)
    assert account.donor == donor and account.claimed_at is not None
    event = AuditEvent.objects.get(action="donor_account.claim")
    assert event.actor_label == "drive_nurse"
    # The code works once.
    other = make_donor()
    again = nurse.post(f"/donor/staff/link/{other.uuid}/", {"code": shown})
    assert again.status_code == 200
