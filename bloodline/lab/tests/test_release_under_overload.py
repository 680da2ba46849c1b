"""Past saturation the release gate still holds (QUALITY.md T11, decision 0035).

A live server (one thread per request, each with its own database connection) is sent more
concurrent clients than the machine has cores, each releasing every quarantined component
again and again, with reads in between, for a bounded time. Afterwards: exactly the
components whose results pass the gate are released, each once, with one audit event; none
of the components without results is released, however hard the server was pushed.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client

from bloodline.audit.models import AuditEvent
from bloodline.demo.factories.distribution import passing_rows, to_csv
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component
from bloodline.lab import imports

CLIENTS = 24
DONATIONS = 6  # half get passing results, half none
DEADLINE_SECONDS = 40
CSRF = "overloadoverloadoverloadoverload"


def _components(centre: Any) -> tuple[list[Component], list[Component]]:
    passing, blocked = [], []
    for n in range(DONATIONS):
        donation = centre.donation()
        made = inventory.process_donation(
            by=centre.clerk,
            donation=donation,
            recipe="red_cells_plasma",
            volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
        )
        if n % 2 == 0:
            imports.import_results(
                by=centre.lab,
                establishment=centre.centre,
                file_name=f"overload-{n}.csv",
                content=to_csv(passing_rows(donation, "O", "pos")),
            )
            passing.extend(made)
        else:
            blocked.extend(made)
    return passing, blocked


@pytest.mark.postgres_only
def test_no_component_is_released_without_the_gate_under_overload(
    flushable_audit: None, live_server: Any, centre: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so nothing races")
    passing, blocked = _components(centre)
    signed_in = Client()
    signed_in.force_login(centre.lab)
    cookies = {
        settings.SESSION_COOKIE_NAME: signed_in.cookies[settings.SESSION_COOKIE_NAME].value,
        "csrftoken": CSRF,
    }
    targets = [(str(c.uuid), c.version) for c in passing + blocked]
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)
    stop_at = time.monotonic() + DEADLINE_SECONDS

    def client(n: int) -> None:
        with requests.Session() as http:
            http.cookies.update(cookies)
            http.headers.update({"X-CSRFToken": CSRF, "Referer": live_server.url})
            start.wait()
            for round_ in range(3):
                for uuid, version in targets[n % len(targets) :] + targets[: n % len(targets)]:
                    if time.monotonic() > stop_at:
                        return
                    answer = http.post(
                        f"{live_server.url}/api/v1/lab/components/{uuid}/release",
                        json={"version": version},
                        timeout=30,
                        headers={"Idempotency-Key": f"{n}-{round_}-{uuid}"},
                    )
                    http.get(f"{live_server.url}/api/v1/stock/", timeout=30)
                    with lock:
                        statuses.append(answer.status_code)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=DEADLINE_SECONDS + 20)
    assert not any(t.is_alive() for t in threads), "a client did not stop by itself"

    assert len(statuses) >= len(targets), "the load never reached every component"
    assert all(s < 500 for s in statuses), sorted(set(statuses))
    released = set(
        Component.objects.filter(released_at__isnull=False).values_list("uuid", flat=True)
    )
    assert released == {c.uuid for c in passing}
    assert not released & {c.uuid for c in blocked}
    for component in passing:
        events = AuditEvent.objects.filter(
            action="component.release", object_id__in=[str(component.pk), str(component.uuid)]
        ).count()
        assert events == 1, component
