"""Vein-to-vein trace (safety.md §3): from a DIN to the donor, the screening, the tests, each
component and where it went, to what became of it; from a donor to every donation and the fate
of every component made from it.

Each function reads a fixed number of queries whatever the number of components, and returns
plain dataclasses for the pages. Whether the reader may see who the donor is, and whether the
reader is a hospital seeing only the units it received, is decided by the caller and passed in.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from bloodline.collection.models import Donation
from bloodline.distribution.forms import product_label
from bloodline.distribution.models import Allocation, ItemOutcome, Order, ShipmentItem
from bloodline.donors.models import Donor
from bloodline.inventory.models import Component, DiscardReason, UnsafeReason
from bloodline.inventory.status import Status
from bloodline.lab.models import (
    NotificationKind,
    NotificationTask,
    Reading,
    Source,
    Stage,
    TestResult,
)
from bloodline.screening.models import Decision, Presentation


@dataclass(frozen=True)
class DonorRef:
    uuid: uuid.UUID
    full_name: str


@dataclass(frozen=True)
class Screening:
    drive: str
    arrived_at: dt.datetime
    engine_outcome: str
    engine_reasons: list[str]
    decision: str
    decision_reason: str
    decided_at: dt.datetime | None


@dataclass(frozen=True)
class Result:
    test: str
    stage: str
    reading: str
    value: Decimal | None
    acceptable: bool
    source: str
    counts: bool
    verified_at: dt.datetime | None
    corrected: bool  # a later result replaces this one
    entered_at: dt.datetime


@dataclass
class Movement:
    """One order a unit was allocated to or shipped in, and what the hospital reported."""

    order_uuid: uuid.UUID
    order_number: str
    hospital: str
    hospital_id: int
    allocated_at: dt.datetime | None = None
    allocation_cancelled_at: dt.datetime | None = None
    scanned_at: dt.datetime | None = None
    dispatched_at: dt.datetime | None = None
    received_at: dt.datetime | None = None
    outcome: str = ""
    outcome_label: str = ""
    outcome_at: dt.datetime | None = None
    cold_chain_ok: bool | None = None
    note: str = ""


@dataclass(frozen=True)
class Notification:
    hospital: str
    test: str
    hold: bool  # a hold request after a repeatedly reactive screen, not a confirmed result
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None
    response: str


@dataclass(frozen=True)
class Fate:
    status: str
    label: str
    where: str
    at: dt.datetime | None
    note: str = ""
    location: str = ""  # the storage place, for a unit still at the establishment


@dataclass(frozen=True)
class Unit:
    uuid: uuid.UUID
    din: str
    product_code: str
    division: str
    product: str
    group: str
    volume_ml: int
    expires_at: dt.datetime
    held_by: str
    location: str
    released_at: dt.datetime | None
    released_by: str
    label_printed_at: dt.datetime | None
    stocked_at: dt.datetime | None
    reserved_at: dt.datetime | None
    issued_at: dt.datetime | None
    issued_to: str
    fate: Fate
    movements: list[Movement] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)


@dataclass(frozen=True)
class DonationTrace:
    din: str
    collected_at: dt.datetime
    establishment: str
    donation_type: str
    volume_ml: int
    drive: str
    donor: DonorRef | None  # None: the reader may not see who gave
    screening: Screening | None
    sample_received_at: dt.datetime | None
    results: list[Result]
    unsafe: str  # why the whole donation is unsafe, or ""
    units: list[Unit]
    restricted: bool  # a hospital's view: only the units it received, nothing of the donor


@dataclass(frozen=True)
class DonorTrace:
    donor: DonorRef
    merged_into: DonorRef | None
    donations: list[DonationTrace]


def find_donation(din: str) -> Donation | None:
    return (
        Donation.objects.select_related("donor", "establishment", "drive", "sample", "unsafe")
        .filter(din=din)
        .first()
    )


def unit_trace(
    donation: Donation, *, show_donor: bool, hospitals: Collection[int] | None = None
) -> DonationTrace:
    """The whole chain of one donation (``find_donation``'s row). With ``hospitals`` the trace
    is a hospital's: only the units issued or shipped to those hospitals, their orders and
    notifications, and nothing about the donor, the screening or the tests."""
    restricted = hospitals is not None
    units = _units(Component.objects.filter(donation=donation), hospitals)
    sample = getattr(donation, "sample", None)
    return _donation(
        donation,
        units,
        donor=_donor(donation.donor) if show_donor and not restricted else None,
        screening=None if restricted else _screening(donation),
        results=[] if restricted or sample is None else _results(sample.pk),
        sample_received_at=None if restricted or sample is None else sample.received_at,
        restricted=restricted,
    )


def donor_trace(donor: Donor) -> DonorTrace:
    """Every donation of the donor, newest first, each with its components and their fate."""
    donations = list(
        Donation.objects.filter(donor=donor)
        .select_related("establishment", "drive", "unsafe")
        .order_by("-collected_at", "-pk")
    )
    by_donation: dict[int, list[Unit]] = {d.pk: [] for d in donations}
    components = Component.objects.filter(donation__donor=donor)
    for unit, donation_id in _units_with_donation(components, None):
        by_donation[donation_id].append(unit)
    merged = donor.merged_into
    return DonorTrace(
        donor=_donor(donor),
        merged_into=_donor(merged) if merged is not None else None,
        donations=[
            _donation(
                d,
                by_donation[d.pk],
                donor=None,
                screening=None,
                results=[],
                sample_received_at=None,
                restricted=False,
            )
            for d in donations
        ],
    )


# Building blocks ------------------------------------------------------------------------------


def _donor(donor: Donor) -> DonorRef:
    return DonorRef(donor.uuid, donor.full_name)


def _donation(
    donation: Donation,
    units: list[Unit],
    *,
    donor: DonorRef | None,
    screening: Screening | None,
    results: list[Result],
    sample_received_at: dt.datetime | None,
    restricted: bool,
) -> DonationTrace:
    unsafe = getattr(donation, "unsafe", None)
    return DonationTrace(
        din=donation.din,
        collected_at=donation.collected_at,
        establishment=donation.establishment.display_name(),
        donation_type=donation.get_donation_type_display(),
        volume_ml=donation.volume_ml,
        drive=donation.drive.title if donation.drive is not None and not restricted else "",
        donor=donor,
        screening=screening,
        sample_received_at=sample_received_at,
        results=results,
        unsafe=str(UnsafeReason(unsafe.reason).label)
        if unsafe is not None and not restricted
        else "",
        units=units,
        restricted=restricted,
    )


def _screening(donation: Donation) -> Screening | None:
    """The presentation that led to the donation: linked to it, or the same donor at the same
    drive (donations recorded after the day carry only the drive)."""
    match = Q(donation=donation)
    if donation.drive_id is not None:
        match |= Q(drive_id=donation.drive_id, donor_id=donation.donor_id)
    found = Presentation.objects.filter(match).select_related("drive").first()
    if found is None:
        return None
    return Screening(
        drive=found.drive.title,
        arrived_at=found.arrived_at,
        engine_outcome=found.engine_outcome,
        engine_reasons=[sentence for sentence, _source in found.reasons_in_words()],
        decision=str(Decision(found.decision).label) if found.decision else "",
        decision_reason=found.decision_reason,
        decided_at=found.decided_at,
    )


def _results(sample_id: int) -> list[Result]:
    rows = list(TestResult.objects.filter(sample_id=sample_id).order_by("test", "entered_at", "pk"))
    replaced = {r.corrects_id for r in rows if r.corrects_id is not None}
    return [
        Result(
            test=r.test,
            stage=str(Stage(r.stage).label),
            reading=str(Reading(r.reading).label),
            value=r.value,
            acceptable=r.acceptable,
            source=str(Source(r.source).label),
            counts=r.counts() and r.pk not in replaced,
            verified_at=r.verified_at,
            corrected=r.pk in replaced,
            entered_at=r.entered_at,
        )
        for r in rows
    ]


def _units(components: QuerySet[Component], hospitals: Collection[int] | None) -> list[Unit]:
    return [unit for unit, _donation_id in _units_with_donation(components, hospitals)]


def _units_with_donation(
    components: QuerySet[Component], hospitals: Collection[int] | None
) -> list[tuple[Unit, int]]:
    """Four queries: the components, their allocations, their shipment items and the
    look-back notifications about them."""
    rows = list(
        components.select_related(
            "donation", "establishment", "location", "issued_to", "released_by"
        ).order_by("donation_id", "product_code", "division")
    )
    ids = [c.pk for c in rows]
    movements = _movements(ids)
    notifications = _notifications(ids)
    built = []
    for c in rows:
        moved = movements.get(c.pk, [])
        told = notifications.get(c.pk, [])
        if hospitals is not None:
            # What the hospital received: dispatched to it, not merely set aside for it.
            moved = [m for m in moved if m.hospital_id in hospitals and m.dispatched_at]
            told = [(n, where) for n, where in told if where in hospitals]
            if not moved and c.issued_to_id not in hospitals:
                continue
        built.append((_unit(c, moved, [n for n, _where in told]), c.donation_id))
    return built


def _movements(component_ids: list[int]) -> dict[int, list[Movement]]:
    """Per component, one movement per order, merging its allocation and its shipment item."""
    found: dict[tuple[int, int], Movement] = {}
    allocations = Allocation.objects.filter(component_id__in=component_ids).select_related(
        "line__order__hospital"
    )
    for a in allocations.order_by("allocated_at", "pk"):
        m = _movement(found, a.component_id, a.line.order)
        m.allocated_at, m.allocation_cancelled_at = a.allocated_at, a.cancelled_at
    items = ShipmentItem.objects.filter(component_id__in=component_ids).select_related(
        "shipment__order__hospital"
    )
    for item in items.order_by("scanned_at", "pk"):
        shipment = item.shipment
        m = _movement(found, item.component_id, shipment.order)
        m.scanned_at, m.dispatched_at = item.scanned_at, shipment.dispatched_at
        m.received_at = shipment.received_at
        m.outcome, m.outcome_at = item.outcome, item.outcome_at
        m.outcome_label = str(ItemOutcome(item.outcome).label) if item.outcome else ""
        m.cold_chain_ok, m.note = item.cold_chain_ok, item.note
    per_unit: dict[int, list[Movement]] = {}
    for (component_id, _order_id), m in found.items():
        per_unit.setdefault(component_id, []).append(m)
    return per_unit


def _movement(found: dict[tuple[int, int], Movement], component_id: int, order: Order) -> Movement:
    key = (component_id, order.pk)
    if key not in found:
        found[key] = Movement(
            order_uuid=order.uuid,
            order_number=order.number,
            hospital=order.hospital.display_name(),
            hospital_id=order.hospital_id,
        )
    return found[key]


def _notifications(component_ids: list[int]) -> dict[int, list[tuple[Notification, int]]]:
    tasks = NotificationTask.objects.filter(component_id__in=component_ids).select_related(
        "hospital", "result"
    )
    found: dict[int, list[tuple[Notification, int]]] = {}
    for task in tasks.order_by("created_at", "pk"):
        notice = Notification(
            hospital=task.hospital.display_name(),
            test=task.result.test,
            hold=task.kind == NotificationKind.HOLD,
            created_at=task.created_at,
            acknowledged_at=task.acknowledged_at,
            response=task.response,
        )
        found.setdefault(task.component_id, []).append((notice, task.hospital_id))
    return found


def _unit(c: Component, movements: list[Movement], notifications: list[Notification]) -> Unit:
    return Unit(
        uuid=c.uuid,
        din=c.donation.din,
        product_code=c.product_code,
        division=c.division,
        product=product_label(c.component_code),
        group=c.group(),
        volume_ml=c.volume_ml,
        expires_at=c.expires_at,
        held_by=c.establishment.display_name(),
        location=c.location.display_name() if c.location is not None else "",
        released_at=c.released_at,
        released_by=c.released_by.get_full_name() if c.released_by is not None else "",
        label_printed_at=c.label_printed_at,
        stocked_at=c.stocked_at,
        reserved_at=c.reserved_at,
        issued_at=c.issued_at,
        issued_to=c.issued_to.display_name() if c.issued_to is not None else "",
        fate=_fate(c, movements),
        movements=movements,
        notifications=notifications,
    )


def _fate(c: Component, movements: Iterable[Movement]) -> Fate:
    """What became of the unit, in one line: where it is or ended, and when."""
    status = c.current_status()
    label = str(status.label)
    at_hospital = c.issued_to.display_name() if c.issued_to is not None else ""
    here = c.establishment.display_name()
    shelf = c.location.display_name() if c.location is not None else ""
    if status == Status.TRANSFUSED:
        return Fate(status, label, at_hospital, c.transfused_at)
    if status == Status.ISSUED:
        held = str(Status.HELD.label) if c.lookback_hold_id is not None else ""
        return Fate(status, label, at_hospital, c.issued_at, held)
    if status == Status.DISCARDED:
        reported = [m for m in movements if m.outcome]
        there = reported and reported[-1].outcome_at == c.discarded_at
        reason = str(DiscardReason(c.discard_reason).label) if c.discard_reason else ""
        where = reported[-1].hospital if there else here
        return Fate(status, label, where, c.discarded_at, reason)
    if status == Status.UNSAFE:
        reason = str(UnsafeReason(c.unsafe_reason).label) if c.unsafe_reason else ""
        return Fate(status, label, here, c.unsafe_at, reason, shelf)
    at = {Status.PROCESSED: c.processed_at, Status.EXPIRED: c.expires_at}.get(status)
    return Fate(status, label, here, at, "", shelf)
