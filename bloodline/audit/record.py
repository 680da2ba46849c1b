"""Writing audit events. Every action calls ``record`` inside its own transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import Model

from bloodline.audit.models import AuditEvent
from bloodline.lib.requestid import current_request_id


class MissingReason(ValueError):
    """A correction was attempted without saying why."""


class NotOldNew(ValueError):
    """A change was not given as ``[old, new]``."""


class Actor(Protocol):
    pk: Any

    def get_username(self) -> str: ...


def plain(value: Any) -> Any:
    """A JSON-safe form of a field value, as it should read in the history."""
    if isinstance(value, Model):
        return str(value.pk) if not hasattr(value, "uuid") else str(value.uuid)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    return value


def snapshot(obj: Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: plain(getattr(obj, name)) for name in fields}


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {
        key: [old.get(key), new.get(key)]
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    }


# Personal identifiers whose values the trail keeps only masked (decision 0032): enough to
# tell an old value from a new one and to match it against the record, not to read it.
# Keyed by the object type the event is about; ``*`` applies to every type.
MASKED_FIELDS: dict[str, frozenset[str]] = {
    "*": frozenset({"phone"}),
    # Names and birth dates too: erasure (decision 0033) must not leave them in the trail.
    "donors.donor": frozenset({"phone", "address", "full_name", "date_of_birth"}),
    "donors.identitydocument": frozenset({"number"}),
}
MASK = "•••"
KEPT = 3  # characters left readable at the end of a masked value; not a domain number


def masked(value: Any) -> Any:
    """The masked form of a personal identifier: ``•••`` and its last three characters."""
    if value is None or value == "":
        return value
    text = str(value)
    return MASK + text[-KEPT:] if len(text) > KEPT else MASK


def mask_changes(kind: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """``changes`` with the values of personal identifiers of ``kind`` masked."""
    fields = MASKED_FIELDS["*"] | MASKED_FIELDS.get(kind, frozenset())
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key in fields and isinstance(value, list | tuple):
            out[key] = [masked(v) for v in value]
        elif key in fields:
            out[key] = masked(value)
        else:
            out[key] = value
    return out


def object_type(obj: Model) -> str:
    """The model's label as the trail stores it, e.g. ``drives.drive``."""
    return obj._meta.label_lower


def object_id(obj: Model) -> str:
    """The object's public identity: ``audit_id()`` where the model defines one, else its
    public ``uuid``, else its primary key."""
    custom = getattr(obj, "audit_id", None)
    if callable(custom):
        return str(custom())
    public = getattr(obj, "uuid", None)
    return str(public if public is not None else obj.pk)


def object_label(obj: Model) -> str:
    """What the trail calls the object: ``audit_label()`` where the model defines one (to
    leave out what must not be copied, such as a donor's name), else ``str(obj)``."""
    custom = getattr(obj, "audit_label", None)
    return str(custom() if callable(custom) else obj)


def record(
    *,
    by: Actor,
    action: str,
    obj: Model,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    correction: bool = False,
) -> AuditEvent:
    """Append one audit event about ``obj``. Must run inside the transaction of the write it
    records. The object's type, id and label are derived from it (decision 0028).

    Every value of ``changes`` is ``[old, new]`` (``None`` where there was none); personal
    identifiers in ``changes`` are stored masked (``MASKED_FIELDS``).

    ``by`` is always someone: background work passes the system actor
    (``bloodline.accounts.system.system_actor()``), recorded under its username ``system``."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit events are written inside the action's transaction")
    if correction and not reason.strip():
        raise MissingReason(action)
    _check_old_new(action, changes)
    return AuditEvent.objects.create(**_fields(by, action, obj, changes, reason))


def _check_old_new(action: str, changes: Mapping[str, Any] | None) -> None:
    for key, value in (changes or {}).items():
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise NotOldNew(f"{action}: change {key!r} is not [old, new]")


def _fields(
    by: Actor, action: str, obj: Model, changes: Mapping[str, Any] | None, reason: str
) -> dict[str, Any]:
    return {
        "actor_id": by.pk,
        "actor_label": by.get_username(),
        "action": action,
        "object_type": object_type(obj),
        "object_id": object_id(obj),
        "object_label": object_label(obj)[:300],
        "changes": mask_changes(object_type(obj), changes or {}),
        "reason": reason.strip(),
        "request_id": current_request_id(),
    }


def record_alone(
    *, by: Actor, action: str, obj: Model, changes: Mapping[str, Any] | None = None
) -> AuditEvent:
    """Append an event that belongs to no write — a read of personal data (decision 0030).
    Inside a transaction it joins it, as ``record`` does. Outside one it is its own
    transaction: on PostgreSQL a single statement (``chain.append_alone``), else a
    transaction of its own. The same checks as ``record``."""
    _check_old_new(action, changes)
    if connection.in_atomic_block:
        return record(by=by, action=action, obj=obj, changes=changes)
    from bloodline.audit import chain

    event = AuditEvent(**_fields(by, action, obj, changes, ""))
    if chain.append_alone(event):
        return event
    with transaction.atomic():
        return record(by=by, action=action, obj=obj, changes=changes)
