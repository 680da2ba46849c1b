"""The worker against local fake gateways: retried with back-off, never lost, never sent
twice (QUALITY: issue 13 acceptance, "Worker tests")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bloodline.notifications import worker
from bloodline.notifications.models import Message, Status
from bloodline.notifications.outbox import enqueue
from bloodline.notifications.tests.conftest import NOON_HANOI

pytestmark = pytest.mark.django_db

THANKS = {"donor_name": "Lê Thị Mẫu", "place": "Bệnh viện A", "date": "09/12/2026", "link": ""}


def queue(donor: Any, by: Any, key: str = "thanks:1", **kw: Any) -> Message:
    outcome = enqueue("thank_you", to_donor=donor, context=THANKS, key=key, by=by, **kw)
    assert outcome.message is not None
    return outcome.message


def passes_until_settled(now: dt.datetime, limit: int = 12) -> dt.datetime:
    """Run the worker, each time at the message's next due time, until nothing is queued."""
    for _ in range(limit):
        worker.send_due(worker="test", now=now)
        waiting = Message.objects.filter(status=Status.QUEUED).order_by("next_attempt_at").first()
        if waiting is None:
            return now
        now = max(now, waiting.next_attempt_at)
    raise AssertionError("the outbox did not settle")


def test_a_gateway_failing_three_times_then_succeeding_sends_exactly_once(
    gateway: Any, consenting: Any, system: Any, settings: Any
) -> None:
    settings.NOTIFY_BACKOFF_SECONDS = 30
    gateway.fail_next = 3
    message = queue(consenting(), system)
    passes_until_settled(NOON_HANOI)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 4)
    assert message.provider_id == gateway.ids[message.key]
    assert len(gateway.requests) == 4 and len(gateway.delivered) == 1
    assert {r["key"] for r in gateway.requests} == {message.key}


def test_failures_wait_longer_each_time(
    gateway: Any, consenting: Any, system: Any, settings: Any
) -> None:
    settings.NOTIFY_BACKOFF_SECONDS = 30
    gateway.fail_next = 3
    message = queue(consenting(), system)
    now, waits = NOON_HANOI, []
    for _ in range(3):
        worker.send_due(worker="test", now=now)
        message.refresh_from_db()
        assert (message.status, message.last_error) == (Status.QUEUED, "http_500")
        waits.append((message.next_attempt_at - now).total_seconds())
        assert worker.send_due(worker="test", now=now)["sent"] == 0  # not due yet
        now = message.next_attempt_at
    assert waits == [30, 60, 120]


def test_a_timeout_is_retried_and_the_gateway_delivers_once(
    gateway: Any, consenting: Any, system: Any, settings: Any
) -> None:
    # The gateway takes the message but answers after the worker gave up: the outcome is
    # unknown, so it is retried, with the same key, and the gateway does not deliver it again.
    gateway.hang_next, gateway.hang_seconds = 1, 2.5
    message = queue(consenting(), system)
    worker.send_due(worker="test", now=NOON_HANOI)
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.QUEUED, "timeout")
    passes_until_settled(message.next_attempt_at)
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(gateway.requests) == 2 and len(gateway.delivered) == 1


class Crash(BaseException):
    """The worker process dying: not an error it could catch and record."""


def test_a_crash_between_send_and_status_update_does_not_double_send(
    gateway: Any, consenting: Any, system: Any, monkeypatch: Any, settings: Any
) -> None:
    message = queue(consenting(), system)

    def die(*args: Any, **kwargs: Any) -> None:
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(worker, "record_sent", die)  # dies after the gateway answered
        with pytest.raises(Crash):
            worker.send_due(worker="dying", now=NOON_HANOI)
    message.refresh_from_db()
    # What the dead worker committed before calling the gateway is all there is.
    assert (message.status, message.attempts) == (Status.SENDING, 1)
    assert len(gateway.delivered) == 1
    # Another worker, before the lease is over, leaves it alone…
    assert worker.send_due(worker="other", now=NOON_HANOI)["sent"] == 0
    # …and after it, sends it again with the same key: the gateway does not deliver twice.
    later = NOON_HANOI + dt.timedelta(seconds=settings.NOTIFY_SENDING_LEASE_SECONDS + 1)
    result = worker.send_due(worker="other", now=later)
    assert (result["requeued"], result["sent"]) == (1, 1)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 2)
    assert len(gateway.requests) == 2 and len(gateway.delivered) == 1


