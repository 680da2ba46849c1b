"""QUALITY T2: many desks allocating, dispatching and editing at once never double-issue a unit
and never lose an update (safety.md §5 Puget Sound 2013, Synapsys/Aptio race recalls).

PostgreSQL only: real transactions in 50 threads, each with its own connection. SQLite
serialises writers, so there is no race to lose there."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent
from bloodline.demo.factories import collection
from bloodline.demo.factories import distribution as factories
from bloodline.demo.seed import seed
from bloodline.distribution import actions as distribution
from bloodline.distribution.models import Allocation, Order, ShipmentItem
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component
from bloodline.inventory.status import Status
from bloodline.organisations.models import Organisation

WORKERS = 50
STOCK = 30
CHANGED_MEANWHILE = (
    "Someone else changed this record while you were working on it. "
    "Reload the page to see their changes, then make yours again."
)

pytestmark = pytest.mark.postgres_only


@dataclass
class Place:
    centre: Organisation
    hospital: Organisation
    unit: Organisation
    lab: User
    clerk: User
    hospital_user: User


@pytest.fixture
def place(flushable_audit) -> Place:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to lose")
    demo = seed()
    users = {p.username: u for p, u in demo.accounts}
    factories.equip(demo.nodes["vn_centre"])
    return Place(
        centre=demo.nodes["vn_centre"],
        hospital=demo.nodes["vn_hospital"],
        unit=demo.nodes["vn_garment"],
        lab=users["lab_technician"],
        clerk=users["inventory_clerk"],
        hospital_user=users["hospital_user"],
    )


def stock(place: Place, count: int) -> list[Component]:
    """``count`` units of O RhD positive red cells in stock, through the real actions."""
    donors = collection.donors(count, place.unit, prefix="T2 donor")
    donations = collection.donations(
        donors,
        credited_to=place.unit,
        establishment=place.centre,
        at=timezone.now() - dt.timedelta(hours=3),
    )
    return [factories.stocked(d, lab=place.lab, clerk=place.clerk)[0] for d in donations]


def race(work: Callable[[int], Any], workers: int = WORKERS) -> list[Any]:
    """Run ``work(n)`` in ``workers`` threads released together; each thread has its own
    database connection, closed at its end. Returns each outcome: the result, or the
    refusal's messages, or the unexpected exception (so an assertion shows it)."""
    start = threading.Barrier(workers)
    outcomes: list[Any] = [None] * workers

    def run(n: int) -> None:
        try:
            start.wait(timeout=60)
            outcomes[n] = work(n)
        except ValidationError as refused:
            outcomes[n] = ("refused", tuple(refused.messages))
        except Exception as other:  # reported by the assertions
            outcomes[n] = ("error", repr(other))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not [t for t in threads if t.is_alive()], "a worker hung"
    errors = [o for o in outcomes if isinstance(o, tuple) and o[0] == "error"]
    assert not errors, errors
    return outcomes


def test_fifty_desks_allocating_thirty_units_at_once_share_them_exactly(place):
    units = stock(place, STOCK)
    versions = dict(Component.objects.values_list("pk", "version"))

    def order_and_allocate(n: int) -> int:
        hospital_user = User.objects.get(pk=place.hospital_user.pk)
        clerk = User.objects.get(pk=place.clerk.pk)
        order = distribution.place_order(
            by=hospital_user,
            hospital=Organisation.objects.get(pk=place.hospital.pk),
            supplier=Organisation.objects.get(pk=place.centre.pk),
            urgency="urgent",
            needed_by=timezone.now() + dt.timedelta(hours=1),
            lines=[distribution.LineRequest("red_cells_additive", "O", "pos", 1)],
            note=f"desk {n}",
        )
        return len(distribution.allocate(by=clerk, order=order))

    outcomes = race(order_and_allocate)
    assert Counter(outcomes) == {1: min(STOCK, WORKERS), 0: WORKERS - min(STOCK, WORKERS)}
    live = Allocation.objects.filter(cancelled_at__isnull=True)
    doubles = live.values("component").annotate(n=Count("pk")).filter(n__gt=1)
    assert not doubles.exists(), list(doubles)  # no unit allocated twice
    assert live.count() == min(STOCK, WORKERS)
    assert Order.objects.count() == WORKERS
    reserved = set(Component.objects.filter(status=Status.RESERVED).values_list("pk", flat=True))
    assert reserved == set(live.values_list("component_id", flat=True)) == {u.pk for u in units}
    # No lost update: every allocated unit's version moved exactly once, the others not.
    for pk, version in Component.objects.values_list("pk", "version"):
        assert version == versions[pk] + (pk in reserved), pk
    assert AuditEvent.objects.filter(action="order.allocate").count() == min(STOCK, WORKERS)


