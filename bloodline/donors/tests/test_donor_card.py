"""The digital donor card (decision 0054): a signed, expiring token with no personal data,
revoked by a reissue; the staff page that shows and reissues it and its PDF."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from bloodline.audit.models import AuditEvent
from bloodline.donors import actions, card
from bloodline.donors.models import DocumentKind, Donor
from bloodline.donors.tests.conftest import vn_number

pytestmark = pytest.mark.django_db
BORN = dt.date(1991, 8, 9)


@pytest.fixture
def holder(nurse: Any) -> Donor:
    donor = actions.create_donor(
        by=nurse,
        full_name="Đặng Thị Thẻ",
        date_of_birth=BORN,
        sex="F",
        phone="0987 654 321",
        region="VN",
        preferred_language="vi",
        confirmed_distinct=True,
    )
    actions.add_identity_document(
        by=nurse,
        donor=donor,
        kind=DocumentKind.VN_CITIZEN_IDENTITY_CARD,
        number=vn_number(BORN, "F", tail="135791"),
    )
    return donor


def test_a_card_opens_its_holder_round_trip(holder, nurse):
    token = card.issue_card(holder, by=nurse)
    assert card.looks_like_card(token) and len(token) <= 100  # fits the scan field
    assert card.donor_from_card(token) == holder
    assert card.donor_from_card(f"  {token}\n") == holder  # as a scanner may send it
    assert card.donor_from_card("Đặng Thị Thẻ") is None  # not a card: other lookups apply


def test_the_qr_payload_holds_no_personal_data(holder, nurse):
    token = card.issue_card(holder, by=nurse)
    value = token.split(":")[0]  # what is signed, before timestamp and signature
    prefix, short, generation = value.split(".")
    assert prefix == "DC1" and generation == "1"
    assert base64.urlsafe_b64decode(short + "==") == holder.uuid.bytes
    number = vn_number(BORN, "F", tail="135791")
    for personal in ("Đặng", "Thẻ", "Dang", "0987654321", "987654321", number, "1991", "0809"):
        assert personal not in token
    assert card.card_qr(token).startswith("<svg")


def test_an_expired_card_is_refused_with_its_reason(holder, nurse, settings):
    token = card.issue_card(holder, by=nurse)
    settings.DONOR_CARD_MAX_AGE_DAYS = 0
    with pytest.raises(card.InvalidCard) as refused:
        card.donor_from_card(token)
    assert refused.value.reason == "expired" and "expired" in refused.value.message


def test_a_card_printed_a_year_and_a_day_ago_has_expired(holder, nurse, monkeypatch):
    card.issue_card(holder, by=nurse)
    past = timezone.now() - dt.timedelta(days=366)
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(past.timestamp()))
    )
    old = card.card_token(holder)
    monkeypatch.undo()
    with pytest.raises(card.InvalidCard) as refused:
        card.donor_from_card(old)
    assert refused.value.reason == "expired"


def test_a_reissue_revokes_the_old_card(holder, nurse):
    old = card.issue_card(holder, by=nurse)
    new = card.issue_card(holder, by=nurse)
    assert card.donor_from_card(new) == holder
    with pytest.raises(card.InvalidCard) as refused:
        card.donor_from_card(old)
    assert refused.value.reason == "revoked" and "replaced" in refused.value.message
    events = AuditEvent.objects.filter(action=card.ISSUED, object_id=str(holder.uuid))
    assert [e.changes["card_generation"] for e in events.order_by("pk")] == [[0, 1], [1, 2]]
    assert all(holder.full_name not in str(e.changes) for e in events)


def test_a_forged_or_altered_card_is_refused(holder, nurse):
    token = card.issue_card(holder, by=nurse)
    value, stamp, signature = token.split(":")
    other = uuid.uuid4()  # another donor's public id
    short = base64.urlsafe_b64encode(other.bytes).decode().rstrip("=")
    forgeries = [
        f"DC1.{short}.1:{stamp}:{signature}",  # another donor's id, same signature
        f"{value}:{stamp}:{signature[:-2]}xx",  # a damaged signature
        signing.TimestampSigner(salt="something.else").sign(value),  # another salt
        "DC1.garbage",
    ]
    for forged in forgeries:
        with pytest.raises(card.InvalidCard) as refused:
            card.donor_from_card(forged)
        assert refused.value.reason == "forged", forged
        assert "not genuine" in refused.value.message


def test_only_those_who_manage_the_donor_issue_cards(holder, users):
    with pytest.raises(PermissionDenied):
        card.issue_card(holder, by=users["lab_technician"])
    assert Donor.objects.get(pk=holder.pk).card_generation == 0


def test_the_card_page_issues_shows_and_prints_the_card(holder, login):
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"
    page = client.get(f"/donors/{holder.uuid}/card/")
    assert page.status_code == 200 and "No card was issued" in page.content.decode()
    assert client.get(f"/donors/{holder.uuid}/card/pdf").status_code == 404
    issued = client.post(f"/donors/{holder.uuid}/card/", follow=True).content.decode()
    assert "A new donor card was issued" in issued and "<svg" in issued
    assert "Đặng Thị Thẻ" in issued and "Not confirmed yet" in issued  # declared group not shown
    pdf = client.get(f"/donors/{holder.uuid}/card/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = _pdf_text(pdf.content)
    assert "Thẻ người hiến máu" in text  # the donor's language: Vietnamese
    assert str(holder.uuid) in text.replace("\n", "")


def test_the_card_shows_a_blood_group_only_once_confirmed(holder, login):
    Donor.objects.filter(pk=holder.pk).update(
        abo_declared="A",
        rhd_declared="pos",
        abo_confirmed="O",
        rhd_confirmed="neg",
        confirmed_at=timezone.now(),
    )
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"
    page = client.post(f"/donors/{holder.uuid}/card/", follow=True).content.decode()
    assert "O RhD-negative" in page and "A RhD-positive" not in page


def _pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
