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
    PLAN_MANAGE = "plan.manage"
    TARGET_ALLOCATE = "target.allocate"
    PROGRESS_VIEW = "progress.view"
    DRIVE_MANAGE = "drive.manage"
    DRIVE_REQUEST = "drive.request"
    REGISTRATION_MANAGE = "registration.manage"
    DONATION_RECORD = "donation.record"
    DONOR_VIEW = "donor.view"
    DONOR_MANAGE = "donor.manage"
    STATION_RUN = "station.run"
    SCREENING_DECIDE = "screening.decide"
    LAB_RESULT = "lab.result"
    LAB_RELEASE = "lab.release"
    COMPONENT_PROCESS = "component.process"
    STOCK_VIEW = "stock.view"
    STOCK_MANAGE = "stock.manage"
    ORDER_PLACE = "order.place"
    ORDER_FULFIL = "order.fulfil"
    TRACE_VIEW = "trace.view"
    MESSAGES_MANAGE = "messages.manage"  # the establishment's message templates


_MANAGE = frozenset(
    {Perm.VIEW, Perm.CHANGE, Perm.ADD_CHILD, Perm.MOVE, Perm.VIEW_MEMBERS, Perm.VIEW_AUDIT}
)
_STAFF = frozenset({Perm.VIEW, Perm.VIEW_MEMBERS})
_LAB = frozenset(
    {Perm.LAB_RESULT, Perm.LAB_RELEASE, Perm.COMPONENT_PROCESS, Perm.STOCK_VIEW, Perm.TRACE_VIEW}
)
_STOCK = frozenset(
    {
        Perm.COMPONENT_PROCESS,
        Perm.STOCK_VIEW,
        Perm.STOCK_MANAGE,
        Perm.ORDER_FULFIL,
        Perm.TRACE_VIEW,
    }
)
_MOBILISE = frozenset(
    {Perm.TARGET_ALLOCATE, Perm.PROGRESS_VIEW, Perm.DRIVE_REQUEST, Perm.REGISTRATION_MANAGE}
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COMMITTEE_MEMBER: _MANAGE | _MOBILISE | {Perm.PLAN_MANAGE},
    Role.ESTABLISHMENT_ADMIN: _MANAGE
    | {
        Perm.DRIVE_MANAGE,
        Perm.DONATION_RECORD,
        Perm.DONOR_VIEW,
        Perm.DONOR_MANAGE,
        Perm.STATION_RUN,
        Perm.MESSAGES_MANAGE,
    }
    | _LAB
    | _STOCK,
    Role.UNIT_ORGANISER: frozenset(
        {Perm.VIEW, Perm.CHANGE, Perm.ADD_CHILD, Perm.VIEW_MEMBERS, Perm.VIEW_AUDIT}
    )
    | _MOBILISE,
    Role.DRIVE_NURSE: _STAFF
    | {Perm.DONATION_RECORD, Perm.DONOR_VIEW, Perm.DONOR_MANAGE, Perm.STATION_RUN},
    Role.PHYSICIAN: _STAFF
    | {
        Perm.DONATION_RECORD,
        Perm.DONOR_VIEW,
        Perm.DONOR_MANAGE,
        Perm.STATION_RUN,
        Perm.SCREENING_DECIDE,
    },
    Role.LAB_TECHNICIAN: _STAFF | _LAB,
    Role.INVENTORY_CLERK: _STAFF | _STOCK,
    Role.HOSPITAL_USER: _STAFF | {Perm.ORDER_PLACE},
    Role.DONOR: frozenset({Perm.VIEW}),
}


# Who must confirm sign-in with a second factor (issue 12, decision 0031): anyone holding a
# permission that releases, verifies or issues blood. Derived from the permissions, so a
# role that gains one of them needs the second factor too (superusers always do).
SECOND_FACTOR_PERMS = frozenset({Perm.LAB_RELEASE, Perm.LAB_RESULT, Perm.ORDER_FULFIL})
