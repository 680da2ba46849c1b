"""A donor's trace: every donation, newest first, each component with what became of it. Only
for people who may see donors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bloodline.drives.tests import conftest as drive_fixtures
from bloodline.inventory import actions as inventory

pytestmark = pytest.mark.django_db
english = drive_fixtures.english  # a signed-in client reading the pages in English


def test_the_donor_trace_lists_every_donation_and_each_units_fate(
    centre: Any, english: Any
) -> None:
    first_red, _first_plasma = centre.stocked("O", "pos", at=timezone.now() - dt.timedelta(days=1))
    donor = first_red.donation.donor
    second = centre.donation(donor=donor)
    inventory.process_donation(
        by=centre.clerk,
        donation=second,
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    inventory.discard(by=centre.clerk, component=first_red, reason="bag_damaged")
    response = english("establishment_admin").get(reverse("trace:donor", args=[donor.uuid]))
    page = response.content.decode()
    assert response.status_code == 200
    assert donor.full_name in page
    assert page.index(second.din) < page.index(first_red.donation.din)  # newest first
    assert "bag damaged or leaking" in page and "quarantined" in page and "available" in page


def test_people_who_may_not_see_donors_get_404(centre: Any, login: Any) -> None:
    red, _plasma = centre.stocked("O", "pos")
    url = reverse("trace:donor", args=[red.donation.donor.uuid])
    assert login("lab_technician").get(url).status_code == 404
    assert login("hospital_user").get(url).status_code == 404
