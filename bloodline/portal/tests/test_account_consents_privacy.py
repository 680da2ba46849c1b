"""Contact consents given and withdrawn by the donor (issue 13 §1, §3) through the registry's
consent actions, and privacy (§7): download everything held (JSON and PDF) and ask for
erasure, each audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from bloodline.audit.models import AuditEvent
from bloodline.donors.models import Consent
from bloodline.portal.account_consents import TEXT_VERSION
from bloodline.portal.account_models import ErasureRequest, SignInAddress
from bloodline.portal.tests.account_fixtures import as_donor

pytestmark = pytest.mark.django_db


def test_a_donor_gives_and_withdraws_a_contact_consent_in_one_tap(make_donor: Any) -> None:
    donor = make_donor()
    client = as_donor(donor)
    assert (
        client.post("/donor/consents/", {"purpose": "contact_sms", "give": "1"}).status_code == 302
    )
    consent = Consent.objects.get(donor=donor, purpose="contact_sms")
    assert consent.in_force and consent.text_version == TEXT_VERSION
    page = client.get("/donor/consents/").content.decode()
    assert 'data-testid="withdraw-contact_sms"' in page
    assert client.post("/donor/consents/", {"purpose": "contact_sms"}).status_code == 302
    consent.refresh_from_db()
    assert not consent.in_force
    events = AuditEvent.objects.filter(object_id=str(donor.uuid))
    actions = set(events.values_list("action", "actor_label"))
    own = donor.account.user.username  # the donor themself, not staff
    assert {("donor.consent.give", own), ("donor.consent.withdraw", own)} <= actions


def test_the_consent_api_gives_and_withdraws(make_donor: Any) -> None:
    donor = make_donor()
    client = as_donor(donor)
    given = client.post(
        "/api/v1/me/consents", {"purpose": "contact_email"}, content_type="application/json"
    )
    assert given.status_code == 200
    assert {c["purpose"]: c["given_at"] for c in given.json()}["contact_email"] is not None
    withdraw = {"purpose": "contact_email"}
    withdrawn = client.post(
        "/api/v1/me/consents/withdraw", withdraw, content_type="application/json"
    )
    assert {c["purpose"]: c["given_at"] for c in withdrawn.json()}["contact_email"] is None
    nothing = client.post("/api/v1/me/consents/withdraw", withdraw, content_type="application/json")
    assert nothing.status_code == 422
    unknown = client.post(
        "/api/v1/me/consents", {"purpose": "research"}, content_type="application/json"
    )
    assert unknown.status_code == 422


def test_a_donor_downloads_everything_held_as_json_and_pdf(make_donor: Any) -> None:
    donor = make_donor()
    client = as_donor(donor)
    data = client.get("/donor/privacy/export.json")
    assert data.status_code == 200 and data.json()["donor"]["uuid"] == str(donor.uuid)
    pdf = client.get("/donor/privacy/export.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client.get("/api/v1/me/export").json()["donor"]["uuid"] == str(donor.uuid)
    exported = AuditEvent.objects.filter(action="donor.exported", object_id=str(donor.uuid))
    assert exported.count() == 3
    assert set(exported.values_list("actor_label", flat=True)) == {donor.account.user.username}


def test_a_donor_asks_for_erasure_and_it_waits_for_staff(make_donor: Any) -> None:
    donor = make_donor()
    client = as_donor(donor)
    assert client.post("/donor/privacy/erasure/").status_code == 302
    request = ErasureRequest.objects.get(donor=donor)
    assert request.status == "pending"
    donor.refresh_from_db()
    assert donor.erased_at is None  # staff decide: erasure cannot be undone
    assert AuditEvent.objects.filter(action="donor.erasure_request").count() == 1
    assert 'data-testid="erasure-pending"' in client.get("/donor/privacy/").content.decode()
    again = client.post("/api/v1/me/erasure-request")
    assert again.status_code == 422
    assert ErasureRequest.objects.count() == 1


def test_staff_answer_an_erasure_request_by_erasing(make_donor: Any, login: Any) -> None:
    donor = make_donor()
    as_donor(donor).post("/donor/privacy/erasure/")
    SignInAddress.objects.create(
        account=donor.account, channel="sms", address="+84912000777", verified_at=timezone.now()
    )
    asked = ErasureRequest.objects.get(donor=donor)
    nurse = login("drive_nurse")
    listing = nurse.get("/donor/staff/erasure-requests/")
    assert listing.status_code == 200 and str(asked.uuid) in listing.content.decode()
    url = f"/donor/staff/erasure-requests/{asked.uuid}/"
    no_reason = nurse.post(url, {"decision": "erase", "reason": ""})
    assert no_reason.status_code == 200
    assert (
        nurse.post(url, {"decision": "erase", "reason": "Donor's own request"}).status_code == 302
    )
    asked.refresh_from_db()
    donor.refresh_from_db()
    assert asked.status == "erased" and asked.decided_at is not None
    assert donor.erased_at is not None
    # The account keeps no address and cannot sign in any more.
    assert not SignInAddress.objects.filter(account__donor=donor).exists()
    assert not donor.account.user.is_active
    assert AuditEvent.objects.filter(action="donor.erasure_request_answered").count() == 1
    again = nurse.post(url, {"decision": "refuse", "reason": "x"})
    assert again.status_code == 200  # refused: answered already (in the nurse's language)
    assert ErasureRequest.objects.get(pk=asked.pk).status == "erased"
    assert AuditEvent.objects.filter(action="donor.erasure_request_answered").count() == 1


def test_a_refusal_keeps_the_details(make_donor: Any, login: Any) -> None:
    donor = make_donor()
    as_donor(donor).post("/donor/privacy/erasure/")
    asked = ErasureRequest.objects.get(donor=donor)
    nurse = login("drive_nurse")
    url = f"/donor/staff/erasure-requests/{asked.uuid}/"
    assert nurse.post(url, {"decision": "refuse", "reason": "Open look-back"}).status_code == 302
    donor.refresh_from_db()
    assert donor.erased_at is None
    assert ErasureRequest.objects.get(pk=asked.pk).status == "refused"
