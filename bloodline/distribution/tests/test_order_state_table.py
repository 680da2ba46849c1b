"""The order state table (ORDER_STEPS) decides what may happen to an order in each status and
who may do it: every status × every step walked through the real actions, every status ×
every target through ``can_become`` and the database guard."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions
from bloodline.distribution.models import (
    ORDER_STEPS,
    ORDER_TRANSITIONS,
    ItemOutcome,
    Order,
    OrderStatus,
    OrderStep,
    ShipmentItem,
    Side,
)

pytestmark = pytest.mark.django_db

# Within the placed status, scanning and unallocating need a unit allocated but not yet in the
# box; dispatching needs it in the box.
NOT_PICKED = {OrderStep.PICK, OrderStep.UNALLOCATE}


def order_in(centre: Any, status: str, step: str) -> tuple[Order, Any]:
    """An order in ``status`` with what ``step`` needs there: a unit allocated (and scanned in,
    unless ``step`` is scanning or unallocating it), a line that may take an emergency release."""
    red, _plasma = centre.stocked("O", "pos")
    order = actions.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="urgent",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[
            actions.LineRequest("red_cells_additive", "O", "pos", 1),
            actions.LineRequest("red_cells_additive", "O", "neg", 1),
        ],
    )
    scans = factories.label_scans(red)
    if status != OrderStatus.PLACED or step != OrderStep.ALLOCATE:
        actions.allocate(by=centre.clerk, order=order)
    if status != OrderStatus.PLACED or step not in NOT_PICKED | {OrderStep.ALLOCATE}:
        actions.pick(
            by=centre.clerk,
            order=order,
            din_scan=scans["din_scan"],
            product_scan=scans["product_scan"],
        )
    if status == OrderStatus.CANCELLED:
        actions.cancel_order(by=centre.hospital_user, order=order)
        # Cancelling unpacks the box; a report on a unit of it is still tried, and refused.
        ShipmentItem.objects.create(
            shipment=order.shipment,
            component=red,
            scanned_at=timezone.now(),
            scanned_by=centre.clerk,
        )
    if status in (OrderStatus.DISPATCHED, OrderStatus.RECEIVED):
        actions.dispatch(by=centre.clerk, order=order, packed_count=1)
    if status == OrderStatus.RECEIVED:
        actions.receive(by=centre.hospital_user, order=order, received_count=1)
    order.refresh_from_db()
    assert order.status == status
    return order, scans


def take(step: str, by: Any, order: Order, scans: dict[str, str]) -> None:
    """Take ``step`` on ``order`` through its action, as ``by``."""
    first, second = order.lines.order_by("pk")
    allocation = first.allocations.order_by("pk").last()
    if step == OrderStep.SIGN_RELEASE:
        actions.sign_emergency_release(
            by=by, line=second, clinician="BS. Lê Văn An", reason="Xuất huyết"
        )
    elif step == OrderStep.ALLOCATE:
        actions.allocate(by=by, order=order)
    elif step == OrderStep.UNALLOCATE:
        assert allocation is not None
        actions.unallocate(by=by, allocation=allocation)
    elif step == OrderStep.PICK:
        actions.pick(
            by=by, order=order, din_scan=scans["din_scan"], product_scan=scans["product_scan"]
        )
    elif step == OrderStep.DISPATCH:
        actions.dispatch(by=by, order=order, packed_count=1)
    elif step == OrderStep.RECEIVE:
        actions.receive(by=by, order=order, received_count=1)
    elif step == OrderStep.REPORT_OUTCOME:
        assert allocation is not None
        item = allocation.component.shipped.get()
        actions.report_outcome(by=by, item=item, outcome=ItemOutcome.TRANSFUSED)
    else:
        assert step == OrderStep.CANCEL
        actions.cancel_order(by=by, order=order)


def test_the_table_names_every_step_and_only_real_statuses() -> None:
    assert set(ORDER_STEPS) == set(OrderStep.values)
    for step in ORDER_STEPS.values():
        assert {step.source, step.target} <= set(OrderStatus.values)
        assert step.sides and step.sides <= set(Side.values)


@pytest.mark.parametrize(
    ("status", "step"), list(itertools.product(OrderStatus.values, OrderStep.values))
)
def test_it_takes_a_step_exactly_when_the_table_allows_it(
    centre: Any, status: str, step: str
) -> None:
    order, scans = order_in(centre, status, step)
    rule = ORDER_STEPS[step]
    person: dict[str, Any] = {Side.DESK: centre.clerk, Side.HOSPITAL: centre.hospital_user}
    allowed = order.allows(step)
    assert allowed == (status == rule.source)
    try:
        take(step, person[sorted(rule.sides)[0]], order, scans)
    except ValidationError as refused:
        assert not allowed, refused.messages
        assert refused.messages == [str(rule.refusal)]
        order.refresh_from_db()
        assert order.status == status
    else:
        assert allowed
        order.refresh_from_db()
        assert order.status == rule.target


@pytest.mark.parametrize("step", [s for s in OrderStep.values if len(ORDER_STEPS[s].sides) == 1])
def test_the_other_side_may_not_take_a_step_that_is_not_its_own(centre: Any, step: str) -> None:
    rule = ORDER_STEPS[step]
    order, scans = order_in(centre, rule.source, step)
    other = centre.hospital_user if Side.DESK in rule.sides else centre.clerk
    with pytest.raises(PermissionDenied):
        take(step, other, order, scans)
    order.refresh_from_db()
    assert order.status == rule.source


@pytest.mark.parametrize(
    ("status", "target"), list(itertools.product(OrderStatus.values, OrderStatus.values))
)
def test_the_database_refuses_a_status_change_the_table_does_not_allow(
    centre: Any, status: str, target: str
) -> None:
    order, _scans = order_in(centre, status, OrderStep.CANCEL)
    allowed = target in ORDER_TRANSITIONS[status]
    assert order.can_become(target) == allowed
    assert (order.why_not_become(target) == "") == allowed
    cancelled_at = timezone.now() if target == OrderStatus.CANCELLED else None
    if allowed or target == status:
        Order.objects.filter(pk=order.pk).update(status=target, cancelled_at=cancelled_at)
        return
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(status=target, cancelled_at=cancelled_at)
    order.refresh_from_db()
    assert order.status == status


def test_it_says_why_an_order_cannot_become_a_status(centre: Any) -> None:
    order, _scans = order_in(centre, OrderStatus.RECEIVED, OrderStep.CANCEL)
    assert order.why_not_become(OrderStatus.CANCELLED) == (
        "An order that is received cannot become cancelled."
    )
