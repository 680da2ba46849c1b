"""Writes to the organisation tree. Each is one transaction with its audit event.

Actions check scope themselves as well as the views that call them, so a new caller (an
import, the API, a command) cannot skip the check.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import diff, record, snapshot
from bloodline.jurisdictions.loader import registry
from bloodline.lib.locking import bump, bumped, check_version
from bloodline.organisations import access, tally
from bloodline.organisations.kinds import ALLOWED_PARENTS, ESTABLISHMENTS, Kind
from bloodline.organisations.models import Membership, Organisation, segment
from bloodline.organisations.roles import Perm, Role

AUDITED_FIELDS = (
    "kind",
    "name",
    "name_translations",
    "official_code",
    "parent",
    "is_active",
    "time_zone",
    "jurisdiction",
)
EDITABLE_FIELDS = frozenset(
    {"name", "name_translations", "official_code", "is_active", "time_zone", "jurisdiction"}
)


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _check_placement(kind: str, parent: Organisation | None, errors: dict[str, list[str]]) -> None:
    if kind not in Kind.values:
        errors.setdefault("kind", []).append(_("Choose a kind of organisation from the list."))
        return
    allowed = ALLOWED_PARENTS[kind]
    if parent is None and allowed:
        errors.setdefault("parent", []).append(_("This kind of organisation needs a parent."))
    elif parent is not None and parent.kind not in allowed:
        errors.setdefault("parent", []).append(
            _("A %(kind)s cannot be placed under a %(parent_kind)s.")
            % {"kind": Kind(kind).label, "parent_kind": Kind(parent.kind).label}
        )


def _check_fields(org: Organisation, errors: dict[str, list[str]]) -> None:
    if not org.name.strip():
        errors.setdefault("name", []).append(_("Enter the organisation's name."))
    unknown = sorted(set(org.name_translations or {}) - set(dict(settings.LANGUAGES)))
    if unknown:
        errors.setdefault("name_translations", []).append(
            _("Unknown language code: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    if org.official_code:
        clash = Organisation.objects.filter(kind=org.kind, official_code=org.official_code)
        if clash.exclude(pk=org.pk).exists():
            errors.setdefault("official_code", []).append(
                _("Another organisation of this kind already has this official code.")
            )
    if org.time_zone and org.time_zone not in _time_zones():
        errors.setdefault("time_zone", []).append(
            _("“%(zone)s” is not a known time zone, such as Asia/Ho_Chi_Minh.")
            % {"zone": org.time_zone}
        )
    if org.kind in ESTABLISHMENTS:
        if not org.time_zone:
            errors.setdefault("time_zone", []).append(_("A blood establishment needs a time zone."))
        if not org.jurisdiction:
            errors.setdefault("jurisdiction", []).append(
                _("A blood establishment must choose the rule set it works under.")
            )
        elif org.jurisdiction not in registry.codes():
            errors.setdefault("jurisdiction", []).append(
                _("“%(code)s” is not a loaded rule set.") % {"code": org.jurisdiction}
            )
    elif org.jurisdiction:
        errors.setdefault("jurisdiction", []).append(
            _("Only blood establishments choose a rule set.")
        )


def _validate(org: Organisation) -> None:
    errors: dict[str, list[str]] = {}
    _check_placement(org.kind, org.parent, errors)
    _check_fields(org, errors)
    try:
        org.clean_fields(exclude=["path", "parent", "uuid"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _label(org: Organisation) -> str:
    return f"{Kind(org.kind).label}: {org.name}" if org.kind in Kind.values else org.name


@transaction.atomic
def create_organisation(
    *,
    by: User,
    parent: Organisation | None,
    kind: str,
    name: str,
    name_translations: Mapping[str, str] | None = None,
    official_code: str = "",
    time_zone: str = "",
    jurisdiction: str = "",
    is_active: bool = True,
) -> Organisation:
    """Add an organisation under ``parent`` (a country has none)."""
    if parent is None:
        if not access.unbounded(by):
            raise PermissionDenied
    else:
        access.require(by, Perm.ADD_CHILD, parent)
    org = Organisation(
        parent=parent,
        kind=kind,
        name=name.strip(),
        name_translations={k: v.strip() for k, v in (name_translations or {}).items() if v.strip()},
        official_code=official_code.strip(),
        time_zone=time_zone.strip(),
        jurisdiction=jurisdiction.strip(),
        is_active=is_active,
    )
    _validate(org)
    # The path needs the primary key, so the row is written with a unique placeholder first.
    org.path = "~" + org.uuid.hex
    org.depth = 0 if parent is None else parent.depth + 1
    org.save()
    org.path = (parent.path if parent else "") + segment(org.pk)
    Organisation.objects.filter(pk=org.pk).update(path=org.path)
    record(
        by=by,
        action="organisation.create",
        obj=org,
        changes=diff({}, snapshot(org, AUDITED_FIELDS)),
    )
    return org


@transaction.atomic
def update_organisation(
    *,
    by: User,
    organisation: Organisation,
    version: int,
    changes: Mapping[str, Any],
    reason: str = "",
) -> Organisation:
    """Change an organisation's details, refusing if someone else saved it meanwhile."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    access.require(by, Perm.CHANGE, organisation)
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    check_version(org, version)
    before = snapshot(org, AUDITED_FIELDS)
    for field, value in changes.items():
        setattr(org, field, value.strip() if isinstance(value, str) else value)
    _validate(org)
    after = snapshot(org, AUDITED_FIELDS)
    changed = diff(before, after)
    if not changed:
        return org
    bump(org)
    org.save()
    record(by=by, action="organisation.update", obj=org, changes=changed, reason=reason)
    return org


