"""The system actor: background and demo work act as one reserved user that can never sign
in, that scope checks allow by name and that the history names as "System" (decision 0024)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from bloodline.accounts.models import SYSTEM_USERNAME, User
from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm


def test_it_is_one_row_created_by_the_migration(db) -> None:
    first = User.objects.get(username=SYSTEM_USERNAME)
    assert system_actor() == first == system_actor()
    assert User.objects.filter(username=SYSTEM_USERNAME).count() == 1
    assert first.is_system


def test_it_is_made_again_after_the_database_was_emptied(db) -> None:
    User.objects.filter(username=SYSTEM_USERNAME).delete()
    again = system_actor()
    assert again.is_system and not again.is_active and not again.has_usable_password()


def test_it_cannot_sign_in(db) -> None:
    actor = system_actor()
    assert not actor.is_active and not actor.is_staff and not actor.is_superuser
    assert not actor.has_usable_password()
    assert not Client().login(username=SYSTEM_USERNAME, password="")


@pytest.mark.parametrize(
    "change",
    [
        {"is_active": True},
        {"is_staff": True},
        {"is_superuser": True},
        {"password": "pbkdf2_sha256$1$salt$hash"},
    ],
)
def test_the_database_refuses_to_let_it_sign_in(db, change) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(username=SYSTEM_USERNAME).update(**change)


def test_nobody_else_can_take_its_name(db) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(username=SYSTEM_USERNAME).delete()
        User.objects.create_user(username=SYSTEM_USERNAME, password="s3cret-enough")


def test_a_person_with_another_name_is_not_the_system(demo) -> None:
    admin = User.objects.get(username="admin")
    assert not admin.is_system
    inactive = User.objects.get(username="unit_organiser")
    inactive.is_active = False
    assert not inactive.is_system and not access.unbounded(inactive)


def test_access_allows_it_by_name_everywhere(demo) -> None:
    actor = system_actor()
    everywhere = [demo.nodes["vn_centre"], demo.nodes["cn_firm0"], demo.nodes["vn_garment"]]
    assert all(access.has_perm(actor, Perm.DRIVE_MANAGE, org) for org in everywhere)
    assert access.unbounded(actor)
    assert Organisation.objects.filter(parent__isnull=True).exists()


def test_the_demo_is_recorded_as_the_system(demo) -> None:
    country = demo.nodes["vn"]
    created = AuditEvent.objects.filter(action="organisation.create")
    assert created.exists()
    assert set(created.values_list("actor_id", "actor_label")) == {(system_actor().pk, "system")}
    assert created.filter(object_id=str(country.uuid)).exists()


def test_history_pages_name_it_system_in_the_readers_language(demo, login) -> None:
    org = demo.nodes["vn_dong"]
    client = login("province_committee")
    client.cookies["django_language"] = "vi"
    page = client.get(f"/organisations/{org.uuid}/history/").content.decode()
    assert "<td>Hệ thống</td>" in page
    client.cookies["django_language"] = "en"
    page = client.get(f"/organisations/{org.uuid}/history/").content.decode()
    assert "<td>System</td>" in page and "<td>system</td>" not in page


def test_the_history_api_names_it_in_the_requests_language(demo, login) -> None:
    org = demo.nodes["vn_dong"]
    client = login("province_committee")
    found = client.get(
        f"/api/v1/organisations/{org.uuid}/history", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).json()
    assert {row["actor"] for row in found["items"]} == {"系统"}
