"""The database keeps processing events and the expiry they left even against a writer that
bypasses the actions: a unit's expiry never becomes later than its processing left it, an
event is never changed or deleted, each kind happens once, and an event is recorded only on
a unit in the stores and unexpired, starting from its current expiry; the issue gate then
refuses the unit once the shortened expiry has passed. The same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component, ProcessingEvent
from bloodline.inventory.status import Status

REFUSED = (IntegrityError, DatabaseError)
HOUR = dt.timedelta(hours=1)


def thawed(centre) -> tuple[Component, ProcessingEvent]:
    _red, plasma = centre.stocked()
    fridge = factories.location(centre.centre, "Fridge 1")
    event = inventory.record_processing(
        by=centre.clerk, component=plasma, kind="thaw", location=fridge
    )
    plasma.refresh_from_db()
    return plasma, event


def event_row(component: Component, **overrides: object) -> ProcessingEvent:
    now = timezone.now()
    values: dict[str, object] = {
        "component": component,
        "kind": "thaw",
        "at": now,
        "by": component.created_by,
        "expires_before": component.expires_at,
        "expires_at": min(component.expires_at, now + 6 * HOUR),
        "rule_set": "VN-TT26-2013 2013",
        "period_value": 6,
        "period_unit": "hours",
        "sources": ["S59"],
        "verified": True,
    }
    return ProcessingEvent(**(values | overrides))


def test_it_refuses_to_give_a_processed_unit_back_its_old_expiry(centre):
    plasma, event = thawed(centre)
    with pytest.raises(REFUSED), transaction.atomic():
        Component.objects.filter(pk=plasma.pk).update(expires_at=event.expires_before)
    with pytest.raises(REFUSED), transaction.atomic():
        Component.objects.filter(pk=plasma.pk).update(expires_at=event.expires_at + HOUR)
    plasma.refresh_from_db()
    assert plasma.expires_at == event.expires_at
    # Shortening it further is allowed (a later event, a correction to the safe side).
    with transaction.atomic():
        Component.objects.filter(pk=plasma.pk).update(expires_at=event.expires_at - HOUR)


def test_an_unprocessed_unit_expiry_is_not_constrained_by_other_units_events(centre):
    _plasma, _event = thawed(centre)
    red, _other = centre.stocked()
    later = red.expires_at + HOUR
    with transaction.atomic():
        assert Component.objects.filter(pk=red.pk).update(expires_at=later) == 1


def test_an_event_is_never_changed_or_deleted(centre):
    _plasma, event = thawed(centre)
    rows = ProcessingEvent.objects.filter(pk=event.pk)
    with pytest.raises(REFUSED), transaction.atomic():
        rows.update(expires_at=event.expires_before)
    with pytest.raises(REFUSED), transaction.atomic():
        rows.delete()
    assert rows.get().expires_at == event.expires_at


def test_each_kind_of_event_happens_once_to_a_unit(centre):
    plasma, _event = thawed(centre)
    with pytest.raises(REFUSED), transaction.atomic():
        event_row(plasma).save()


@pytest.mark.parametrize(
    "overrides",
    [
        {"expires_at": "later"},  # longer than before
        {"expires_before": "stale"},  # not the unit's current expiry
        {"expires_at": "before the event"},
        {"kind": "bake"},
    ],
)
def test_an_event_row_that_breaks_the_rule_is_refused(centre, overrides):
    _red, plasma = centre.stocked()
    now = timezone.now()
    values = {
        "later": plasma.expires_at + HOUR,
        "stale": plasma.expires_at + HOUR,
        "before the event": now - HOUR,
    }
    row = event_row(plasma, at=now)
    for name, value in overrides.items():
        setattr(row, name, values.get(str(value), value))
    with pytest.raises(REFUSED), transaction.atomic():
        row.save()
    assert not ProcessingEvent.objects.filter(component=plasma).exists()


def test_an_event_on_a_discarded_or_expired_unit_is_refused(centre):
    red, plasma = centre.stocked()
    inventory.discard(by=centre.clerk, component=red, reason="bag_damaged")
    red.refresh_from_db()
    with pytest.raises(REFUSED), transaction.atomic():
        event_row(red, kind="open").save()
    late = plasma.expires_at + HOUR
    with pytest.raises(REFUSED), transaction.atomic():
        event_row(plasma, at=late, expires_at=plasma.expires_at).save()
    assert not ProcessingEvent.objects.exists()


def test_the_database_issue_gate_refuses_a_unit_past_its_shortened_expiry(centre):
    _red, plasma = centre.stocked()
    now = timezone.now()
    # Released yesterday, thawed seven hours ago: six hours later its expiry has passed,
    # while the frozen plasma's own expiry is a year away.
    Component.objects.filter(pk=plasma.pk).update(
        collected_at=now - dt.timedelta(days=2), released_at=now - dt.timedelta(days=1)
    )
    fridge = factories.location(centre.centre, "Fridge 1")
    event = inventory.record_processing(
        by=centre.clerk, component=plasma, kind="thaw", at=now - 7 * HOUR, location=fridge
    )
    assert event.expires_at == now - HOUR < event.expires_before
    with pytest.raises(REFUSED), transaction.atomic():
        Component.objects.filter(pk=plasma.pk).update(
            issued_at=now, issued_to=centre.hospital, status=Status.ISSUED
        )
    plasma.refresh_from_db()
    assert plasma.issued_at is None
