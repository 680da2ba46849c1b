"""Organisation actions check the person's scope every time; only the system actor (decision
0024) passes without a membership. They used to skip the check when called without a person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.organisations import actions
from bloodline.organisations.kinds import Kind
from bloodline.organisations.models import Membership, Organisation
from bloodline.organisations.roles import Role


def test_only_a_platform_administrator_or_the_system_adds_a_country(demo):
    before = Organisation.objects.count()
    for persona in ["province_committee", "establishment_admin"]:
        with pytest.raises(PermissionDenied):
            actions.create_organisation(
                by=User.objects.get(username=persona), parent=None, kind=Kind.COUNTRY, name="X"
            )
    assert Organisation.objects.count() == before
    country = actions.create_organisation(
        by=system_actor(), parent=None, kind=Kind.COUNTRY, name="Lào"
    )
    event = AuditEvent.objects.for_object("organisations.organisation", str(country.uuid)).get()
    assert (event.actor_id, event.actor_label) == (system_actor().pk, "system")


def test_a_superuser_who_was_switched_off_cannot_add_a_country(demo):
    admin = User.objects.get(username="admin")
    admin.is_active = False
    admin.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        actions.create_organisation(by=admin, parent=None, kind=Kind.COUNTRY, name="Lào")


def test_a_chinese_committee_cannot_add_under_a_vietnamese_district(demo):
    outsider = User.objects.get(username="cn_committee")
    with pytest.raises(PermissionDenied):
        actions.create_organisation(
            by=outsider, parent=demo.nodes["vn_dong"], kind=Kind.COMMUNE, name="Xã mới"
        )
    assert not Organisation.objects.filter(name="Xã mới").exists()


def test_memberships_are_given_only_inside_the_persons_scope(demo):
    newcomer = User.objects.create_user(username="newcomer", password="x")
    for persona in ["cn_committee", "unit_organiser", "drive_nurse"]:
        with pytest.raises(PermissionDenied):
            actions.add_membership(
                by=User.objects.get(username=persona),
                user=newcomer,
                organisation=demo.nodes["vn_centre"],
                role=Role.ESTABLISHMENT_ADMIN,
                valid_from=dt.date(2026, 1, 1),
            )
    assert not Membership.objects.filter(user=newcomer).exists()
    actions.add_membership(
        by=system_actor(),
        user=newcomer,
        organisation=demo.nodes["vn_centre"],
        role=Role.DRIVE_NURSE,
        valid_from=dt.date(2026, 1, 1),
    )
    assert Membership.objects.filter(user=newcomer).count() == 1
