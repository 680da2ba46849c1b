"""The background worker acts as the system actor (decision 0024): the expiry it records is
attributed to it, by id and by name, never to nobody."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command

from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.inventory.sweep import EXPIRY_SWEEP
from bloodline.jobs import queue


def test_the_worker_records_expiry_as_the_system(centre, travel) -> None:
    red, _plasma = centre.stocked()
    now = travel(dt.timedelta(days=60))
    queue.enqueue(EXPIRY_SWEEP, now - dt.timedelta(minutes=1))
    call_command("run_worker", "--once", "--name", "test-worker", stdout=io.StringIO())
    event = AuditEvent.objects.get(action="component.expire", object_id=str(red.uuid))
    assert (event.actor_id, event.actor_label) == (system_actor().pk, "system")
    assert event.actor_display == "System"
