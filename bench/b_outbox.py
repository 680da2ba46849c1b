"""B-outbox (issue 13, decision 0053): how fast the worker sends the outbox to a local fake
gateway, with retries on (a share of the gateway's answers are 500s, retried at once).

``measure`` queues ``count`` SMS messages for generated donors who consented, through
``outbox.enqueue`` (timed too: the nightly sweeps write this way), then runs worker passes
until nothing is queued, and checks that the fake delivered each message exactly once.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from zoneinfo import ZoneInfo

# The goal: the outbox sends at ≥ 500 messages/s to the fake gateways, retries on.
GOAL_PER_S = 500
# Passes a run may take: retries are immediate, so a few passes send everything; more means
# the worker is holding messages back, and the benchmark stops with an error, never spins.
MAX_PASSES = 50


def daytime_after(moment: dt.datetime, zone: str) -> dt.datetime:
    """The first noon in ``zone`` at or after ``moment``: the worker's clock for the run, so
    the recipients' quiet hours never hold the messages back whenever the benchmark runs."""
    local = moment.astimezone(ZoneInfo(zone))
    noon = local.replace(hour=12, minute=0, second=0, microsecond=0)
    return noon if noon >= local else noon + dt.timedelta(days=1)


def measure(count: int = 2000, fail_share: float = 0.1, seed: int = 13) -> dict[str, Any]:
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from bloodline.accounts.system import system_actor
    from bloodline.donors.models import Consent, Donor
    from bloodline.notifications import worker
    from bloodline.notifications.models import Message, Status
    from bloodline.notifications.outbox import enqueue
    from bloodline.notifications.tests.fakes import serve_gateway

    server, gateway = serve_gateway()
    saved = {
        name: getattr(settings, name)
        for name in ("NOTIFY_GATEWAYS", "NOTIFY_BACKOFF_SECONDS", "NOTIFY_DAILY_CAP")
    }
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.NOTIFY_GATEWAYS = {"sms": {"url": f"{base}/sms", "token": "bench"}}
    settings.NOTIFY_BACKOFF_SECONDS = 0  # retried in the next pass: the figure includes them
    settings.NOTIFY_DAILY_CAP = count + 1
    try:
        by = system_actor()
        prefix = f"bench-outbox-{seed}-{time.time_ns()}"
        donors = Donor.objects.bulk_create(
            Donor(full_name=f"Bench {n}", phone=f"+8490{n % 10_000_000:07d}") for n in range(count)
        )
        now = donors[0].created_at
        Consent.objects.bulk_create(
            Consent(donor=d, purpose="contact_sms", text_version="bench", given_at=now)
            for d in donors
        )
        gateway.fail_next = int(count * fail_share)
        context = {"donor_name": "Bench", "place": "Hall", "date": "01/01/2027", "link": ""}
        started = time.perf_counter()
        with transaction.atomic():
            for n, donor in enumerate(donors):
                enqueue("thank_you", to_donor=donor, context=context, key=f"{prefix}:{n}", by=by)
        enqueue_s = time.perf_counter() - started
        clock = daytime_after(timezone.now(), settings.NOTIFY_DEFAULT_TIME_ZONE)
        started, passes = time.perf_counter(), 0
        while Message.objects.filter(key__startswith=prefix, status=Status.QUEUED).exists():
            if passes == MAX_PASSES:
                raise RuntimeError(f"outbox still queued after {passes} passes")
            worker.send_due(worker="bench", now=clock)
            passes += 1
        send_s = time.perf_counter() - started
        sent = Message.objects.filter(key__startswith=prefix, status=Status.SENT).count()
        delivered = sum(1 for d in gateway.delivered if d["key"].startswith(prefix))
        return {
            "messages": count,
            "failures_injected": int(count * fail_share),
            "requests": len(gateway.requests),
            "sent": sent,
            "delivered_once": delivered == sent == count,
            "passes": passes,
            "enqueue_per_s": round(count / enqueue_s),
            "send_per_s": round(count / send_s),
            "goal_per_s": GOAL_PER_S,
        }
    finally:
        for name, value in saved.items():
            setattr(settings, name, value)
        server.shutdown()
        server.server_close()


def markdown_row(f: dict[str, Any], goal: str) -> str:
    once = "each delivered once" if f["delivered_once"] else "NOT each delivered once"
    return (
        f"| outbox | messages sent/s ({f['messages']:,}, {f['failures_injected']} answered 500 "
        f"and retried; {once}) | {f['send_per_s']:,} | — | — | {goal} |"
    )