def test_it_gives_up_after_the_last_attempt_and_keeps_the_message(
    gateway: Any, consenting: Any, system: Any, settings: Any
) -> None:
    settings.NOTIFY_MAX_ATTEMPTS = 3
    gateway.fail_next = 10
    message = queue(consenting(), system)
    passes_until_settled(NOON_HANOI)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        Status.FAILED,
        3,
        "http_500",
    )


def test_a_refused_message_is_not_retried(gateway: Any, consenting: Any, system: Any) -> None:
    gateway.refuse_next = 1
    message = queue(consenting(), system)
    passes_until_settled(NOON_HANOI)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        Status.FAILED,
        1,
        "http_400",
    )


def test_zalo_and_wechat_get_their_gateways_shapes(
    gateway: Any, consenting: Any, system: Any
) -> None:
    zalo = queue(consenting("contact_zalo"), system, key="z:1")
    wechat = queue(consenting("contact_wechat"), system, key="w:1", address="oAbCdEfGhIjK-openid")
    passes_until_settled(NOON_HANOI)
    bodies = {r["path"]: r["body"] for r in gateway.delivered}
    assert bodies["/zalo"]["tracking_id"] == "z:1"
    assert bodies["/zalo"]["phone"] == zalo.address.lstrip("+")
    assert bodies["/wechat"]["touser"] == "oAbCdEfGhIjK-openid"
    assert bodies["/wechat"]["client_msg_id"] == "w:1"
    wechat.refresh_from_db()
    assert wechat.status == Status.SENT and wechat.provider_id == gateway.ids["w:1"]


def test_an_email_reaches_the_smtp_server_in_the_donors_language(
    mailbox: Any, consenting: Any, system: Any
) -> None:
    donor = consenting("contact_email", preferred_language="zh-hant")
    message = queue(donor, system, address="mau@example.invalid")
    passes_until_settled(NOON_HANOI)
    message.refresh_from_db()
    assert message.status == Status.SENT
    [mail] = mailbox.received
    assert mail["To"] == "mau@example.invalid"
    assert mail["Message-ID"] == message.provider_id
    assert message.key in mail["Message-ID"]
    text = mail.get_payload(decode=True).decode()
    assert "感謝您於09/12/2026在Bệnh viện A捐血" in text


def test_the_rate_limit_holds_messages_for_the_next_minute(
    gateway: Any, consenting: Any, system: Any, settings: Any
) -> None:
    settings.NOTIFY_RATE_PER_MINUTE = {**settings.NOTIFY_RATE_PER_MINUTE, "sms": 2}
    for n in range(3):
        queue(consenting(), system, key=f"rate:{n}")
    assert worker.send_due(worker="test", now=NOON_HANOI)["sent"] == 2
    assert worker.send_due(worker="test", now=NOON_HANOI + dt.timedelta(seconds=30))["sent"] == 0
    assert worker.send_due(worker="test", now=NOON_HANOI + dt.timedelta(seconds=61))["sent"] == 1


def test_a_consent_withdrawn_after_queueing_cancels_the_message(
    gateway: Any, consenting: Any, system: Any, nurse: Any
) -> None:
    from bloodline.donors.actions import withdraw_consent

    donor = consenting()
    message = queue(donor, system)
    withdraw_consent(by=nurse, consent=donor.consents.get())
    assert worker.send_due(worker="test", now=NOON_HANOI)["cancelled"] == 1
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.CANCELLED, "consent_withdrawn")
    assert gateway.requests == []
