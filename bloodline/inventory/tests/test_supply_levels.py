"""Supply status (issue 15 §1, decision 0060): days of supply from the units issued over the
rule set's window, the level its bounds give, each change recorded with its figures and
cause, and a level set by hand with a reason until a time (audited)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pydantic import ValidationError as RuleError

from bloodline.audit.models import AuditEvent
from bloodline.inventory import supply
from bloodline.inventory.models import Component, SupplyCause, SupplyLevelChange
from bloodline.inventory.status import Status
from bloodline.jurisdictions.loader import registry
from bloodline.jurisdictions.schema import Supply, SupplyLevels

# NHSBT: aim 6 days, hospitals notified below 2 days [U30]; no figure for red (flagged).
NHSBT_RED_CELLS = {
    "pre_amber": {"days": 6, "source": ["U30"]},
    "amber": {"days": 2, "source": ["U30"]},
    "red": {"days": 1, "verified": False},
}


def levels(**bounds: Any) -> SupplyLevels:
    values = {k: {"verified": False, **v} for k, v in bounds.items()}
    return SupplyLevels.model_validate({"component_kind": "red_cells", **values})


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0.0, "red"),
        (0.9, "red"),
        (1.0, "amber"),  # at the red bound: no longer red ("below")
        (1.9, "amber"),
        (2.0, "pre_amber"),  # NHSBT notifies hospitals below 2 days [U30]
        (5.9, "pre_amber"),
        (6.0, "green"),  # NHSBT aims to hold 6 days of red cells [U30]
        (30.0, "green"),
    ],
)
def test_red_cell_levels_fall_at_each_bound(days: float, expected: str) -> None:
    assert levels(**NHSBT_RED_CELLS).level(days) == expected


def test_a_bound_may_count_its_own_day_platelets_notify_at_half_a_day() -> None:
    platelets = levels(
        pre_amber={"days": 1},
        amber={"days": 0.5, "at_or_below": True},  # "notified at ≤ 0.5 day" [U30]
        red={"days": 0.2},
    )
    assert [platelets.level(d) for d in (0.6, 0.5, 0.4, 0.2, 0.1)] == [
        "pre_amber",
        "amber",
        "amber",
        "amber",
        "red",
    ]


@pytest.mark.parametrize(
    "bad",
    [
        {"pre_amber": {"days": 2}, "amber": {"days": 6}, "red": {"days": 1}},
        {"pre_amber": {"days": 6}, "amber": {"days": 2}, "red": {"days": 3}},
    ],
)
def test_bounds_that_do_not_fall_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(RuleError, match="must fall"):
        levels(**bad)


def test_the_window_is_counted_in_days_and_a_class_has_one_set_of_levels() -> None:
    one = {"component_kind": "red_cells", **NHSBT_RED_CELLS}
    with pytest.raises(RuleError, match="counted in days"):
        Supply.model_validate(
            {"window": {"value": 4, "unit": "weeks", "verified": False}, "levels": [one]}
        )
    with pytest.raises(RuleError, match="one set of levels"):
        Supply.model_validate(
            {"window": {"value": 28, "unit": "days", "verified": False}, "levels": [one, one]}
        )


def test_china_and_vietnam_ship_nhsbt_figures_flagged_for_the_deployer() -> None:
    for code in ("CN-GB18467-2011", "VN-TT26-2013"):
        rules = registry.current(code)
        assert rules.supply is not None
        red_cells = rules.supply.levels_of("red_cells")
        assert red_cells is not None
        assert (red_cells.pre_amber.days, red_cells.amber.days) == (6, 2)  # [U30]
        assert red_cells.pre_amber.source == ["U30"] and not red_cells.pre_amber.verified
        assert "supply.levels.0.pre_amber" in rules.unverified()
    assert registry.current("WHO-2012").supply is None  # none given: no level, not "green"


def test_days_of_supply_are_rounded_down_and_unbounded_without_issues() -> None:
    assert supply.days_of_supply(available=2, issued=3, window_days=1) == Decimal("0.6")
    assert supply.days_of_supply(available=10, issued=28, window_days=28) == Decimal("10.0")
    assert supply.days_of_supply(available=5, issued=0, window_days=28) is None


# The stock of one group at the demo's blood centre, through the real actions ----------------

ONE_DAY = Supply.model_validate(
    {
        "window": {"value": 1, "unit": "days", "verified": False},
        "levels": [{"component_kind": "red_cells", **NHSBT_RED_CELLS}],
    }
)


@pytest.fixture
def one_day_window(monkeypatch: pytest.MonkeyPatch) -> Supply:
    """The demo centre's rules with a window of one day, so that a handful of units moves the
    level (the rule data is replaced, not the code)."""
    monkeypatch.setattr(supply, "rules_of", lambda establishment, now: ONE_DAY)
    return ONE_DAY


def issue(centre: Any, component: Component, at: dt.datetime) -> None:
    """Record the unit as issued to the demo hospital (the distribution flow's end facts)."""
    Component.objects.filter(pk=component.pk).update(
        issued_at=at, issued_to=centre.hospital, status=Status.ISSUED
    )


def ab_negative(centre: Any, now: dt.datetime | None = None) -> supply.GroupSupply | None:
    return next(
        (s for s in supply.statuses(centre.centre, now) if s.key == ("red_cells", "AB", "neg")),
        None,
    )


@pytest.mark.django_db
def test_levels_follow_issues_and_each_change_is_recorded_once(
    centre: Any, one_day_window: Supply
) -> None:
    assert ab_negative(centre) is None  # the demo holds no AB RhD-negative red cells
    red = [
        next(c for c in centre.stocked("AB", "neg") if c.component_kind == "red_cells")
        for _ in range(3)
    ]
    status = ab_negative(centre)
    assert status is not None
    assert (status.available, status.issued, status.days, status.level) == (3, 0, None, "green")
    assert [(c.level, c.cause) for c in supply.check(centre.centre) if c.abo == "AB"] == [
        ("green", SupplyCause.COMPUTED)
    ]

    issue(centre, red[0], timezone.now() - dt.timedelta(hours=2))
    status = ab_negative(centre)
    assert status is not None
    assert (status.available, status.issued, status.days) == (2, 1, Decimal("2.0"))
    assert status.level == "pre_amber"
    assert [c.level for c in supply.check(centre.centre) if c.abo == "AB"] == ["pre_amber"]
    assert not [c for c in supply.check(centre.centre) if c.abo == "AB"]  # no change, no row

    issue(centre, red[1], timezone.now() - dt.timedelta(hours=1))
    (change,) = [c for c in supply.check(centre.centre) if c.abo == "AB"]
    assert (change.level, change.available, change.issued, change.days) == (
        "red",
        1,
        2,
        Decimal("0.5"),
    )

    # An issue older than the window no longer counts.
    later = timezone.now() + dt.timedelta(days=1)
    status = ab_negative(centre, later)
    assert status is not None
    assert (status.issued, status.days, status.level) == (0, None, "green")
    # Plasma has no levels in the rules: no level, never a silent green.
    plasma = [s for s in supply.statuses(centre.centre, later) if s.component_kind == "plasma"]
    assert plasma and {s.level for s in plasma} == {""}


@pytest.mark.django_db
def test_a_level_set_by_hand_holds_until_its_end_then_the_computed_one_returns(
    centre: Any, one_day_window: Supply
) -> None:
    red = [
        next(c for c in centre.stocked("AB", "neg") if c.component_kind == "red_cells")
        for _ in range(2)
    ]
    issue(centre, red[0], timezone.now() - dt.timedelta(hours=1))  # 1 left, 1 issued: amber
    supply.check(centre.centre)
    now = timezone.now()
    until = now + dt.timedelta(days=1)
    made = supply.override(
        by=centre.second,
        establishment=centre.centre,
        component_kind="red_cells",
        abo="AB",
        rhd="neg",
        level="red",
        reason="Two units promised to a surgery tomorrow",
        until=until,
    )
    assert (made.cause, made.by, made.level) == (SupplyCause.OVERRIDE, centre.second, "red")
    event = AuditEvent.objects.get(action="stock.supply_level_set")
    assert event.changes["level"] == ["amber", "red"]
    status = ab_negative(centre)
    assert status is not None and (status.computed, status.level) == ("amber", "red")
    assert not [c for c in supply.check(centre.centre) if c.abo == "AB"]  # the setting holds

    after = until + dt.timedelta(minutes=1)
    (back,) = [c for c in supply.check(centre.centre, after) if c.abo == "AB"]
    assert (back.level, back.cause) == ("green", SupplyCause.OVERRIDE_ENDED)  # issue aged out


@pytest.mark.django_db
def test_a_level_set_by_hand_needs_a_level_a_reason_and_an_end_within_14_days(
    centre: Any, one_day_window: Supply
) -> None:
    centre.stocked("AB", "neg")
    now = timezone.now()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"level": "purple"}, "level"),
        ({"reason": "  "}, "reason"),
        ({"until": now - dt.timedelta(minutes=1)}, "until"),
        ({"until": now + dt.timedelta(days=15)}, "until"),
        ({"abo": "B"}, "abo"),  # nothing held or issued of B RhD-negative red cells
    ]
    before = SupplyLevelChange.objects.count()
    for change, field in cases:
        arguments: dict[str, Any] = {
            "by": centre.second,
            "establishment": centre.centre,
            "component_kind": "red_cells",
            "abo": "AB",
            "rhd": "neg",
            "level": "amber",
            "reason": "A drill",
            "until": now + dt.timedelta(days=1),
            "now": now,
            **change,
        }
        with pytest.raises(ValidationError) as refused:
            supply.override(**arguments)
        assert field in refused.value.message_dict, change
    assert SupplyLevelChange.objects.count() == before
    assert not AuditEvent.objects.filter(action="stock.supply_level_set").exists()


