"""History rows in the reader's language, worked out from the facts an event stores.

An audit event keeps what happened as facts: the action's code, the object's type
(``app_label.model``), and ``{field: [old, new]}`` in JSON-safe form — codes, ISO dates, the
public ids of related rows (``audit.record.plain``). Nothing readable is frozen into the
event, so this module words it when a page is rendered, in the reader's language, and old
events read as well as new ones (decision 0026):

* a field is named by its model's ``verbose_name``; a key that is not a field of the model is
  named from ``EXTRA_KEYS`` or, failing that, shown as the words it is written in;
* a choice shows its label, a yes/no field yes or no, a date in the reader's format;
* a related row (organisation, person, plan…) shows its name — organisations in the reader's
  language — looked up in one query per related model for the whole page;
* a translated JSON field (``{"en": "…", "vi": "…"}``) shows the reader's language;
* internal bookkeeping (materialised paths, lock versions) is left out, and an id that cannot
  be resolved reads as "a record no longer available" rather than as a UUID.

The audit app sits low (decision 0023): it names no other app, and finds models through the
app registry by the type the event stores.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from bloodline.audit.action_labels import action_label
from bloodline.audit.models import AuditEvent

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
LANGUAGE_KEYS = frozenset({"vi", "zh-hans", "zh-hant", "en", "fr", "es"})
EMPTY = "—"


@dataclass(frozen=True)
class Extra:
    """A change key that is not a field of the event's model: its label, and where its value
    comes from — the field of another model it mirrors (``app.model.field``), or the model a
    public id points at (``app.model``) and the field it is looked up by."""

    label: Any = ""
    field: str = ""
    model: str = ""
    lookup: str = "uuid"


EXTRA_KEYS: dict[str, Extra] = {
    "membership": Extra(gettext_lazy("membership"), model="organisations.membership"),
    "user": Extra(pgettext_lazy("history", "person"), model="accounts.user", lookup="username"),
    "role": Extra(field="organisations.membership.role"),
    "valid_from": Extra(field="organisations.membership.valid_from"),
    "valid_to": Extra(field="organisations.membership.valid_to"),
    "revision": Extra(gettext_lazy("revision"), model="programmes.plan"),
    "revision_of": Extra(gettext_lazy("revision of"), model="programmes.plan"),
    "round": Extra(gettext_lazy("round")),
    "total": Extra(gettext_lazy("total target")),
    "total_target": Extra(gettext_lazy("total target")),
    "questionnaire": Extra(gettext_lazy("questionnaire")),
    "deferral": Extra(gettext_lazy("deferral"), model="screening.deferral"),
    "overridden": Extra(gettext_lazy("deferral reasons lifted")),
    "overridden_until": Extra(gettext_lazy("lifted deferrals' end dates")),
}
# Bookkeeping a reader has no use for: how the tree is stored, the optimistic-lock counter.
HIDDEN = frozenset({"path", "depth", "version"})


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Row:
    """One history row as the reader sees it."""

    event: AuditEvent
    actor: str
    action: str
    changes: list[Change]

    @property
    def occurred_at(self) -> dt.datetime:
        return self.event.occurred_at

    @property
    def reason(self) -> str:
        return self.event.reason


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _borrowed(path: str) -> models.Field[Any, Any] | None:
    app_model, _dot, name = path.rpartition(".")
    return _field(_model(app_model), name)


@dataclass(frozen=True)
class Key:
    """How one change key is shown: its label, the field that words its values (if any), and
    the related model a value is a public id of (if any)."""

    label: str
    field: models.Field[Any, Any] | None
    related: type[models.Model] | None
    lookup: str


def _key(model: type[models.Model] | None, key: str) -> Key | None:
    field = _field(model, key)
    if field is not None:
        if key in HIDDEN or (not field.editable and not field.is_relation and key != "status"):
            return None
        target = field.related_model if field.is_relation else None
        related = target if isinstance(target, type) else None
        lookup = "uuid" if related is not None and _field(related, "uuid") else "pk"
        return Key(capfirst(str(field.verbose_name)), field, related, lookup)
    if key in HIDDEN:
        return None
    extra = EXTRA_KEYS.get(key)
    if extra is None:
        # A key written as words (an organisation's name in a target allocation).
        return Key(key, None, None, "")
    borrowed = _borrowed(extra.field) if extra.field else None
    label = extra.label or (borrowed.verbose_name if borrowed is not None else key)
    return Key(capfirst(str(label)), borrowed, _model(extra.model), extra.lookup)


def _names(rows: Iterable[tuple[type[models.Model], str, Any]]) -> dict[tuple[Any, str, str], str]:
    """Each related row's name, one query per (model, lookup) for the whole page."""
    wanted: dict[tuple[type[models.Model], str], set[str]] = defaultdict(set)
    for related, lookup, value in rows:
        for item in value if isinstance(value, list) else [value]:
            if item not in (None, ""):
                wanted[(related, lookup)].add(str(item))
    names: dict[tuple[Any, str, str], str] = {}
    for (related, lookup), values in wanted.items():
        if lookup == "uuid":
            values = {v for v in values if UUID.match(v)}
        elif lookup == "pk":
            values = {v for v in values if v.isdigit()}
        for obj in related._default_manager.filter(**{f"{lookup}__in": sorted(values)}):
            names[(related, lookup, str(getattr(obj, lookup)))] = str(obj)
    return names


