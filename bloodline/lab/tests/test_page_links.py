"""The sample page links each unit to its stock page and the donation to its trace."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from bloodline.drives.tests import conftest as drive_fixtures
from bloodline.inventory import actions as inventory
from bloodline.lab import actions

pytestmark = pytest.mark.django_db
english = drive_fixtures.english  # a signed-in client reading the pages in English


def test_units_link_to_their_stock_page_and_the_donation_to_its_trace(
    centre: Any, english: Any
) -> None:
    donation = centre.donation()
    actions.receive_sample(by=centre.lab, donation=donation)
    red, plasma = inventory.process_donation(
        by=centre.clerk,
        donation=donation,
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    stock = [reverse("inventory:component", args=[c.uuid]) for c in (red, plasma)]
    trace = reverse("trace:unit", args=[donation.din])
    page = english("lab_technician").get(reverse("lab:sample", args=[donation.din]))
    html = page.content.decode()
    assert all(f'href="{url}"' in html for url in stock)
    assert f'href="{trace}"' in html
