"""Issue 10, "Why" 6: target sums hold at every level (decision 0020).

The ``plan`` fixture is a district plan of 300 bags for 2026 with four quarterly rounds;
over-allocation is off unless a test turns it on."""

from __future__ import annotations

import html
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bloodline.programmes import actions
from bloodline.programmes.models import Target

from .test_targets import targets_of, xlsx

pytestmark = pytest.mark.django_db


def rounds(plan):
    return list(plan.rounds.order_by("starts_on"))


def area_round_targets(plan):
    return {
        t.round.name: t.amount
        for t in Target.objects.filter(plan=plan, organisation=plan.area, round__isnull=False)
    }


def test_four_rounds_of_300_under_a_300_plan_are_refused(plan, chair):
    first, second, *_ = rounds(plan)
    actions.set_area_target(by=chair, plan=plan, round=first, amount=300)
    with pytest.raises(ValidationError) as exc:
        actions.set_area_target(by=chair, plan=plan, round=second, amount=300)
    # 300 + 300 = 600 > 300
    assert "add up to 600, more than its 300 for the whole period" in exc.value.messages[0]
    assert area_round_targets(plan) == {"Đợt 1": Decimal(300)}  # nothing written


def test_round_targets_may_fill_the_period_exactly(plan, chair):
    for r in rounds(plan):
        actions.set_area_target(by=chair, plan=plan, round=r, amount=75)  # 4 × 75 = 300
    assert sum(area_round_targets(plan).values()) == 300
    with pytest.raises(ValidationError):
        actions.set_area_target(by=chair, plan=plan, round=rounds(plan)[0], amount=76)  # 301


def test_the_period_total_cannot_go_below_its_rounds(plan, chair):
    first, second, *_ = rounds(plan)
    actions.set_area_target(by=chair, plan=plan, round=first, amount=100)
    actions.set_area_target(by=chair, plan=plan, round=second, amount=120)
    with pytest.raises(ValidationError) as exc:
        actions.set_area_target(by=chair, plan=plan, round=None, amount=200)  # < 220
    assert "already hold 220" in exc.value.messages[0]
    assert Target.objects.get(plan=plan, organisation=plan.area, round=None).amount == 300


def test_a_parent_cannot_go_below_what_its_children_hold(plan, demo, chair):
    district, commune = demo.nodes["vn_dong"], demo.nodes["vn_dong_c0"]
    actions.set_targets(
        by=chair, plan=plan, parent=district, round=None, amounts={commune: Decimal(30)}
    )
    actions.set_targets(
        by=chair,
        plan=plan,
        parent=commune,
        round=None,
        amounts={
            demo.nodes["vn_seafood"]: Decimal(20),
            demo.nodes["vn_dong_c0_party"]: Decimal(10),
        },
    )
    with pytest.raises(ValidationError) as exc:
        actions.set_targets(
            by=chair, plan=plan, parent=district, round=None, amounts={commune: Decimal(25)}
        )
    assert "already hold 30" in exc.value.message_dict[str(commune.uuid)][0]
    assert targets_of(plan, district)[commune.name] == 30  # nothing written


def test_over_allocation_lets_a_parent_go_below_its_children(plan, demo, chair):
    plan.allow_over_allocation = True
    plan.save()
    district, commune = demo.nodes["vn_dong"], demo.nodes["vn_dong_c0"]
    actions.set_targets(
        by=chair, plan=plan, parent=district, round=None, amounts={commune: Decimal(30)}
    )
    actions.set_targets(
        by=chair,
        plan=plan,
        parent=commune,
        round=None,
        amounts={demo.nodes["vn_seafood"]: Decimal(30)},
    )
    actions.set_targets(
        by=chair, plan=plan, parent=district, round=None, amounts={commune: Decimal(25)}
    )
    assert targets_of(plan, district)[commune.name] == 25