@transaction.atomic
def move_organisation(
    *, by: User, organisation: Organisation, new_parent: Organisation, reason: str = ""
) -> Organisation:
    """Re-attach a node, with its whole subtree, under another parent."""
    org = (
        Organisation.objects.select_for_update(of=("self",))
        .select_related("parent")
        .get(pk=organisation.pk)
    )
    target = Organisation.objects.select_for_update().get(pk=new_parent.pk)
    if org.parent is None:
        raise ValidationError({"parent": [_("A country cannot be moved.")]})
    access.require(by, Perm.MOVE, org.parent)
    access.require(by, Perm.ADD_CHILD, target)
    errors: dict[str, list[str]] = {}
    if target.is_within(org):
        errors["parent"] = [
            _("An organisation cannot be moved under itself or one of its own units.")
        ]
    elif target.pk == org.parent_id:
        errors["parent"] = [_("The organisation is already there.")]
    else:
        _check_placement(org.kind, target, errors)
    if errors:
        raise ValidationError(errors)
    old_parent, old_path = org.parent, org.path
    new_path = target.path + segment(org.pk)
    subtree = list(Organisation.objects.subtree(org).values_list("pk", flat=True))
    Organisation.objects.filter(pk=org.pk).update(parent=target, version=bumped())
    Organisation.objects.filter(pk__in=subtree).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=CharField()),
        depth=F("depth") + (target.depth + 1 - org.depth),
    )
    org.refresh_from_db()
    tally.moved(org, old_parent.path, target.path)  # progress figures follow the subtree
    record(
        by=by,
        action="organisation.move",
        obj=org,
        changes={"parent": [str(old_parent.uuid), str(target.uuid)], "path": [old_path, new_path]},
        reason=reason,
    )
    return org


@transaction.atomic
def add_membership(
    *,
    by: User,
    user: User,
    organisation: Organisation,
    role: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
) -> Membership:
    """Give a person a role at an organisation (and so over its subtree)."""
    access.require(by, Perm.CHANGE, organisation)
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose a role from the list.")]})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": [_("The end date cannot be before the start date.")]})
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=role, valid_from=valid_from, valid_to=valid_to
    )
    record(
        by=by,
        action="membership.create",
        obj=organisation,
        changes={
            "membership": [None, str(membership.uuid)],
            "user": [None, user.username],
            "role": [None, role],
            "valid_from": [None, valid_from.isoformat()],
            "valid_to": [None, valid_to.isoformat() if valid_to else None],
        },
    )
    access.forget(user)
    return membership
