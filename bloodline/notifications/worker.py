"""Sending the outbox: a recurring job of the queue (bloodline/jobs), registered by the app.

Each pass claims due messages channel by channel, no more than the channel's rate allows,
and sends each one:

1. a consent withdrawn (or the donor erased) since queueing cancels the message; quiet hours
   (in the recipient's zone) and the per-donor daily cap only move it later, never drop it;
2. the claim marks the message ``sending`` and counts the attempt, and that is COMMITTED
   before the gateway is called; the call carries the idempotency key;
3. the answer is recorded: sent, or queued again after an exponential back-off, or failed
   after NOTIFY_MAX_ATTEMPTS or on a permanent refusal.

A worker that dies between 2 and 3 leaves the message ``sending``; after NOTIFY_SENDING_LEASE
another pass queues it again and the retry carries the same key, so the gateway does not
deliver it twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from bloodline.notifications.backends import Permanent, Transient, backend_for
from bloodline.notifications.models import Channel, Message, Status
from bloodline.notifications.outbox import URGENT, consented_channels

logger = logging.getLogger(__name__)

OUTBOX_SEND = "outbox_send"
RATE_WINDOW = dt.timedelta(minutes=1)


def send_every() -> dt.timedelta:
    return dt.timedelta(seconds=settings.NOTIFY_SEND_EVERY_SECONDS)


def run() -> dict[str, object]:
    return dict(send_due(worker=f"{socket.gethostname()}:{os.getpid()}"))


def send_due(*, worker: str, now: dt.datetime | None = None) -> dict[str, int]:
    """One pass over the outbox; returns how many messages ended each way."""
    now = now or timezone.now()
    tally = {"sent": 0, "retry": 0, "failed": 0, "postponed": 0, "cancelled": 0}
    tally["requeued"] = requeue_stale(now)
    for channel in Channel.values:
        batch = claim(channel, worker=worker, now=now)
        donors = {m.donor_id for m in batch if m.donor_id is not None}
        agreed, recent = consented_channels(donors), _recent_counts(donors, now)
        for message in batch:
            outcome = send_one(message, now=now, agreed=agreed, recent=recent)
            if outcome == "sent" and message.donor_id is not None:
                recent[message.donor_id] = recent.get(message.donor_id, 0) + 1
            tally[outcome] += 1
    return tally


def requeue_stale(now: dt.datetime) -> int:
    """Messages left ``sending`` by a worker that died: queued again (same key)."""
    lease = dt.timedelta(seconds=settings.NOTIFY_SENDING_LEASE_SECONDS)
    return Message.objects.filter(status=Status.SENDING, last_attempt_at__lt=now - lease).update(
        status=Status.QUEUED, next_attempt_at=now, claimed_by=""
    )


def room(channel: str, now: dt.datetime) -> int:
    """How many more messages the channel may take in the current minute."""
    limit = int(settings.NOTIFY_RATE_PER_MINUTE.get(channel, 0))
    used = Message.objects.filter(channel=channel, last_attempt_at__gt=now - RATE_WINDOW).count()
    return max(0, min(limit - used, settings.NOTIFY_BATCH))


def claim(channel: str, *, worker: str, now: dt.datetime) -> list[Message]:
    """Due queued messages of ``channel`` now marked ``sending`` by this worker (committed),
    within the channel's rate. PostgreSQL locks with SKIP LOCKED; SQLite claims each row
    with a conditional UPDATE and keeps those it changed."""
    limit = room(channel, now)
    if not limit:
        return []
    due = Message.objects.filter(
        channel=channel, status=Status.QUEUED, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            pks = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            Message.objects.filter(pk__in=pks).update(
                status=Status.SENDING,
                claimed_by=worker,
                last_attempt_at=now,
                attempts=F("attempts") + 1,
            )
    else:
        pks = [
            pk
            for pk in due.values_list("pk", flat=True)[:limit]
            if Message.objects.filter(pk=pk, status=Status.QUEUED).update(
                status=Status.SENDING,
                claimed_by=worker,
                last_attempt_at=now,
                attempts=F("attempts") + 1,
            )
        ]
    # The donor's erasure is all the sending needs of them (not their decrypted details).
    claimed = Message.objects.filter(pk__in=pks).annotate(donor_erased_at=F("donor__erased_at"))
    return list(claimed.order_by("next_attempt_at", "pk"))


def send_one(
    message: Message,
    *,
    now: dt.datetime,
    agreed: dict[int, set[str]],
    recent: dict[int, int] | None = None,
) -> str:
    """Send one claimed message. ``agreed``: the channels each donor of the batch consents
    to; ``recent``: messages sent to each in the last day (a bound for the daily cap)."""
    if not still_wanted(message, agreed):
        _set(message, status=Status.CANCELLED, last_error="consent_withdrawn", claimed_by="")
        return "cancelled"
    later = postpone_until(message, now, recent)
    if later is not None:  # not an attempt: the claim's count is given back
        attempts = message.attempts - 1
        _set(message, status=Status.QUEUED, next_attempt_at=later, claimed_by="", attempts=attempts)
        return "postponed"
    # The attempt was counted by the claim, committed before this call: a crash after it is
    # seen as an attempt.
    try:
        provider_id = backend_for(message.channel).send(message)
    except Transient as exc:
        return _retry_or_fail(message, exc.code, now)
    except Permanent as exc:
        _set(message, status=Status.FAILED, last_error=exc.code)
        logger.warning("message %s refused: %s", message.uuid, exc.code)
        return "failed"
    record_sent(message, provider_id, now)
    return "sent"


def still_wanted(message: Message, agreed: dict[int, set[str]]) -> bool:
    """A donor who withdrew the channel's consent, or was erased, since the message was
    queued is not sent it. ``agreed``: the channels each donor of the batch consents to."""
    if message.donor_id is None or message.event in URGENT:
        return True
    erased = getattr(message, "donor_erased_at", None)
    return erased is None and message.channel in agreed.get(message.donor_id, set())


def record_sent(message: Message, provider_id: str, now: dt.datetime) -> None:
    _set(
        message,
        status=Status.SENT,
        sent_at=now,
        provider_id=provider_id[:200],
        last_error="",
    )


def _retry_or_fail(message: Message, code: str, now: dt.datetime) -> str:
    if message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        _set(message, status=Status.FAILED, last_error=code)
        logger.warning(
            "message %s failed after %s attempts: %s", message.uuid, message.attempts, code
        )
        return "failed"
    _set(
        message,
        status=Status.QUEUED,
        next_attempt_at=now + backoff(message.attempts),
        last_error=code,
        claimed_by="",
    )
    return "retry"


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next attempt: the base, doubled after each failure, capped."""
    seconds = settings.NOTIFY_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(seconds, settings.NOTIFY_BACKOFF_MAX_SECONDS))


