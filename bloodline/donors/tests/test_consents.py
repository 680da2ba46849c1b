"""Consents are versioned per purpose: a new version ends the one before, nothing is deleted."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bloodline.audit.models import AuditEvent
from bloodline.donors import actions
from bloodline.donors.models import Consent


def test_a_new_version_ends_the_previous_consent_for_the_same_purpose(nurse, make_donor):
    donor = make_donor()
    first = actions.record_consent(by=nurse, donor=donor, purpose="contact_sms", text_version="v1")
    call = actions.record_consent(by=nurse, donor=donor, purpose="contact_call", text_version="v1")
    second = actions.record_consent(by=nurse, donor=donor, purpose="contact_sms", text_version="v2")
    first.refresh_from_db()
    call.refresh_from_db()
    assert first.withdrawn_at is not None and first.superseded_by == second
    assert call.in_force and second.in_force
    assert Consent.objects.filter(donor=donor).count() == 3
    assert AuditEvent.objects.filter(action="donor.consent.give").count() == 3


def test_a_withdrawn_consent_is_kept(nurse, make_donor):
    donor = make_donor()
    consent = actions.record_consent(by=nurse, donor=donor, purpose="research", text_version="r1")
    actions.withdraw_consent(by=nurse, consent=consent, reason="Người hiến yêu cầu")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and Consent.objects.count() == 1
    with pytest.raises(ValidationError):
        actions.withdraw_consent(by=nurse, consent=consent)


def test_a_consent_needs_a_purpose_and_a_text_version(nurse, make_donor):
    donor = make_donor()
    with pytest.raises(ValidationError) as exc:
        actions.record_consent(by=nurse, donor=donor, purpose="marketing", text_version=" ")
    assert set(exc.value.message_dict) == {"purpose", "text_version"}


def test_the_database_allows_one_consent_in_force_per_purpose(nurse, make_donor):
    donor = make_donor()
    consent = actions.record_consent(by=nurse, donor=donor, purpose="donation", text_version="d1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(
            donor=donor, purpose="donation", text_version="d2", given_at=consent.given_at
        )