def _translated(value: Mapping[str, Any]) -> str:
    language = (get_language() or "en").lower()
    text = value.get(language) or value.get(language.split("-")[0]) or value.get("en")
    if not text:
        text = next((v for v in value.values() if v), "")
    return str(text) if text else EMPTY


def _date(value: str, with_time: bool) -> str:
    try:
        if with_time:
            moment = dt.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
        return formats.date_format(dt.date.fromisoformat(value[:10]), "SHORT_DATE_FORMAT")
    except ValueError:
        return value


def _plain(value: Any) -> str:
    """A value with no field to word it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Mapping):
        if value and set(value) <= LANGUAGE_KEYS:
            return _translated(value)
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items()) or EMPTY
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value) or EMPTY
    if isinstance(value, str) and UUID.match(value):
        return _("a linked record")
    if isinstance(value, float | int):
        return formats.number_format(value)
    return str(value)


def _with_field(field: models.Field[Any, Any], value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if field.choices:
        labels = {str(k): v for k, v in field.flatchoices}
        return str(labels.get(str(value), _plain(value)))
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        return _date(value, with_time=True)
    if isinstance(field, models.DateField) and isinstance(value, str):
        return _date(value, with_time=False)
    if isinstance(field, models.JSONField) and isinstance(value, Mapping):
        return _translated(value) if value else EMPTY
    return _plain(value)


def _related(key: Key, item: Any, names: Mapping[tuple[Any, str, str], str]) -> str:
    """A related record by its name; a value written as words by older events (a storage
    location's name before it was stored by id) is shown as written."""
    if item in (None, ""):
        return EMPTY
    text = str(item)
    found = names.get((key.related, key.lookup, text))
    if found is not None:
        return found
    shaped = UUID.match(text) if key.lookup == "uuid" else text.isdigit()
    return _("a record no longer available") if shaped else text


def _value(key: Key, value: Any, names: Mapping[tuple[Any, str, str], str]) -> str:
    if key.related is not None:
        items = value if isinstance(value, list) else [value]
        shown = [_related(key, item, names) for item in items]
        return ", ".join(shown) or EMPTY
    if key.field is not None:
        return _with_field(key.field, value)
    return _plain(value)


def _pair(values: Any) -> tuple[Any, Any]:
    if isinstance(values, list | tuple) and len(values) == 2:
        return values[0], values[1]
    return None, values


def _actors(events: list[AuditEvent]) -> dict[int, str]:
    user_model = _model("accounts.user")
    ids = {e.actor_id for e in events if e.actor_id is not None}
    if user_model is None or not ids:
        return {}
    return {u.pk: str(u) for u in user_model._default_manager.filter(pk__in=ids)}


def present(events: Iterable[AuditEvent]) -> list[Row]:
    """The events as history rows in the active language, with a fixed number of queries
    (one for the actors, one per related model) whatever the number of events."""
    events = list(events)
    keyed: list[tuple[AuditEvent, list[tuple[Key, Any]]]] = []
    lookups: list[tuple[type[models.Model], str, Any]] = []
    for event in events:
        model = _model(event.object_type)
        keys: list[tuple[Key, Any]] = []
        for name, values in (event.changes or {}).items():
            key = _key(model, name)
            if key is None:
                continue
            keys.append((key, values))
            if key.related is not None:
                lookups.extend((key.related, key.lookup, v) for v in _pair(values))
        keyed.append((event, keys))
    names = _names(lookups)
    actors = _actors(events)
    rows = []
    for event, keys in keyed:
        changes = []
        for key, values in keys:
            old, new = _pair(values)
            changes.append(Change(key.label, _value(key, old, names), _value(key, new, names)))
        actor = event.actor_display
        if event.actor_label != "system" and event.actor_id in actors:
            actor = actors[event.actor_id]
        rows.append(Row(event, actor, action_label(event.action), changes))
    return rows