def test_a_target_its_units_lean_on_cannot_be_removed(plan, demo, chair):
    district, commune = demo.nodes["vn_dong"], demo.nodes["vn_dong_c0"]
    actions.set_targets(
        by=chair, plan=plan, parent=district, round=None, amounts={commune: Decimal(30)}
    )
    actions.set_targets(
        by=chair,
        plan=plan,
        parent=commune,
        round=None,
        amounts={demo.nodes["vn_seafood"]: Decimal(5)},
    )
    with pytest.raises(ValidationError):
        actions.set_targets(
            by=chair, plan=plan, parent=district, round=None, amounts={commune: None}
        )
    assert targets_of(plan, district)[commune.name] == 30


def test_a_units_rounds_stay_within_its_period_target(plan, demo, chair):
    district, commune = demo.nodes["vn_dong"], demo.nodes["vn_dong_c0"]
    first, second, *_ = rounds(plan)
    actions.set_targets(
        by=chair, plan=plan, parent=district, round=None, amounts={commune: Decimal(30)}
    )
    actions.set_area_target(by=chair, plan=plan, round=first, amount=100)
    actions.set_area_target(by=chair, plan=plan, round=second, amount=100)
    actions.set_targets(
        by=chair, plan=plan, parent=district, round=first, amounts={commune: Decimal(20)}
    )
    with pytest.raises(ValidationError) as exc:
        actions.set_targets(  # 20 + 11 = 31 > 30
            by=chair, plan=plan, parent=district, round=second, amounts={commune: Decimal(11)}
        )
    assert "add up to 31, more than its 30" in exc.value.message_dict[str(commune.uuid)][0]
    assert targets_of(plan, district, second) == {}
    # and the commune's period target cannot drop below its rounds' 20
    with pytest.raises(ValidationError):
        actions.set_targets(
            by=chair, plan=plan, parent=district, round=None, amounts={commune: Decimal(19)}
        )


def test_the_xlsx_upload_refuses_a_parent_below_its_children(plan, demo, chair, login):
    district, commune = demo.nodes["vn_dong"], demo.nodes["vn_dong_c0"]
    actions.set_targets(
        by=chair, plan=plan, parent=district, round=None, amounts={commune: Decimal(30)}
    )
    actions.set_targets(
        by=chair,
        plan=plan,
        parent=commune,
        round=None,
        amounts={demo.nodes["vn_seafood"]: Decimal(30)},
    )
    client = login("district_committee")
    client.cookies["django_language"] = "en"
    header = ["Code", "Name", "Current target", "New target"]
    response = client.post(
        f"/plans/{plan.uuid}/targets/{district.uuid}/upload/",
        {"file": xlsx([header, [commune.official_code, "", 30, 10]])},
    )
    assert response.status_code == 400
    assert "already hold 30; its target cannot be lower" in html.unescape(response.content.decode())
    assert targets_of(plan, district)[commune.name] == 30


def test_the_api_refuses_a_parent_below_its_children_in_the_readers_language(
    plan, demo, chair, login
):
    district, commune = demo.nodes["vn_dong"], demo.nodes["vn_dong_c0"]
    actions.set_targets(
        by=chair, plan=plan, parent=district, round=None, amounts={commune: Decimal(30)}
    )
    actions.set_targets(
        by=chair,
        plan=plan,
        parent=commune,
        round=None,
        amounts={demo.nodes["vn_seafood"]: Decimal(30)},
    )
    client = login("district_committee")
    client.cookies["django_language"] = "fr"
    response = client.put(
        f"/api/v1/plans/{plan.uuid}/targets",
        json.dumps({"parent": str(district.uuid), "targets": {str(commune.uuid): "10"}}),
        content_type="application/json",
    )
    assert response.status_code == 422
    body = json.dumps(response.json(), ensure_ascii=False)
    assert "30" in body and "already hold" not in body  # translated, not English
    assert targets_of(plan, district)[commune.name] == 30
