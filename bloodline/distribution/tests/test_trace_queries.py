"""The trace reads a fixed number of queries however many components, orders and shipments
there are: each is measured for one and for ten orders (or donations)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions, trace
from bloodline.lib.querycount import assert_flat, counted

pytestmark = pytest.mark.django_db


def ship(centre: Any, units: list[Any]) -> None:
    order = actions.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[actions.LineRequest(u.component_code, u.abo, u.rhd, 1) for u in units],
    )
    for line, unit in zip(order.lines.all(), units, strict=True):
        actions.allocate_unit(by=centre.clerk, line=line, component=unit)
    for unit in units:
        scans = factories.label_scans(unit)
        actions.pick(
            by=centre.clerk,
            order=order,
            din_scan=scans["din_scan"],
            product_scan=scans["product_scan"],
        )
    actions.dispatch(by=centre.clerk, order=order, packed_count=len(units))


def _order(centre: Any, unit: Any) -> Any:
    return actions.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[actions.LineRequest(unit.component_code, unit.abo, unit.rhd, 1)],
    )


def ordered_and_cancelled(centre: Any, unit: Any, times: int) -> None:
    """``times`` orders that took the unit and were then cancelled: one movement each."""
    for _ in range(times):
        order = _order(centre, unit)
        actions.allocate_unit(by=centre.clerk, line=order.lines.get(), component=unit)
        actions.cancel_order(by=centre.hospital_user, order=order)


def a_donation_through(centre: Any, orders: int) -> Any:
    """A donation whose red cells were taken by ``orders`` cancelled orders, then both of its
    units shipped."""
    units = centre.stocked("O", "pos")
    ordered_and_cancelled(centre, units[0], orders)
    ship(centre, units)
    return units[0].donation


def test_a_donations_trace_takes_the_same_queries_for_ten_times_the_orders(
    centre: Any,
) -> None:
    fresh, _ = centre.stocked("O", "pos")
    small, large = a_donation_through(centre, 1), a_donation_through(centre, 10)
    counts = []
    for din in (fresh.donation.din, small.din, large.din):
        donation = trace.find_donation(din)
        assert donation is not None
        with counted() as queries:
            found = trace.unit_trace(donation, show_donor=True)
        counts.append((queries, found))
    assert len(counts[0][0]) <= 6 and len(counts[1][0]) <= 6
    assert_flat(counts[1][0], counts[2][0], sizes=(1, 10))
    assert [len(u.movements) for u in counts[2][1].units] == [11, 1]


def test_a_donors_trace_takes_the_same_queries_for_ten_times_the_donations(
    centre: Any,
) -> None:
    def donor_with(donations: int) -> Any:
        donor: Any = None
        units: list[Any] = []
        for days in range(donations):
            at = timezone.now() - dt.timedelta(days=days + 1)
            made = centre.stocked("O", "pos", donor=donor, at=at)
            donor, units = made[0].donation.donor, units + made
        ship(centre, units)
        return donor

    one, ten = donor_with(1), donor_with(10)
    with counted() as few:
        assert len(trace.donor_trace(one).donations) == 1
    with counted() as many:
        found = trace.donor_trace(ten)
    assert_flat(few, many, sizes=(1, 10))
    assert len(few) <= 5
    assert [len(d.units) for d in found.donations] == [2] * 10
    assert all(m.order_number for d in found.donations for u in d.units for m in u.movements)


def test_the_trace_page_takes_the_same_queries_for_ten_times_the_orders(
    centre: Any, login: Any
) -> None:
    small, large = a_donation_through(centre, 1), a_donation_through(centre, 10)
    client = login("establishment_admin")
    client.get(reverse("trace:unit", args=[small.din]))  # session and grants settle
    with counted() as few:
        assert client.get(reverse("trace:unit", args=[small.din])).status_code == 200
    with counted() as many:
        page = client.get(reverse("trace:unit", args=[large.din]))
    assert_flat(few, many, sizes=(1, 10))
    assert len(few) <= 10
    assert page.status_code == 200
