"""The demo blood centre: right after `make run` the laboratory, the stock desk and the
hospital find real work, every status is the derived one, and a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent
from bloodline.collection.models import Donation
from bloodline.distribution import actions as distribution
from bloodline.distribution.models import ItemOutcome, Order, OrderStatus, ShipmentItem
from bloodline.donors.models import Donor
from bloodline.inventory.models import Component, StockThreshold
from bloodline.inventory.status import Status, derive
from bloodline.lab import actions as lab
from bloodline.lab import gate
from bloodline.lab.models import NotificationTask, Sample, TestResult
from bloodline.organisations.models import Organisation
from bloodline.screening.models import Deferral

COUNTED = [
    Donor,
    Donation,
    Component,
    Sample,
    TestResult,
    NotificationTask,
    Order,
    ShipmentItem,
    StockThreshold,
    Deferral,
    AuditEvent,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """`make run`'s seed once for the whole file (it takes seconds), rolled back at the end."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def people(seeded: None, db: None) -> dict[str, User]:
    return {u.username: u for u in User.objects.all()}


def _centre(people: dict[str, User]) -> Organisation:
    return people["lab_technician"].memberships.get().organisation


def _hospital(people: dict[str, User]) -> Organisation:
    return people["hospital_user"].memberships.get().organisation


def test_the_centre_has_available_red_cells_of_several_groups_and_platelets(
    people: dict[str, User],
) -> None:
    stock = Component.objects.filter(establishment=_centre(people), status=Status.AVAILABLE)
    red_groups = {c.group() for c in stock.filter(component_kind="red_cells")}
    assert len(red_groups) >= 3, red_groups
    assert stock.filter(component_kind="platelets").exists()
    assert stock.filter(component_kind="plasma").count() >= 10


def test_some_red_cells_expire_within_days_and_one_has_expired(people: dict[str, User]) -> None:
    red = Component.objects.filter(establishment=_centre(people), component_kind="red_cells")
    soon = timezone.now() + dt.timedelta(days=4)
    assert red.filter(status=Status.AVAILABLE, expires_at__lt=soon).count() >= 2
    assert red.filter(status=Status.EXPIRED).exists()


def test_units_wait_in_quarantine_for_tests_still_running(people: dict[str, User]) -> None:
    quarantined = Component.objects.filter(
        establishment=_centre(people), status=Status.QUARANTINED, component_kind="red_cells"
    )
    reasons = [" ".join(gate.blockers(c)) for c in quarantined]
    assert any("HIV marker is not complete" in r for r in reasons), reasons


def test_a_typed_in_result_waits_for_a_second_person_who_can_verify_it(
    people: dict[str, User],
) -> None:
    waiting = TestResult.objects.filter(source="manual", verified_at__isnull=True)
    assert waiting.count() >= 1
    result = waiting.first()
    assert result is not None and result.entered_by == people["lab_technician"]
    lab.verify_result(by=people["establishment_admin"], result=result)
    released, refused = lab.release_sample(by=people["lab_technician"], sample=result.sample)
    assert released and not refused


def test_a_reactive_hiv_screen_made_a_donation_unsafe(people: dict[str, User]) -> None:
    reactive = TestResult.objects.filter(test="hiv", stage="screen", reading="reactive")
    assert reactive.exists()
    unsafe = Component.objects.filter(donation__sample__results__in=reactive).distinct()
    assert unsafe and all(c.status == Status.UNSAFE for c in unsafe)


def test_the_hospital_has_an_open_order_the_centre_can_fill(people: dict[str, User]) -> None:
    order = Order.objects.get(hospital=_hospital(people), status=OrderStatus.PLACED)
    assert not order.lines.filter(allocations__isnull=False).exists()
    made = distribution.allocate(by=people["inventory_clerk"], order=order)
    assert made


def test_a_received_order_has_a_transfused_and_a_pending_unit(people: dict[str, User]) -> None:
    order = Order.objects.get(hospital=_hospital(people), status=OrderStatus.RECEIVED)
    outcomes = sorted(item.outcome for item in order.shipment.items.all())
    assert outcomes == ["", ItemOutcome.TRANSFUSED]


def test_the_hospital_has_a_lookback_notification_to_acknowledge(people: dict[str, User]) -> None:
    task = NotificationTask.objects.get(hospital=_hospital(people), acknowledged_at__isnull=True)
    assert task.component.status == Status.TRANSFUSED
    assert Deferral.objects.filter(donor=task.component.donation.donor, permanent=True).exists()
    lab.acknowledge(by=people["hospital_user"], task=task, response="Recipient called back.")


def test_every_stored_status_is_the_derived_one(people: dict[str, User]) -> None:
    components = list(Component.objects.all())
    assert components
    assert [c for c in components if c.status != derive(c)] == []


def test_seeding_again_changes_nothing(people: dict[str, User]) -> None:
    before = _counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert _counts() == before
    assert "already present" in out.getvalue()