def postpone_until(
    message: Message, now: dt.datetime, recent: dict[int, int] | None = None
) -> dt.datetime | None:
    """When to try instead, if quiet hours or the donor's daily cap hold the message back.
    ``recent`` (messages sent in the last 24 hours, per donor) is an upper bound of those
    sent since local midnight: below the cap there, no need to count exactly."""
    if message.event in URGENT:
        return None
    zone = ZoneInfo(message.time_zone)
    local = now.astimezone(zone)
    if message.channel != Channel.EMAIL and in_quiet_hours(local.time()):
        return _next_morning(local)
    cap = settings.NOTIFY_DAILY_CAP
    may_be_capped = recent is None or recent.get(message.donor_id or 0, 0) >= cap
    if message.donor_id is not None and may_be_capped and _sent_today(message, local) >= cap:
        tomorrow = dt.datetime.combine(
            local.date() + dt.timedelta(days=1), dt.time(_end()), tzinfo=local.tzinfo
        )
        return tomorrow.astimezone(dt.UTC)
    return None


def in_quiet_hours(local: dt.time) -> bool:
    start, end = settings.NOTIFY_QUIET_START_HOUR, _end()
    if start > end:  # over midnight, e.g. 21:00–07:00
        return local.hour >= start or local.hour < end
    return start <= local.hour < end


def _end() -> int:
    return int(settings.NOTIFY_QUIET_END_HOUR)


def _next_morning(local: dt.datetime) -> dt.datetime:
    """The end of the quiet hours that ``local`` is in or before, as an aware time."""
    day = local.date() if local.hour < _end() else local.date() + dt.timedelta(days=1)
    morning = dt.datetime.combine(day, dt.time(_end()), tzinfo=local.tzinfo)
    return morning.astimezone(dt.UTC)


def _recent_counts(donor_ids: set[int], now: dt.datetime) -> dict[int, int]:
    """Non-urgent messages sent to each donor in the 24 hours before ``now`` (one query)."""
    if not donor_ids:
        return {}
    rows = (
        Message.objects.filter(
            donor_id__in=donor_ids, status=Status.SENT, sent_at__gt=now - dt.timedelta(days=1)
        )
        .exclude(event__in=URGENT)
        .values("donor_id")
        .annotate(n=Count("pk"))
        .values_list("donor_id", "n")
    )
    return dict(rows)


def _sent_today(message: Message, local: dt.datetime) -> int:
    """Non-urgent messages sent to this donor since local midnight."""
    assert message.donor_id is not None
    midnight = dt.datetime.combine(local.date(), dt.time(0), tzinfo=local.tzinfo)
    return (
        Message.objects.filter(donor_id=message.donor_id, status=Status.SENT, sent_at__gte=midnight)
        .exclude(event__in=URGENT)
        .count()
    )


def _set(message: Message, **fields: object) -> None:
    for name, value in fields.items():
        setattr(message, name, value)
    Message.objects.filter(pk=message.pk).update(**fields)
