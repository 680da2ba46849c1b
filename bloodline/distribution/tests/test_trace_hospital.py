"""A hospital traces the units it received: their orders and what became of them, nothing of
the donor, the screening or the tests, and nothing it did not receive."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions
from bloodline.drives.tests import conftest as drive_fixtures

pytestmark = pytest.mark.django_db
english = drive_fixtures.english  # a signed-in client reading the pages in English


def issue(centre: Any, red: Any) -> str:
    order = actions.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="emergency",
        needed_by=timezone.now() + dt.timedelta(hours=1),
        lines=[actions.LineRequest("red_cells_additive", "O", "pos", 1)],
    )
    actions.allocate(by=centre.clerk, order=order)
    scans = factories.label_scans(red)
    actions.pick(
        by=centre.clerk,
        order=order,
        din_scan=scans["din_scan"],
        product_scan=scans["product_scan"],
    )
    actions.dispatch(by=centre.clerk, order=order, packed_count=1)
    return order.number


def test_the_hospital_traces_a_unit_it_received_without_donor_data(
    centre: Any, english: Any
) -> None:
    red, _plasma = centre.stocked("O", "pos")
    number = issue(centre, red)
    response = english("hospital_user").get(reverse("trace:unit", args=[red.donation.din]))
    page = response.content.decode()
    assert response.status_code == 200
    assert number in page and "red cells in additive solution" in page and "issued" in page
    assert red.donation.donor.full_name not in page
    assert "<code>hiv</code>" not in page and "Screening" not in page
    assert "fresh frozen plasma" not in page  # the plasma never left the centre


def test_the_hospital_cannot_trace_a_unit_it_never_received(centre: Any, english: Any) -> None:
    red, _plasma = centre.stocked("O", "pos")
    response = english("hospital_user").get(reverse("trace:unit", args=[red.donation.din]))
    assert response.status_code == 404
    assert "is on record, or you may not trace it" in response.content.decode()
    search = english("hospital_user").get(reverse("trace:search"), {"q": red.donation.din})
    assert search.status_code == 200
    assert "is on record, or you may not trace it" in search.content.decode()


def test_a_unit_only_set_aside_for_the_hospital_is_not_traced_by_it(
    centre: Any, english: Any
) -> None:
    red, _plasma = centre.stocked("O", "pos")
    order = actions.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[actions.LineRequest("red_cells_additive", "O", "pos", 1)],
    )
    actions.allocate(by=centre.clerk, order=order)
    response = english("hospital_user").get(reverse("trace:unit", args=[red.donation.din]))
    assert response.status_code == 404
