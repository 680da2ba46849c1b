"""The verbs every app gets its objects through (decision 0025): ``get_in_scope`` (404 when
the object does not exist or the person cannot even see it, 403 when they see it without the
permission asked), ``in_scope`` (a queryset narrowed to the person's scope, through one or
several organisation fields) and ``holds_anywhere`` (for menus and lists). Who has no limits
— an active superuser, the system actor — is decided once, in ``unbounded``.

Expected answers are written out from the demo tree, not computed with the code under test.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.drives.models import DriveRequest
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

pytestmark = pytest.mark.django_db


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _request(demo: Any, establishment: str, unit: str) -> DriveRequest:
    """A drive request: addressed to ``establishment``, made by ``unit``."""
    return DriveRequest.objects.create(
        establishment=demo.nodes[establishment],
        requested_by=demo.nodes[unit],
        option_1=dt.date(2027, 3, 1),
        expected_donors=40,
        venue="Hội trường",
    )


# get_in_scope ---------------------------------------------------------------------------------


def test_it_answers_404_for_an_object_that_does_not_exist(demo: Any) -> None:
    with pytest.raises(Http404):
        access.get_in_scope(
            _user("lab_technician"), Organisation.objects.all(), via="", uuid=uuid.uuid4()
        )


def test_it_answers_404_for_a_malformed_id_rather_than_an_error(demo: Any) -> None:
    with pytest.raises(Http404):
        access.get_in_scope(
            _user("lab_technician"), Organisation.objects.all(), via="", uuid="not-a-uuid"
        )


def test_it_answers_404_outside_what_the_person_can_see_so_existence_is_not_revealed(
    demo: Any,
) -> None:
    chinese = demo.nodes["cn_centre"]
    with pytest.raises(Http404):
        access.get_in_scope(
            _user("lab_technician"),
            Organisation.objects.all(),
            perm=Perm.LAB_RESULT,
            via="",
            uuid=chinese.uuid,
        )


def test_it_answers_403_when_the_person_sees_the_object_but_lacks_the_permission(
    demo: Any,
) -> None:
    centre = demo.nodes["vn_centre"]
    nurse = _user("drive_nurse")  # sees the centre, does no laboratory work
    assert access.get_in_scope(nurse, Organisation.objects.all(), via="", uuid=centre.uuid)
    with pytest.raises(PermissionDenied):
        access.get_in_scope(
            nurse, Organisation.objects.all(), perm=Perm.LAB_RESULT, via="", uuid=centre.uuid
        )


def test_it_gives_the_object_when_the_permission_is_held_there(demo: Any) -> None:
    centre = demo.nodes["vn_centre"]
    found = access.get_in_scope(
        _user("lab_technician"),
        Organisation.objects.all(),
        perm=Perm.LAB_RESULT,
        via="",
        uuid=centre.uuid,
    )
    assert found == centre


def test_it_reaches_an_object_through_any_of_several_organisation_fields(demo: Any) -> None:
    request = _request(demo, "vn_centre", "vn_garment")
    fields = ("establishment", "requested_by")
    # The garment unit's organiser sees it through the unit that asked ...
    organiser = _user("unit_organiser")
    assert access.get_in_scope(organiser, DriveRequest.objects.all(), via=fields, pk=request.pk)
    # ... but not through the establishment field alone.
    with pytest.raises(Http404):
        access.get_in_scope(
            organiser, DriveRequest.objects.all(), via="establishment", pk=request.pk
        )
    # Drive management is held at the centre, not at the unit: 403 for the organiser.
    with pytest.raises(PermissionDenied):
        access.get_in_scope(
            organiser,
            DriveRequest.objects.all(),
            perm=Perm.DRIVE_MANAGE,
            via=fields,
            pk=request.pk,
        )
    admin = _user("establishment_admin")
    found = access.get_in_scope(
        admin, DriveRequest.objects.all(), perm=Perm.DRIVE_MANAGE, via=fields, pk=request.pk
    )
    assert found == request


# in_scope -------------------------------------------------------------------------------------


def test_in_scope_keeps_rows_seen_through_either_field_and_nothing_else(demo: Any) -> None:
    to_centre = _request(demo, "vn_centre", "vn_garment")
    from_coop = _request(demo, "vn_centre", "vn_coop")
    chinese = _request(demo, "cn_centre", "cn_firm0")
    fields = ("establishment", "requested_by")
    rows = DriveRequest.objects.all()
    assert set(access.in_scope(rows, _user("unit_organiser"), via=fields)) == {to_centre}
    assert set(access.in_scope(rows, _user("lab_technician"), via=fields)) == {
        to_centre,
        from_coop,
    }
    assert set(access.in_scope(rows, _user("cn_establishment_admin"), via=fields)) == {chinese}
    assert set(access.in_scope(rows, _user("donor"), Perm.DRIVE_MANAGE, via=fields)) == set()


def test_in_scope_narrows_by_the_permission_asked(demo: Any) -> None:
    centres = Organisation.objects.filter(pk__in=[demo.nodes["vn_centre"].pk])
    hospital = _user("hospital_user")
    assert not access.in_scope(centres, hospital, Perm.LAB_RESULT, via="").exists()
    assert access.in_scope(centres, _user("lab_technician"), Perm.LAB_RESULT, via="").exists()


def test_in_scope_for_someone_without_any_membership_is_empty(demo: Any) -> None:
    nobody = User.objects.create_user(username="nobody", password="x", full_name="Nobody")
    assert not access.in_scope(Organisation.objects.all(), nobody, via="").exists()


# Superusers, inactive people and the system actor -----------------------------------------


def test_an_active_superuser_reaches_everything(demo: Any) -> None:
    root = User.objects.create_superuser(username="root", password="x", full_name="Root")
    chinese = demo.nodes["cn_centre"]
    assert access.unbounded(root)
    assert access.holds_anywhere(root, Perm.LAB_RESULT)
    assert access.in_scope(Organisation.objects.all(), root, Perm.LAB_RESULT, via="").count() == (
        Organisation.objects.count()
    )
    found = access.get_in_scope(
        root, Organisation.objects.all(), perm=Perm.LAB_RESULT, via="", uuid=chinese.uuid
    )
    assert found == chinese


def test_an_inactive_superuser_reaches_nothing(demo: Any) -> None:
    root = User.objects.create_superuser(username="root", password="x", full_name="Root")
    root.is_active = False
    root.save()
    centre = demo.nodes["vn_centre"]
    assert not access.unbounded(root)
    assert not access.holds_anywhere(root, Perm.VIEW)
    assert not access.in_scope(Organisation.objects.all(), root, via="").exists()
    assert not access.organisations(root).exists()
    assert access.scope_roots(root) == []
    with pytest.raises(Http404):
        access.get_in_scope(root, Organisation.objects.all(), via="", uuid=centre.uuid)


def test_an_inactive_member_reaches_nothing_either(demo: Any) -> None:
    technician = _user("lab_technician")
    technician.is_active = False
    technician.save()
    assert not access.holds_anywhere(technician, Perm.LAB_RESULT)
    with pytest.raises(Http404):
        access.get_in_scope(
            technician, Organisation.objects.all(), via="", uuid=demo.nodes["vn_centre"].uuid
        )


def test_the_system_actor_is_allowed_by_name(demo: Any) -> None:
    system = system_actor()
    assert not system.is_active  # it never signs in ...
    assert access.unbounded(system)  # ... yet background work acting as it has no limits
    assert access.holds_anywhere(system, Perm.STOCK_MANAGE)
    chinese = demo.nodes["cn_centre"]
    found = access.get_in_scope(
        system, Organisation.objects.all(), perm=Perm.STOCK_MANAGE, via="", uuid=chinese.uuid
    )
    assert found == chinese


# holds_anywhere -------------------------------------------------------------------------------


def test_holds_anywhere_follows_the_roles_held(demo: Any) -> None:
    assert access.holds_anywhere(_user("lab_technician"), Perm.LAB_RESULT)
    assert not access.holds_anywhere(_user("drive_nurse"), Perm.LAB_RESULT)
    assert access.holds_anywhere(_user("hospital_user"), Perm.ORDER_PLACE)
    assert not access.holds_anywhere(_user("hospital_user"), Perm.ORDER_FULFIL)


def test_holds_anywhere_is_false_for_a_visitor(demo: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not access.holds_anywhere(AnonymousUser(), Perm.VIEW)
