"""Everything held about a donor, for the donor themselves: one builder for the JSON and PDF
exports, the registry pages, the API and (later) the donor portal (decision 0033).

The data lives in apps above the registry (drives, screening, collection, lab); this module
imports none of them: it follows the relations those apps declare towards the donor (their
``related_name``), so the layers still point down. Values are stored codes in the JSON and
the reader's words in the PDF (choice labels and field names, translated).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bloodline.accounts.models import User
from bloodline.audit.action_labels import action_label
from bloodline.audit.models import AuditEvent
from bloodline.audit.record import object_id, object_type, record
from bloodline.donors import access, self_service
from bloodline.donors.models import Donor

FORMAT = "bloodline.donor-export/1"
# Bookkeeping, not facts about the person: row ids, lock versions, keys for searching.
_SKIPPED = {"id", "version", "name_key", "phone_index", "number_index"}

# The donor's records, by the name each app gives its relation to the donor; a donation
# brings its reactions and the results of its sample.
SECTIONS = (
    "identity_documents",
    "consents",
    "registrations",
    "presentations",
    "deferrals",
    "donations",
)
_DONATION_PARTS = ("adverse_reactions",)


@dataclass
class Row:
    data: dict[str, Any] = field(default_factory=dict)  # field name -> JSON value (codes)
    shown: list[tuple[str, str]] = field(default_factory=list)  # (label, words) for the PDF
    parts: list[Section] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row]


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        public = getattr(value, "uuid", None)
        return str(public) if public is not None else str(value)
    return value


def _shown(obj: models.Model, f: models.Field[Any, Any], value: Any) -> str:
    if value is None or value == "":
        return "—"
    if f.choices:
        return str(getattr(obj, f"get_{f.name}_display")())
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _row(obj: models.Model, parent: type[models.Model] | None = None) -> Row:
    row = Row()
    for f in obj._meta.concrete_fields:
        if f.name in _SKIPPED:
            continue
        if f.is_relation:
            assert f.related_model is not None
            # Staff who recorded something are not the donor's data; the parent is implied.
            if f.related_model == settings.AUTH_USER_MODEL or f.related_model in (User, parent):
                continue
            value = getattr(obj, f.name)
        else:
            value = getattr(obj, f.attname)
        row.data[f.name] = _json(value)
        row.shown.append((str(f.verbose_name), _shown(obj, f, value)))
    return row


def _section(key: str, objects: list[Any], parent: type[models.Model], title: str) -> Section:
    return Section(key, title, [_row(obj, parent) for obj in objects])


def _related(key: str, owner: models.Model) -> Section:
    manager = getattr(owner, key)
    title = str(manager.model._meta.verbose_name_plural)
    return _section(key, list(manager.order_by("pk")), type(owner), title)


def _results(donation: models.Model) -> Section | None:
    try:
        sample = donation.sample  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, AttributeError):
        return None
    return _related("results", sample)


def _read_log(donor: Donor) -> Section:
    events = AuditEvent.objects.for_object(object_type(donor), object_id(donor))
    rows = []
    for event in events.order_by("id"):
        row = Row()
        row.data = {"when": event.occurred_at.isoformat(), "action": event.action}
        row.shown = [
            (str(AuditEvent._meta.get_field("occurred_at").verbose_name), str(event.occurred_at)),
            (str(AuditEvent._meta.get_field("action").verbose_name), action_label(event.action)),
        ]
        rows.append(row)
    return Section("history", str(_("Who read or changed the record")), rows)


def build(donor: Donor) -> tuple[dict[str, Any], list[Section]]:
    """The export as JSON-ready data and as sections for the PDF, from one walk."""
    person = _row(donor)
    sections: list[Section] = []
    for key in SECTIONS:
        manager = getattr(donor, key)
        objects = list(manager.order_by("pk"))
        title = str(manager.model._meta.verbose_name_plural)
        section = _section(key, objects, Donor, title)
        if key == "donations":
            for donation, row in zip(objects, section.rows, strict=True):
                row.parts = [_related(part, donation) for part in _DONATION_PARTS]
                results = _results(donation)
                if results is not None:
                    row.parts.append(results)
        sections.append(section)
    sections.append(_read_log(donor))

    def as_json(section: Section) -> list[dict[str, Any]]:
        out = []
        for row in section.rows:
            item = dict(row.data)
            for part in row.parts:
                item[part.key] = as_json(part)
            out.append(item)
        return out

    data: dict[str, Any] = {
        "format": FORMAT,
        "generated_at": timezone.now().isoformat(),
        "donor": person.data,
    }
    for section in sections:
        data[section.key] = as_json(section)
    return data, [Section("donor", str(Donor._meta.verbose_name), [person]), *sections]


@transaction.atomic
def export_donor(*, by: User, donor: Donor, fmt: str) -> tuple[dict[str, Any], list[Section]]:
    """Build the export for ``by`` (registry staff, or the donor themself through the portal)
    and leave ``donor.exported`` in the trail."""
    if not self_service.is_self(by, donor):
        access.require_manage(by)
    built = build(donor)
    record(by=by, action="donor.exported", obj=donor, changes={"format": [None, fmt]})
    return built


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"the export fetches nothing: {url}")


def render_html(donor: Donor, sections: list[Section]) -> str:
    """The document the PDF is printed from (its accessibility is checked in the browser)."""
    return render_to_string(
        "donors/export.html", {"donor": donor, "sections": sections, "now": timezone.now()}
    )


def render_pdf(donor: Donor, sections: list[Section]) -> bytes:
    from weasyprint import HTML  # heavy import, only where a PDF is made

    pdf = HTML(string=render_html(donor, sections), url_fetcher=_refuse_fetch).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def export_response(*, by: User, donor: Donor, fmt: str) -> HttpResponse:
    """The download: JSON (``fmt="json"``) or PDF, named by the donor's public id only."""
    data, sections = export_donor(by=by, donor=donor, fmt=fmt)
    name = f"donor-{donor.uuid}"
    if fmt == "json":
        response: HttpResponse = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    else:
        response = HttpResponse(render_pdf(donor, sections), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
