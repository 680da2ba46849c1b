"""Roles people hold at a node of the tree, and what each role lets them do there.

A role held at a node applies to that node's whole subtree. A role held at a steering
committee applies to the area the committee is attached to: a district committee member
works on the whole district.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMITTEE_MEMBER = "committee_member", _("Steering-committee member")
    UNIT_ORGANISER = "unit_organiser", _("Unit organiser")
    ESTABLISHMENT_ADMIN = "establishment_admin", _("Establishment administrator")
    DRIVE_NURSE = "drive_nurse", _("Drive nurse")
    PHYSICIAN = "physician", _("Physician")
    LAB_TECHNICIAN = "lab_technician", _("Laboratory technician")
    INVENTORY_CLERK = "inventory_clerk", _("Inventory clerk")
    HOSPITAL_USER = "hospital_user", _("Hospital blood-bank user")
    DONOR = "donor", _("Donor")


class Perm:
    """Permission codes. Kept as constants so a typo fails at import, not at run time."""

    VIEW = "organisation.view"
    CHANGE = "organisation.change"
    ADD_CHILD = "organisation.add_child"
    MOVE = "organisation.move"
    VIEW_MEMBERS = "membership.view"
    VIEW_AUDIT = "audit.view"


_MANAGE = frozenset(
    {Perm.VIEW, Perm.CHANGE, Perm.ADD_CHILD, Perm.MOVE, Perm.VIEW_MEMBERS, Perm.VIEW_AUDIT}
)
_STAFF = frozenset({Perm.VIEW, Perm.VIEW_MEMBERS})

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COMMITTEE_MEMBER: _MANAGE,
    Role.ESTABLISHMENT_ADMIN: _MANAGE,
    Role.UNIT_ORGANISER: frozenset(
        {Perm.VIEW, Perm.CHANGE, Perm.ADD_CHILD, Perm.VIEW_MEMBERS, Perm.VIEW_AUDIT}
    ),
    Role.DRIVE_NURSE: _STAFF,
    Role.PHYSICIAN: _STAFF,
    Role.LAB_TECHNICIAN: _STAFF,
    Role.INVENTORY_CLERK: _STAFF,
    Role.HOSPITAL_USER: _STAFF,
    Role.DONOR: frozenset({Perm.VIEW}),
}