def picked_order(place: Place) -> tuple[Order, Component]:
    [red] = stock(place, 1)
    order = distribution.place_order(
        by=place.hospital_user,
        hospital=place.hospital,
        supplier=place.centre,
        urgency="emergency",
        needed_by=timezone.now(),
        lines=[distribution.LineRequest("red_cells_additive", "O", "pos", 1)],
    )
    distribution.allocate(by=place.clerk, order=order)
    return order, red


def test_fifty_scans_of_one_unit_into_its_shipment_put_it_in_once(place):
    order, red = picked_order(place)
    scans = factories.label_scans(red)

    def scan(n: int) -> str:
        distribution.pick(
            by=User.objects.get(pk=place.clerk.pk),
            order=Order.objects.get(pk=order.pk),
            din_scan=scans["din_scan"],
            product_scan=scans["product_scan"],
        )
        return "scanned"

    outcomes = race(scan)
    assert outcomes.count("scanned") == 1
    assert set(outcomes) - {"scanned"} == {("refused", ("This unit is already in the shipment.",))}
    assert ShipmentItem.objects.filter(component=red).count() == 1


def test_fifty_dispatches_of_one_shipment_issue_the_unit_once(place):
    order, red = picked_order(place)
    scans = factories.label_scans(red)
    distribution.pick(
        by=place.clerk, order=order, din_scan=scans["din_scan"], product_scan=scans["product_scan"]
    )
    before = Component.objects.get(pk=red.pk).version

    def dispatch(n: int) -> str:
        distribution.dispatch(
            by=User.objects.get(pk=place.clerk.pk),
            order=Order.objects.get(pk=order.pk),
            packed_count=1,
        )
        return "dispatched"

    outcomes = race(dispatch)
    assert outcomes.count("dispatched") == 1
    assert all(o[0] == "refused" for o in outcomes if o != "dispatched")
    red.refresh_from_db()
    assert (red.status, red.issued_to, red.version) == (Status.ISSUED, place.hospital, before + 1)
    assert AuditEvent.objects.filter(action="order.dispatch").count() == 1
    order.refresh_from_db()
    assert order.version == 3  # placed 1, allocated 2, dispatched 3


def test_fifty_edits_of_one_unit_from_the_same_page_keep_exactly_one(place):
    [red] = stock(place, 1)
    seen = Component.objects.get(pk=red.pk).version
    fridges = [factories.location(place.centre, n) for n in ("Fridge 1", "Quarantine store")]

    def move(n: int) -> str:
        inventory.move(
            by=User.objects.get(pk=place.clerk.pk),
            component=Component(pk=red.pk),
            location=fridges[n % 2],
            version=seen,  # every desk saw the same version
        )
        return "moved"

    outcomes = race(move)
    assert outcomes.count("moved") == 1
    assert set(outcomes) - {"moved"} == {("refused", (CHANGED_MEANWHILE,))}
    red.refresh_from_db()
    assert red.version == seen + 1
    moves = AuditEvent.objects.filter(action="component.move", object_id=str(red.uuid))
    assert moves.count() == 1


def test_edits_that_each_read_the_latest_version_lose_nothing(place):
    [red] = stock(place, 1)
    first = Component.objects.get(pk=red.pk).version
    fridges = [factories.location(place.centre, n) for n in ("Fridge 1", "Quarantine store")]

    def move_twice(n: int) -> int:
        done = 0
        for attempt in range(2):
            seen = Component.objects.get(pk=red.pk).version
            try:
                inventory.move(
                    by=User.objects.get(pk=place.clerk.pk),
                    component=Component(pk=red.pk),
                    location=fridges[(n + attempt) % 2],
                    version=seen,
                )
                done += 1
            except ValidationError as refused:
                assert refused.messages == [CHANGED_MEANWHILE]
        return done

    outcomes = race(move_twice)
    successes = sum(outcomes)
    assert successes >= 1
    red.refresh_from_db()
    assert red.version == first + successes  # every success counted, none overwritten
    moves = AuditEvent.objects.filter(action="component.move", object_id=str(red.uuid))
    assert moves.count() == successes
