"""Plan actions check the person's scope every time; only the system actor (decision 0024)
passes without a membership. They used to skip the check when called without a person."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.programmes import actions
from bloodline.programmes.models import Measure, Plan, PlanStatus


def _draft(by, issuer):
    return actions.create_plan(
        by=by,
        issuer=issuer,
        number="12/KH",
        issued_on=dt.date(2025, 12, 1),
        title="Kế hoạch",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        measure=Measure.BAGS,
        total_target=100,
    )


@pytest.mark.parametrize("persona", ["unit_organiser", "cn_committee", "establishment_admin"])
def test_it_refuses_to_draft_a_plan_outside_the_persons_scope(demo, persona):
    person = User.objects.get(username=persona)
    with pytest.raises(PermissionDenied):
        _draft(person, demo.nodes["vn_dong_committee"])
    assert not Plan.objects.filter(number="12/KH").exists()


def test_a_chinese_committee_cannot_issue_or_allocate_a_vietnamese_plan(demo, chair, communes):
    draft = _draft(chair, demo.nodes["vn_dong_committee"])
    outsider = User.objects.get(username="cn_committee")
    with pytest.raises(PermissionDenied):
        actions.issue_plan(by=outsider, plan=draft)
    with pytest.raises(PermissionDenied):
        actions.set_targets(
            by=outsider,
            plan=draft,
            parent=demo.nodes["vn_dong"],
            round=None,
            amounts={communes[0]: Decimal(10)},
        )
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT and draft.version == 1


def test_the_system_actor_drafts_allocates_and_issues_and_is_named_in_the_history(demo, communes):
    actor = system_actor()
    draft = _draft(actor, demo.nodes["vn_dong_committee"])
    actions.set_targets(
        by=actor,
        plan=draft,
        parent=demo.nodes["vn_dong"],
        round=None,
        amounts={communes[0]: Decimal(10)},
    )
    issued = actions.issue_plan(by=actor, plan=draft)
    assert issued.status == PlanStatus.ISSUED
    events = AuditEvent.objects.for_object("programmes.plan", str(draft.uuid))
    assert events.count() >= 3
    assert set(events.values_list("actor_id", "actor_label")) == {(actor.pk, "system")}
