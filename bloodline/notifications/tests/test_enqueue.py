"""enqueue: in the caller's transaction, once per key, only on a channel the donor agreed to,
in the donor's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from bloodline.notifications.models import Message, Status
from bloodline.notifications.outbox import enqueue

BOOKING = {
    "donor_name": "Trần Văn Thử",
    "place": "Nhà văn hoá phường 3",
    "drive_name": "Ngày hội Chủ nhật Đỏ",
    "date": "13/12/2026",
    "time": "08:00",
    "link": "https://example.invalid/b/1",
}

pytestmark = pytest.mark.django_db


def test_it_queues_the_booking_in_the_donors_language_on_a_consented_channel(
    consenting: Any, system: Any
) -> None:
    donor = consenting("contact_sms", preferred_language="vi")
    outcome = enqueue(
        "booking_confirmed", to_donor=donor, context=BOOKING, key="booking:1", by=system
    )
    assert outcome.status == "queued"
    message = Message.objects.get(key="booking:1")
    assert (message.channel, message.language, message.status) == ("sms", "vi", Status.QUEUED)
    assert message.address == donor.phone
    assert "lịch hiến máu của bạn tại Nhà văn hoá phường 3" in message.body
    assert "08:00 ngày 13/12/2026" in message.body


def test_the_same_key_twice_queues_one_message(consenting: Any, system: Any) -> None:
    donor = consenting()
    first = enqueue("thank_you", to_donor=donor, context=BOOKING, key="thanks:7", by=system)
    second = enqueue("thank_you", to_donor=donor, context=BOOKING, key="thanks:7", by=system)
    assert (first.status, second.status) == ("queued", "duplicate")
    assert second.message == first.message
    assert Message.objects.filter(key="thanks:7").count() == 1


def test_a_rolled_back_event_sends_nothing(consenting: Any, system: Any) -> None:
    donor = consenting()
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("booking_cancelled", to_donor=donor, context=BOOKING, key="cancel:1", by=system)
        raise RuntimeError("the booking failed after the message was queued")
    assert not Message.objects.filter(key="cancel:1").exists()


def test_a_donor_without_contact_consent_is_not_messaged(consenting: Any, system: Any) -> None:
    donor = consenting("donation")
    outcome = enqueue("eligible_again", to_donor=donor, context=BOOKING, key="e:1", by=system)
    assert (outcome.status, outcome.queued) == ("no_consent", False)
    assert not Message.objects.exists()


def test_a_withdrawn_consent_stops_messages(consenting: Any, nurse: Any, system: Any) -> None:
    from bloodline.donors.actions import withdraw_consent

    donor = consenting("contact_sms")
    withdraw_consent(by=nurse, consent=donor.consents.get())
    outcome = enqueue("thank_you", to_donor=donor, context=BOOKING, key="t:2", by=system)
    assert outcome.status == "no_consent"


def test_email_needs_an_address_the_donor_gave(consenting: Any, system: Any) -> None:
    donor = consenting("contact_email")
    missing = enqueue("thank_you", to_donor=donor, context=BOOKING, key="m:1", by=system)
    assert missing.status == "no_address"
    given = enqueue(
        "thank_you",
        to_donor=donor,
        address="thu@example.invalid",
        context=BOOKING,
        key="m:2",
        by=system,
    )
    assert given.message is not None and given.message.channel == "email"


def test_it_picks_the_first_consented_channel_in_the_configured_order(
    consenting: Any, system: Any, settings: Any
) -> None:
    settings.NOTIFY_CHANNEL_ORDER = ["zalo", "sms"]
    donor = consenting("contact_sms", "contact_zalo", preferred_language="zh-hans")
    outcome = enqueue("result_ready", to_donor=donor, context=BOOKING, key="r:1", by=system)
    assert outcome.message is not None
    assert (outcome.message.channel, outcome.message.language) == ("zalo", "zh-hans")
    assert outcome.message.body.startswith("Trần Văn Thử您好，您献血的检测结果已出")


def test_a_sign_in_code_goes_to_a_bare_address(system: Any) -> None:
    outcome = enqueue(
        "sign_in_code",
        address="+84901234567",
        channel="sms",
        language="fr",
        context={"code": "482913", "minutes": 10},
        key="code:abc",
        by=system,
    )
    assert outcome.message is not None
    assert outcome.message.body == (
        "Votre code de connexion est 482913. Il est valable 10 minutes. "
        "Ne le communiquez à personne."
    )


def test_the_address_and_text_are_encrypted_at_rest(consenting: Any, system: Any) -> None:
    from django.db import connection

    donor = consenting()
    enqueue("thank_you", to_donor=donor, context=BOOKING, key="enc:1", by=system)
    with connection.cursor() as cursor:
        cursor.execute("SELECT address, body FROM notifications_message")
        address, body = cursor.fetchone()
    assert donor.phone not in address and "Trần" not in body


def test_a_sign_in_code_needs_no_contact_consent(consenting: Any, system: Any) -> None:
    donor = consenting("donation")
    outcome = enqueue(
        "sign_in_code",
        to_donor=donor,
        channel="sms",
        context={"code": "918273", "minutes": 10},
        key="code:d",
        by=system,
    )
    assert outcome.status == "queued"
