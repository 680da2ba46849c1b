"""Quiet hours in the recipient's zone and the daily cap move messages later, never drop
them; a sign-in code is sent whatever the hour."""

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
# 23:00 in Hanoi (UTC+7).
NIGHT_HANOI = dt.datetime(2026, 12, 9, 16, 0, tzinfo=dt.UTC)
SEVEN_NEXT_MORNING = dt.datetime(2026, 12, 10, 0, 0, tzinfo=dt.UTC)


def test_a_text_message_waits_for_the_morning(gateway: Any, consenting: Any, system: Any) -> None:
    enqueue("thank_you", to_donor=consenting(), context=THANKS, key="t:1", by=system)
    assert worker.send_due(worker="test", now=NIGHT_HANOI)["postponed"] == 1
    message = Message.objects.get()
    assert (message.status, message.attempts) == (Status.QUEUED, 0)
    assert message.next_attempt_at == SEVEN_NEXT_MORNING
    assert worker.send_due(worker="test", now=SEVEN_NEXT_MORNING)["sent"] == 1
    assert len(gateway.delivered) == 1


@pytest.mark.parametrize(
    ("local_hour", "quiet"), [(20, False), (21, True), (0, True), (6, True), (7, False)]
)
def test_quiet_hours_boundaries(local_hour: int, quiet: bool) -> None:
    assert worker.in_quiet_hours(dt.time(local_hour, 0)) is quiet


def test_quiet_hours_follow_the_recipients_zone(
    gateway: Any, consenting: Any, system: Any, demo: Any
) -> None:
    # 23:00 in Hanoi is midnight in Beijing; 10:00 UTC is 17:00 / 18:00: both awake.
    from bloodline.organisations.models import Organisation

    beijing = Organisation.objects.filter(time_zone="Asia/Shanghai").first()
    assert beijing is not None, "the demo has a Chinese establishment"
    enqueue(
        "thank_you",
        to_donor=consenting(),
        context=THANKS,
        key="t:cn",
        establishment=beijing,
        by=system,
    )
    message = Message.objects.get()
    assert message.time_zone == "Asia/Shanghai"
    assert worker.postpone_until(message, NIGHT_HANOI) == dt.datetime(
        2026, 12, 9, 23, 0, tzinfo=dt.UTC
    )


def test_email_is_not_held_by_quiet_hours(mailbox: Any, consenting: Any, system: Any) -> None:
    donor = consenting("contact_email")
    enqueue(
        "thank_you",
        to_donor=donor,
        address="a@example.invalid",
        context=THANKS,
        key="e:1",
        by=system,
    )
    assert worker.send_due(worker="test", now=NIGHT_HANOI)["sent"] == 1


def test_a_sign_in_code_is_sent_at_night(gateway: Any, system: Any) -> None:
    enqueue(
        "sign_in_code",
        address="+84901234567",
        channel="sms",
        context={"code": "123456", "minutes": 10},
        key="code:1",
        by=system,
    )
    assert worker.send_due(worker="test", now=NIGHT_HANOI)["sent"] == 1


def test_the_daily_cap_moves_the_next_message_to_tomorrow(
    gateway: Any, consenting: Any, system: Any, settings: Any
) -> None:
    settings.NOTIFY_DAILY_CAP = 2
    donor = consenting()
    for n in range(3):
        enqueue("thank_you", to_donor=donor, context=THANKS, key=f"cap:{n}", by=system)
    result = worker.send_due(worker="test", now=NOON_HANOI)
    assert (result["sent"], result["postponed"]) == (2, 1)
    held = Message.objects.get(status=Status.QUEUED)
    assert held.next_attempt_at == SEVEN_NEXT_MORNING
    assert worker.send_due(worker="test", now=SEVEN_NEXT_MORNING)["sent"] == 1
    assert len(gateway.delivered) == 3


def test_sign_in_codes_do_not_count_against_the_cap(
    gateway: Any, consenting: Any, system: Any, settings: Any
) -> None:
    settings.NOTIFY_DAILY_CAP = 1
    donor = consenting()
    for n in range(2):
        enqueue(
            "sign_in_code",
            to_donor=donor,
            context={"code": f"00000{n}", "minutes": 10},
            key=f"c:{n}",
            by=system,
        )
    enqueue("thank_you", to_donor=donor, context=THANKS, key="t:after-codes", by=system)
    assert worker.send_due(worker="test", now=NOON_HANOI)["sent"] == 3
