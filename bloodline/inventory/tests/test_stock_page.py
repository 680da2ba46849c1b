"""The stock page: available units by component type and group, split by days to expiry;
quarantined and released units; days of supply; units expiring within 24 hours."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bloodline.inventory import stock
from bloodline.inventory.models import StockThreshold
from bloodline.lib import isbt128
from bloodline.lib.querycount import assert_flat, counted

URL = reverse("inventory:stock")


def _ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def _row(summary, code: str, abo: str, rhd: str):
    return next(r for r in summary.rows if (r.component_code, r.abo, r.rhd) == (code, abo, rhd))


def test_it_splits_available_units_by_days_to_expiry(centre) -> None:
    # Red cells keep 42 days in this rule set: collected 41.5, 40 and 36 days ago they have
    # half a day, two days and six days left; a fresh one has 42.
    for days in (41.5, 40, 36, 0.2):
        centre.stocked("O", "pos", at=_ago(days))
    summary = stock.summary(centre.centre)
    red = _row(summary, "red_cells_additive", "O", "pos")
    assert red.by_days == (1, 1, 1, 1)
    assert red.available == 4
    assert [c.component_code for c in summary.expiring] == ["red_cells_additive"]


def test_it_counts_quarantined_and_released_units_apart(centre, processed, released) -> None:
    processed()
    released("B", "neg")
    centre.stocked("B", "neg")
    summary = stock.summary(centre.centre)
    assert summary.quarantined == 2
    assert summary.awaiting_label == 2
    assert _row(summary, "red_cells_additive", "B", "neg").available == 1


def test_days_of_supply_are_flagged_against_the_thresholds(centre) -> None:
    for _ in range(3):
        centre.stocked("A", "pos")
    centre.stocked("O", "neg")
    StockThreshold.objects.create(
        establishment=centre.centre,
        component_kind="red_cells",
        abo="A",
        rhd="pos",
        daily_use=Decimal(1),
        minimum_days=Decimal(5),
        critical_days=Decimal(2),
    )
    StockThreshold.objects.create(
        establishment=centre.centre,
        component_kind="red_cells",
        abo="O",
        rhd="neg",
        daily_use=Decimal(2),
        minimum_days=Decimal(3),
        critical_days=Decimal(1),
    )
    StockThreshold.objects.create(
        establishment=centre.centre,
        component_kind="platelets",
        abo="AB",
        rhd="pos",
        daily_use=Decimal("0.5"),
        minimum_days=Decimal(2),
        critical_days=Decimal(1),
    )
    supply = {(s.component_kind, s.abo, s.rhd): s for s in stock.summary(centre.centre).supply}
    a_pos = supply[("red_cells", "A", "pos")]
    assert (a_pos.available, a_pos.days, a_pos.level) == (3, Decimal("3.0"), stock.Level.SHORTAGE)
    o_neg = supply[("red_cells", "O", "neg")]
    assert (o_neg.available, o_neg.days, o_neg.level) == (1, Decimal("0.5"), stock.Level.CRITICAL)
    none_left = supply[("platelets", "AB", "pos")]
    assert (none_left.available, none_left.level) == (0, stock.Level.CRITICAL)
    # Plasma has stock but no threshold: shown without a flag.
    assert supply[("plasma", "A", "pos")].level == ""


def test_the_page_shows_the_table_and_the_units_about_to_expire(centre, english) -> None:
    red, _plasma = centre.stocked("AB", "neg", at=_ago(41.5))
    page = english("inventory_clerk").get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "red cells in additive solution" in text and "AB−" in text
    assert reverse("inventory:component", args=[red.uuid]) in text
    assert isbt128.Din(red.donation.din).eye_readable() in text


GROUPS = [(abo, rhd) for abo in ("A", "B", "AB", "O") for rhd in ("pos", "neg")]


def nine_more(centre) -> int:
    """Nine more donations in stock, every group, every other one near its expiry; returns how
    many red-cell units now expire soon (with the first one)."""
    for i in range(9):
        abo, rhd = GROUPS[i % len(GROUPS)]
        centre.stocked(abo, rhd, at=_ago(41.5 + i / 100 if i % 2 == 0 else 1))
    return 1 + 5


def test_the_page_takes_the_same_queries_for_ten_times_the_units(centre, english) -> None:
    client = english("inventory_clerk")
    centre.stocked("O", "pos", at=_ago(41.5))
    client.get(URL)
    with counted() as few:
        client.get(URL)
    expiring = nine_more(centre)
    with counted() as many:
        page = client.get(URL)
    assert_flat(few, many, sizes=(1, 10))
    assert len(few) <= 12
    assert len(page.context["expiring"]) == expiring


def test_the_summary_runs_three_queries_for_one_or_ten_donations(centre) -> None:
    centre.stocked("O", "pos", at=_ago(41.5))
    with counted() as few:
        stock.summary(centre.centre)
    nine_more(centre)
    with counted() as many:
        summary = stock.summary(centre.centre)
    assert_flat(few, many, sizes=(1, 10))
    assert len(few) == len(many) == 3
    assert len(summary.expiring) == 6


def test_another_establishment_in_scope_can_be_chosen(centre, english, demo) -> None:
    point = demo.nodes["vn_point"]
    page = english("inventory_clerk").get(URL, {"establishment": str(point.uuid)})
    assert page.status_code == 200
    assert page.context["establishment"] == point


@pytest.mark.parametrize(
    ("persona", "status"),
    [("hospital_user", 403), ("drive_nurse", 403), ("lab_technician", 200)],
)
def test_the_stock_page_is_for_stock_staff(centre, english, persona, status) -> None:
    assert english(persona).get(URL).status_code == status


def test_another_countrys_establishment_is_not_found(centre, english) -> None:
    page = english("cn_establishment_admin").get(URL, {"establishment": str(centre.centre.uuid)})
    assert page.status_code == 404
