"""Reads of donor health data leave a trace (decision 0030, QUALITY.md T12).

Every page or API operation that shows one donor's record or health data calls ``log_read``
once, with the place it was read as a code (``ReadPlace``); a search logs one event for the
whole list, never one per row. Reads go to the audit trail (``donor.read`` on the donor,
``donor.search`` on the reader) and the donor's establishment sees them on the "who looked at
this donor" page (``reads_of``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent, AuditEventQuerySet
from bloodline.audit.record import object_id, object_type, record_alone
from bloodline.donors.models import Donor

READ = "donor.read"
SEARCH = "donor.search"


class ReadPlace(models.TextChoices):
    """Where a donor's data was read: a page or API operation, stored as a code."""

    DETAIL_PAGE = "detail_page", _("donor page")
    DETAIL_API = "detail_api", _("donor record (API)")
    DOCUMENTS_API = "documents_api", _("identity documents (API)")
    CONSENTS_API = "consents_api", _("consents (API)")
    DUPLICATES_PAGE = "duplicates_page", _("possible duplicates page")
    DUPLICATES_API = "duplicates_api", _("possible duplicates (API)")
    MERGE_PAGE = "merge_page", _("merge confirmation page")
    TRACE_DONOR = "trace_donor", _("donor trace page")
    STATION = "station", _("drive station page")
    LAB_SAMPLE = "lab_sample", _("laboratory sample page")
    SEARCH_PAGE = "search_page", _("donor search page")
    SEARCH_API = "search_api", _("donor search (API)")
    LOOKUP_API = "lookup_api", _("donor lookup by number (API)")
    STATION_API = "station_api", _("drive station (API)")
    LABEL_API = "label_api", _("donation label data (API)")
    CARD = "card", _("donor card")
    CERTIFICATE = "certificate", _("donation certificate")


def place_label(code: str) -> str:
    """The place in the reader's language; an unknown code (an older release) as written."""
    try:
        return str(ReadPlace(code).label)
    except ValueError:
        return code


def log_read(*, by: User, donor: Donor, where: ReadPlace) -> None:
    """One read of one donor's record, at ``where``: in the caller's transaction if there is
    one, else on its own (on PostgreSQL one statement: a lookup's cost, decision 0050)."""
    record_alone(by=by, action=READ, obj=donor, changes={"read": [None, where.value]})


def log_search(*, by: User, where: ReadPlace, results: int) -> None:
    """One search of the registry (one event for the whole list, never per row). The words
    searched for are not kept: they are personal data."""
    record_alone(
        by=by,
        action=SEARCH,
        obj=by,
        changes={"read": [None, where.value], "results": [None, results]},
    )


def reads_of(donor: Donor) -> AuditEventQuerySet:
    """Who read this donor's record, newest first."""
    return AuditEvent.objects.for_object(object_type(donor), object_id(donor)).filter(action=READ)
