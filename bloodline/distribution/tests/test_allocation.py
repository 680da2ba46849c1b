"""Allocating units to hospital orders: only available, unexpired, compatible units, best
group first and first expiry first (components.md §5); one live allocation and one live
shipment per unit, held by the database too (QUALITY T1, T2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions as distribution
from bloodline.distribution.models import Allocation, ItemOutcome, Order, Shipment, ShipmentItem
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component
from bloodline.inventory.status import Status

RED = "red_cells_additive"
PLASMA = "plasma_fresh_frozen"


def order(centre, abo: str, rhd: str, quantity: int = 1, product: str = RED, **line) -> Order:
    return distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[distribution.LineRequest(product, abo, rhd, quantity, **line)],
    )


def red_cells(centre, abo: str, rhd: str, days_ago: float = 0.2) -> Component:
    red, _plasma = centre.stocked(abo, rhd, at=timezone.now() - dt.timedelta(days=days_ago))
    return red


def allocated(centre, placed: Order) -> list[Component]:
    return [a.component for a in distribution.allocate(by=centre.clerk, order=placed)]


def pick(centre, placed: Order, unit: Component) -> ShipmentItem:
    scans = factories.label_scans(unit)
    return distribution.pick(
        by=centre.clerk,
        order=placed,
        din_scan=scans["din_scan"],
        product_scan=scans["product_scan"],
    )


def test_the_unit_that_expires_first_goes_first(centre):
    newest = red_cells(centre, "O", "pos", days_ago=1)
    oldest = red_cells(centre, "O", "pos", days_ago=20)
    middle = red_cells(centre, "O", "pos", days_ago=10)
    assert allocated(centre, order(centre, "O", "pos", 2)) == [oldest, middle]
    newest.refresh_from_db()
    assert newest.status == Status.AVAILABLE


def test_the_recipients_own_group_goes_before_a_compatible_one(centre):
    o_pos = red_cells(centre, "O", "pos", days_ago=30)  # expires first, but ranked last
    a_pos = red_cells(centre, "A", "pos")
    ab_pos = red_cells(centre, "AB", "pos")
    assert allocated(centre, order(centre, "AB", "pos", 3)) == [ab_pos, a_pos, o_pos]


def test_an_incompatible_unit_is_never_allocated(centre):
    a_pos = red_cells(centre, "A", "pos")
    placed = order(centre, "O", "pos")
    assert allocated(centre, placed) == []
    with pytest.raises(ValidationError) as refused:
        distribution.allocate_unit(by=centre.clerk, line=placed.lines.get(), component=a_pos)
    assert refused.value.messages == ["A A+ unit is not compatible with a recipient of group O+."]
    a_pos.refresh_from_db()
    assert a_pos.status == Status.AVAILABLE


def test_rhd_positive_red_cells_reach_an_rhd_negative_recipient_only_in_shortage(centre):
    o_pos = red_cells(centre, "O", "pos")
    assert allocated(centre, order(centre, "O", "neg")) == []
    [allocation] = distribution.allocate(
        by=centre.clerk,
        order=order(
            centre, "O", "neg", allow_rhd_shortage=True, recipient_sex="M", recipient_age=40
        ),
    )
    assert allocation.component == o_pos and allocation.conditions


def test_a_recipient_of_unknown_group_gets_group_o_red_cells_and_ab_plasma(centre):
    o_red, _o_plasma = centre.stocked("O", "neg")
    _ab_red, ab_plasma = centre.stocked("AB", "pos")
    assert allocated(centre, order(centre, "", "", 2)) == [o_red]
    assert allocated(centre, order(centre, "", "", 1, product=PLASMA)) == [ab_plasma]


def test_only_available_unexpired_units_are_allocated(centre):
    available = red_cells(centre, "O", "pos")
    unsafe = red_cells(centre, "O", "pos")
    inventory.mark_unsafe(by=centre.lab, donation=unsafe.donation, reason="recall")
    discarded = red_cells(centre, "O", "pos")
    inventory.discard(by=centre.clerk, component=discarded, reason="bag_damaged")
    expired = red_cells(centre, "O", "pos")  # expired a minute ago, not yet swept
    now = timezone.now()
    Component.objects.filter(pk=expired.pk).update(
        collected_at=now - dt.timedelta(days=42),
        released_at=now - dt.timedelta(days=41),
        expires_at=now - dt.timedelta(minutes=1),
    )
    donation = centre.donation()
    quarantined, _plasma = inventory.process_donation(
        by=centre.clerk,
        donation=donation,
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    assert allocated(centre, order(centre, "O", "pos", 5)) == [available]
    placed = order(centre, "O", "pos", 5)
    for unit in (unsafe, discarded, expired, quarantined, available):
        with pytest.raises(ValidationError):
            distribution.allocate_unit(by=centre.clerk, line=placed.lines.get(), component=unit)


def test_an_allocation_reserves_the_unit_and_is_recorded_on_the_order(centre):
    red = red_cells(centre, "B", "neg")
    placed = order(centre, "B", "neg")
    assert allocated(centre, placed) == [red]
    red.refresh_from_db()
    assert (red.status, red.version) == (Status.RESERVED, 5)  # release, label, stock, reserve
    placed.refresh_from_db()
    assert placed.version == 2


def test_the_desk_cannot_allocate_beyond_the_line_or_another_product(centre):
    first, plasma = centre.stocked()
    second = red_cells(centre, "O", "pos")
    placed = order(centre, "O", "pos", 1)
    line = placed.lines.get()
    distribution.allocate_unit(by=centre.clerk, line=line, component=first)
    with pytest.raises(ValidationError) as refused:
        distribution.allocate_unit(by=centre.clerk, line=line, component=second)
    assert refused.value.messages == ["This line already has all its units."]
    with pytest.raises(ValidationError) as refused:
        distribution.allocate_unit(by=centre.clerk, line=line, component=plasma)
    assert refused.value.messages == ["This unit is not the product ordered on this line."]


def test_a_unit_allocated_to_one_order_is_not_allocated_to_another(centre):
    red = red_cells(centre, "O", "pos")
    assert allocated(centre, order(centre, "O", "pos")) == [red]
    other = order(centre, "AB", "pos")
    assert allocated(centre, other) == []
    with pytest.raises(ValidationError):
        distribution.allocate_unit(by=centre.clerk, line=other.lines.get(), component=red)
    assert Allocation.objects.filter(component=red).count() == 1


def test_unallocating_or_cancelling_puts_the_units_back(centre):
    first = red_cells(centre, "O", "pos")
    second = red_cells(centre, "O", "pos")
    placed = order(centre, "O", "pos", 2)
    allocation, _other = distribution.allocate(by=centre.clerk, order=placed)
    distribution.unallocate(by=centre.clerk, allocation=allocation)
    distribution.cancel_order(by=centre.hospital_user, order=placed)
    for unit in (first, second):
        unit.refresh_from_db()
        assert unit.status == Status.AVAILABLE
    assert not Allocation.objects.filter(cancelled_at__isnull=True).exists()


def test_a_unit_in_the_shipment_is_unpacked_before_it_is_unallocated(centre):
    red = red_cells(centre, "O", "pos")
    placed = order(centre, "O", "pos")
    [allocation] = distribution.allocate(by=centre.clerk, order=placed)
    pick(centre, placed, red)
    with pytest.raises(ValidationError) as refused:
        distribution.unallocate(by=centre.clerk, allocation=allocation)
    assert refused.value.messages == ["Take the unit out of the shipment first."]


def test_a_unit_packed_for_a_cancelled_order_can_be_shipped_on_another(centre):
    red = red_cells(centre, "O", "pos")
    first = order(centre, "O", "pos")
    distribution.allocate(by=centre.clerk, order=first)
    pick(centre, first, red)
    distribution.cancel_order(by=centre.hospital_user, order=first)
    second = order(centre, "O", "pos")
    assert allocated(centre, second) == [red]
    pick(centre, second, red)
    distribution.dispatch(by=centre.clerk, order=second, packed_count=1)
    red.refresh_from_db()
    assert red.status == Status.ISSUED


def test_a_unit_returned_in_the_cold_chain_can_be_allocated_again(centre):
    red = red_cells(centre, "O", "pos")
    first = order(centre, "O", "pos")
    distribution.allocate(by=centre.clerk, order=first)
    pick(centre, first, red)
    distribution.dispatch(by=centre.clerk, order=first, packed_count=1)
    distribution.receive(by=centre.hospital_user, order=first, received_count=1)
    distribution.report_outcome(
        by=centre.hospital_user,
        item=first.shipment.items.get(),
        outcome=ItemOutcome.RETURNED,
        cold_chain_ok=True,
    )
    red.refresh_from_db()
    assert red.status == Status.AVAILABLE
    second = order(centre, "O", "pos")
    assert allocated(centre, second) == [red]
    pick(centre, second, red)
    distribution.dispatch(by=centre.clerk, order=second, packed_count=1)
    red.refresh_from_db()
    assert (red.status, red.issued_to) == (Status.ISSUED, centre.hospital)


def test_an_allocation_from_a_page_left_open_while_the_order_changed_is_refused(centre):
    red_cells(centre, "O", "pos")
    placed = order(centre, "O", "pos")
    with pytest.raises(ValidationError) as refused:
        distribution.allocate(by=centre.clerk, order=placed, version=placed.version + 1)
    assert set(refused.value.message_dict) == {"version"}


# The database holds the same rules -------------------------------------------------------


def test_the_database_refuses_a_second_live_allocation_of_a_unit(centre):
    red = red_cells(centre, "O", "pos")
    [allocation] = distribution.allocate(by=centre.clerk, order=order(centre, "O", "pos"))
    other = order(centre, "O", "pos").lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(
            line=other, component=red, allocated_at=timezone.now(), allocated_by=centre.clerk
        )
    Allocation.objects.filter(pk=allocation.pk).update(cancelled_at=timezone.now())
    Allocation.objects.create(  # a cancelled allocation is history, not a live one
        line=other, component=red, allocated_at=timezone.now(), allocated_by=centre.clerk
    )


def test_the_database_refuses_a_unit_in_two_live_shipments(centre):
    red = red_cells(centre, "O", "pos")
    first = order(centre, "O", "pos")
    distribution.allocate(by=centre.clerk, order=first)
    item = pick(centre, first, red)
    second = Shipment.objects.create(order=order(centre, "O", "pos"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ShipmentItem.objects.create(
            shipment=second, component=red, scanned_at=timezone.now(), scanned_by=centre.clerk
        )
    ShipmentItem.objects.filter(pk=item.pk).update(
        outcome="returned", outcome_at=timezone.now(), outcome_by=centre.clerk, cold_chain_ok=True
    )
    ShipmentItem.objects.create(  # a unit that came back may travel again
        shipment=second, component=red, scanned_at=timezone.now(), scanned_by=centre.clerk
    )
