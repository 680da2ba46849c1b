"""The trace reads a fixed number of queries however many components, orders and shipments
there are."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bloodline.distribution import actions, factories, trace

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


def test_a_donations_trace_takes_a_fixed_number_of_queries(
    centre: Any, django_assert_max_num_queries: Any
) -> None:
    fresh, _ = centre.stocked("O", "pos")
    shipped = centre.stocked("A", "neg")
    ship(centre, shipped)
    for unit in (fresh, shipped[0]):
        donation = trace.find_donation(unit.donation.din)
        assert donation is not None
        with django_assert_max_num_queries(6):
            found = trace.unit_trace(donation, show_donor=True)
        assert len(found.units) == 2
    assert {m.order_number for u in found.units for m in u.movements}


def test_a_donors_trace_takes_a_fixed_number_of_queries(
    centre: Any, django_assert_max_num_queries: Any
) -> None:
    red, _plasma = centre.stocked("O", "pos", at=timezone.now() - dt.timedelta(days=3))
    donor = red.donation.donor
    with django_assert_max_num_queries(5):
        assert len(trace.donor_trace(donor).donations) == 1
    for days in (2, 1):
        units = centre.stocked("O", "pos", donor=donor, at=timezone.now() - dt.timedelta(days=days))
        ship(centre, units)
    with django_assert_max_num_queries(5):
        found = trace.donor_trace(donor)
    assert [len(d.units) for d in found.donations] == [2, 2, 2]


def test_the_trace_page_takes_a_fixed_number_of_queries(
    centre: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    units = centre.stocked("O", "pos")
    ship(centre, units)
    client = login("establishment_admin")
    with django_assert_max_num_queries(10):
        page = client.get(reverse("trace:unit", args=[units[0].donation.din]))
    assert page.status_code == 200