@pytest.mark.django_db
def test_only_people_who_manage_the_stock_set_a_level(centre: Any, one_day_window: Supply) -> None:
    centre.stocked("AB", "neg")
    with pytest.raises(PermissionDenied):
        supply.override(
            by=centre.hospital_user,
            establishment=centre.centre,
            component_kind="red_cells",
            abo="AB",
            rhd="neg",
            level="red",
            reason="Not mine to set",
            until=timezone.now() + dt.timedelta(days=1),
        )
    assert not SupplyLevelChange.objects.filter(cause=SupplyCause.OVERRIDE).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "shown"), [("VN-TT26-2013", True), ("WHO-2012", False)])
def test_the_rule_set_page_shows_the_supply_levels_or_says_there_are_none(
    demo: Any, login: Any, code: str, shown: bool
) -> None:
    client = login("drive_nurse")
    client.cookies["django_language"] = "fr"
    page = client.get(f"/rules/{code}/").content.decode()
    if shown:
        assert "Niveaux d'approvisionnement" in page
        assert "jours d'approvisionnement sous 6" in page  # red cells, pre-amber [U30]
        assert "jours d'approvisionnement au plus 0,5" in page  # platelets, amber [U30]
        assert "U30" in page
    else:
        assert "Pas de niveaux d'approvisionnement" in page
