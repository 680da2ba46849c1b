"""Saves and deletes in the configuration site (Django admin) write the same audit trail as
the actions: old → new, the admin user as the actor (decision 0032)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.forms import MultiWidget
from django.test import Client, RequestFactory

from bloodline.accounts.models import User
from bloodline.audit.admin import AuditedAdminMixin
from bloodline.audit.models import AuditEvent
from bloodline.audit.record import object_id
from bloodline.collection.admin import DonationAdmin
from bloodline.donors import actions
from bloodline.donors.models import Donor
from bloodline.organisations.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(demo: Any) -> User:
    return User.objects.create_superuser(username="root_admin", password="x", full_name="Root")


@pytest.fixture
def site(root: User) -> Client:
    client = Client()
    client.force_login(root)
    return client


def _post_change(client: Client, root: User, obj: Any, **changes: Any) -> Any:
    """Post the admin change form of ``obj`` as it is shown, with ``changes`` typed in."""
    model_admin = admin.site._registry[type(obj)]
    request = RequestFactory().get("/")
    request.user = root
    form = model_admin.get_form(request, obj, change=True)(instance=obj)
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = changes.get(name, form[name].value())
        if isinstance(field.widget, MultiWidget):
            for i, part in enumerate(field.widget.decompress(value) or []):
                data[f"{name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    meta = obj._meta
    url = f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def _event(obj: Any, action: str) -> AuditEvent:
    return AuditEvent.objects.filter(object_id=object_id(obj), action=action).latest("id")


def test_a_donor_edit_in_the_admin_records_old_and_new(site, root, demo):
    nurse = User.objects.get(username="drive_nurse")
    donor = actions.create_donor(
        by=nurse,
        affiliation=None,
        full_name="Phạm Thị Cũ",
        date_of_birth=dt.date(1985, 3, 4),
        sex="F",
        phone="0912 000 222",
        region="VN",
    )
    version = donor.version
    _post_change(
        site,
        root,
        donor,
        full_name="Phạm Thị Mới",
        date_of_birth="1985-03-05",
        abo_declared="B",
    )
    event = _event(donor, "admin.change")
    assert event.actor_id == root.pk
    # Names and birth dates are masked like identifiers (erasure leaves nothing behind).
    assert event.changes["full_name"] == ["••• Cũ", "•••Mới"]
    assert event.changes["date_of_birth"] == ["•••-04", "•••-05"]
    assert event.changes["abo_declared"] == ["", "B"]
    assert "phone" not in event.changes
    assert Donor.objects.get(pk=donor.pk).version == version + 1  # open edit pages go stale


def test_making_someone_superuser_is_audited(site, root, demo):
    user = User.objects.get(username="drive_nurse")
    _post_change(site, root, user, is_superuser=True, is_staff=True)
    event = _event(user, "admin.change")
    assert event.actor_id == root.pk
    assert event.changes["is_superuser"] == [False, True]
    assert event.changes["is_staff"] == [False, True]
    assert "password" not in event.changes


def test_giving_a_group_is_audited(site, root, demo):
    group = Group.objects.create(name="auditors")
    user = User.objects.get(username="drive_nurse")
    _post_change(site, root, user, groups=[group.pk])
    assert _event(user, "admin.change").changes["groups"] == [[], [str(group.pk)]]


def test_a_membership_given_in_the_admin_is_audited_on_its_organisation(site, root, demo):
    membership = Membership.objects.select_related("organisation").first()
    _post_change(site, root, membership, valid_to="2030-01-01")
    event = _event(membership.organisation, "admin.change")
    assert event.changes == {"valid_to": [None, "2030-01-01"]}


def test_a_deletion_in_the_admin_is_audited_with_what_was_deleted(site, root, demo):
    user = User.objects.create_user(username="leaving", password="x", full_name="Leaving")
    site.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    assert not User.objects.filter(pk=user.pk).exists()
    event = AuditEvent.objects.get(action="admin.delete", object_id=str(object_id(user)))
    assert event.changes["username"] == ["leaving", None]


def test_every_writable_admin_of_our_models_is_audited():
    request = RequestFactory().get("/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    through_actions = {DonationAdmin}  # adds go through record_donation, which audits
    unaudited = []
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("bloodline.") and model is not Group:
            continue
        writable = (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
        audited = isinstance(model_admin, AuditedAdminMixin)
        if writable and not audited and type(model_admin) not in through_actions:
            unaudited.append(model._meta.label)
    assert unaudited == []


def test_the_history_words_an_admin_edit_old_and_new(site, root, demo):
    from django.utils import translation

    from bloodline.audit.action_labels import action_label
    from bloodline.audit.presenter import present

    user = User.objects.get(username="drive_nurse")
    _post_change(site, root, user, is_superuser=True)
    event = _event(user, "admin.change")
    with translation.override("en"):
        [row] = present([event])
        assert row.action == action_label("admin.change") == "Changed in the configuration site"
        # (The admin's date widgets drop microseconds, so date_joined may change too.)
        [change] = [c for c in row.changes if c.label.lower().startswith("superuser")]
        assert (change.old, change.new) == ("no", "yes")  # words, not codes
