"""The supply levels page (issue 15 §1): levels now with their figures, the last 30 days as a
chart with its data table, and a level set by hand by the establishment's stock managers."""

from __future__ import annotations

from typing import Any

import pytest

from bloodline.audit.models import AuditEvent
from bloodline.inventory import supply
from bloodline.inventory.models import SupplyCause, SupplyLevelChange

pytestmark = pytest.mark.django_db

PAGE = "/stock/supply/"


@pytest.fixture
def ab_negative(centre: Any) -> Any:
    """Two AB RhD-negative red cells on the demo centre's shelf, their level recorded."""
    for _ in range(2):
        centre.stocked("AB", "neg")
    supply.check(centre.centre)
    return centre


def test_the_page_shows_each_level_with_its_figures_and_the_recorded_changes(
    ab_negative: Any, english: Any
) -> None:
    page = english("lab_technician").get(PAGE)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Supply levels at" in body
    assert "over the last 28 days" in body  # the rule set's window
    assert 'class="badge level-green">Green<' in body
    assert "<svg" in body and 'class="level-green"' in body  # the 30-day chart
    assert "days of supply crossed a level" in body  # the change, in the data table
    assert "Set a level by hand" not in body  # the laboratory may look, not set


def test_a_stock_manager_sets_a_level_by_hand_and_the_page_says_until_when(
    ab_negative: Any, english: Any
) -> None:
    admin = english("establishment_admin")
    answer = admin.post(
        f"{PAGE}set/",
        {
            "component_kind": "red_cells",
            "abo": "AB",
            "rhd": "neg",
            "level": "amber",
            "hours": "48",
            "reason": "Cardiac surgery list this week",
        },
    )
    assert answer.status_code == 302
    made = SupplyLevelChange.objects.get(cause=SupplyCause.OVERRIDE)
    assert (made.level, made.reason) == ("amber", "Cardiac surgery list this week")
    assert AuditEvent.objects.filter(action="stock.supply_level_set").count() == 1
    body = admin.get(answer["Location"]).content.decode()
    assert 'class="badge level-amber">Amber<' in body
    assert "Set by hand until" in body and "Cardiac surgery list this week" in body


def test_bad_input_is_refused_in_the_readers_language_and_nothing_is_written(
    ab_negative: Any, login: Any
) -> None:
    nurse_of_stock = login("establishment_admin")
    nurse_of_stock.cookies["django_language"] = "vi"
    answer = nurse_of_stock.post(
        f"{PAGE}set/",
        {
            "component_kind": "red_cells",
            "abo": "B",
            "rhd": "neg",
            "level": "red",
            "hours": "24",
            "reason": "   ",
        },
    )
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "Cơ sở này không lưu giữ" in body or "Trường này là bắt buộc" in body
    assert not SupplyLevelChange.objects.filter(cause=SupplyCause.OVERRIDE).exists()


def test_people_without_stock_management_cannot_set_a_level(ab_negative: Any, english: Any) -> None:
    answer = english("lab_technician").post(
        f"{PAGE}set/",
        {
            "component_kind": "red_cells",
            "abo": "AB",
            "rhd": "neg",
            "level": "red",
            "hours": "24",
            "reason": "Not mine to set",
        },
    )
    assert answer.status_code == 403
    assert not SupplyLevelChange.objects.filter(cause=SupplyCause.OVERRIDE).exists()
