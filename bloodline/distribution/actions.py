"""Orders, allocation, picking, dispatch, receipt and what became of each unit.

Allocation locks candidate units with ``select_for_update`` (skipping rows another desk holds
on PostgreSQL) and re-derives their status under the lock; a partial unique index makes a
second live allocation or a second live shipment of one unit impossible (QUALITY T2). At
dispatch every unit passes the gate again against the server's clock (safety.md §3).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit import chain as audit_chain
from bloodline.audit.record import record
from bloodline.distribution import compatibility, messages, recipients
from bloodline.distribution.models import (
    ORDER_STEPS,
    Allocation,
    ItemOutcome,
    Order,
    OrderLine,
    OrderStatus,
    OrderStep,
    Shipment,
    ShipmentItem,
    Side,
    Urgency,
)
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component, DiscardReason
from bloodline.inventory.status import Status
from bloodline.jurisdictions.loader import registry
from bloodline.lab import gate
from bloodline.lib import isbt128
from bloodline.lib.blood_groups import blood_group
from bloodline.lib.forms import refuse
from bloodline.lib.locking import bump, check_version
from bloodline.organisations import access
from bloodline.organisations.kinds import Kind
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

HOSPITALS = frozenset({Kind.HOSPITAL, Kind.HOSPITAL_BLOOD_BANK})
SUPPLIERS = frozenset({Kind.BLOOD_CENTRE, Kind.BLOOD_STATION})
# What a person needs on an order's side to act for it (ORDER_STEPS names the sides).
SIDE_PERMS: dict[str, str] = {Side.HOSPITAL: Perm.ORDER_PLACE, Side.DESK: Perm.ORDER_FULFIL}


def locked_order(order: Order, version: int | None = None) -> Order:
    row = Order.objects.select_for_update().select_related("hospital", "supplier").get(pk=order.pk)
    check_version(row, version)
    return row


def check_step(by: User, order: Order, step: OrderStep) -> None:
    """Refuse unless ``by`` acts for a side that may take ``step`` and the order's status
    allows it (the order state table, ORDER_STEPS). The order should be locked."""
    sides = sorted(ORDER_STEPS[step].sides)
    if not any(access.has_perm(by, SIDE_PERMS[s], order.side_organisation(s)) for s in sides):
        access.require(by, SIDE_PERMS[sides[0]], order.side_organisation(sides[0]))
    if not order.allows(step):
        raise refuse(order.refusal(step))


def _bump(order: Order) -> None:
    bump(order, ["status", "cancelled_at"])


# Placing an order ---------------------------------------------------------------------------


@dataclass
class LineRequest:
    component_code: str
    abo: str
    rhd: str
    quantity: int
    allow_rhd_shortage: bool = False
    # What the hospital knows of the recipient (decision 0017); empty is "not stated".
    recipient_sex: str = ""
    recipient_age: int | None = None
    childbearing_potential: bool | None = None
    anti_d: bool = False
    chronically_transfused: bool = False
    anti_d_prophylaxis: bool = False
    # An emergency release of RhD-positive red cells, signed by the ordering clinician.
    emergency_clinician: str = ""
    emergency_reason: str = ""

    def facts(self, kind: str) -> recipients.Facts:
        return recipients.Facts(
            component_kind=kind,
            abo=self.abo,
            rhd=self.rhd,
            allow_rhd_shortage=self.allow_rhd_shortage,
            recipient_sex=self.recipient_sex,
            recipient_age=self.recipient_age,
            childbearing_potential=self.childbearing_potential,
            anti_d=self.anti_d,
            chronically_transfused=self.chronically_transfused,
            anti_d_prophylaxis=self.anti_d_prophylaxis,
            emergency_clinician=self.emergency_clinician,
            emergency_reason=self.emergency_reason,
        )


def products(supplier: Organisation) -> list[tuple[str, str]]:
    """``(component code, kind)`` of the supplier's rule set in force today."""
    rules = registry.get(
        supplier.jurisdiction, timezone.localdate(timezone.now(), inventory.zone(supplier))
    )
    return [(c.code, c.kind) for c in rules.components]


def _check_lines(
    by: User, supplier: Organisation, urgency: str, lines: Sequence[LineRequest]
) -> list[OrderLine]:
    kinds = dict(products(supplier))
    ages = recipients.limits(supplier)
    built: list[OrderLine] = []
    errors: list[str] = []
    for n, line in enumerate(lines, start=1):
        wrong = (
            recipients.problem(line.facts(kinds[line.component_code]), ages, urgency=urgency)
            if line.component_code in kinds
            else ""
        )
        if line.component_code not in kinds:
            errors.append(_("Line %(n)s: choose a product this establishment supplies.") % {"n": n})
        elif line.abo not in ("", "A", "B", "AB", "O") or line.rhd not in ("", "pos", "neg"):
            errors.append(_("Line %(n)s: choose the recipient's ABO group and RhD.") % {"n": n})
        elif not 1 <= line.quantity <= 100:
            errors.append(_("Line %(n)s: order between 1 and 100 units.") % {"n": n})
        elif not compatibility.choices(kinds[line.component_code], line.abo, line.rhd):  # type: ignore[arg-type]
            errors.append(
                _(
                    "Line %(n)s: no unit of this product suits an unknown group; "
                    "order red cells of group O."
                )
                % {"n": n}
            )
        elif wrong:
            errors.append(_("Line %(n)s: %(problem)s") % {"n": n, "problem": wrong})
        else:
            built.append(_line(by, line, kinds[line.component_code]))
    if not lines:
        errors.append(_("Add at least one line."))
    if errors:
        raise ValidationError({"lines": errors})
    return built


def _line(by: User, line: LineRequest, kind: str) -> OrderLine:
    released = bool(line.emergency_clinician.strip())
    return OrderLine(
        component_code=line.component_code,
        component_kind=kind,
        abo=line.abo,
        rhd=line.rhd,
        quantity=line.quantity,
        allow_rhd_shortage=line.allow_rhd_shortage,
        recipient_sex=line.recipient_sex,
        recipient_age=line.recipient_age,
        childbearing_potential=line.childbearing_potential,
        anti_d=line.anti_d,
        chronically_transfused=line.chronically_transfused,
        anti_d_prophylaxis=line.anti_d_prophylaxis,
        emergency_clinician=line.emergency_clinician.strip(),
        emergency_reason=line.emergency_reason.strip(),
        emergency_signed_at=timezone.now() if released else None,
        emergency_signed_by=by if released else None,
    )


@transaction.atomic
def place_order(
    *,
    by: User,
    hospital: Organisation,
    supplier: Organisation,
    urgency: str,
    needed_by: dt.datetime,
    lines: Sequence[LineRequest],
    note: str = "",
) -> Order:
    access.require(by, Perm.ORDER_PLACE, hospital)
    errors: dict[str, list[str]] = {}
    if hospital.kind not in HOSPITALS:
        errors["hospital"] = [_("Orders are placed by a hospital or its blood bank.")]
    if supplier.kind not in SUPPLIERS or not supplier.is_active:
        errors["supplier"] = [_("Choose a blood centre or blood station.")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose the urgency.")]
    if needed_by <= timezone.now() - dt.timedelta(hours=1):
        errors["needed_by"] = [_("The time needed must not be in the past.")]
    if errors:
        raise ValidationError(errors)
    built = _check_lines(by, supplier, urgency, lines)
    order = Order.objects.create(
        number=f"{timezone.now():%y%m%d}-{secrets.token_hex(3).upper()}",
        hospital=hospital,
        supplier=supplier,
        urgency=urgency,
        needed_by=needed_by,
        note=note.strip(),
        placed_at=timezone.now(),
        placed_by=by,
    )
    for line in built:
        line.order = order
    OrderLine.objects.bulk_create(built)
    record(
        by=by,
        action="order.place",
        obj=order,
        changes={"lines": [None, [str(x) for x in built]], "urgency": [None, urgency]},
    )
    for n, line in enumerate(built, start=1):
        if line.emergency_release:
            # An emergency release is its own event, with the clinician's reason as the why.
            record(
                by=by,
                action="order.emergency_release",
                obj=order,
                changes={"line": [None, n], "clinician": [None, line.emergency_clinician]},
                reason=line.emergency_reason,
            )
    return order


@transaction.atomic
def cancel_order(*, by: User, order: Order, version: int | None = None) -> Order:
    order = locked_order(order, version)
    check_step(by, order, OrderStep.CANCEL)
    for allocation in Allocation.objects.filter(line__order=order, cancelled_at__isnull=True):
        _unallocate(allocation)
    # Units scanned into the shipment never left: unpack them, so another order may ship them.
    ShipmentItem.objects.filter(shipment__order=order).delete()
    order.status, order.cancelled_at = OrderStatus.CANCELLED, timezone.now()
    _bump(order)
    record(
        by=by,
        action="order.cancel",
        obj=order,
        changes={"status": [OrderStatus.PLACED, OrderStatus.CANCELLED]},
    )
    return order


@transaction.atomic
def sign_emergency_release(
    *, by: User, line: OrderLine, clinician: str, reason: str, version: int | None = None
) -> OrderLine:
    """Record on a placed line the emergency release of RhD-positive red cells, signed by the
    ordering clinician with the reason (decision 0017). The order becomes an emergency order
    if it was not one: a release is only given in an emergency."""
    order = locked_order(line.order, version)
    check_step(by, order, OrderStep.SIGN_RELEASE)
    lines = list(order.lines.select_for_update())
    line = next(row for row in lines if row.pk == line.pk)
    n = lines.index(line) + 1
    if line.emergency_release:
        raise refuse(_("This line already has an emergency release."))
    facts = recipients.Facts(
        component_kind=line.component_kind,
        abo=line.abo,
        rhd=line.rhd,
        emergency_clinician=clinician,
        emergency_reason=reason,
    )
    if not (clinician.strip() and reason.strip()):
        wrong = _("an emergency release needs the ordering clinician's name and the reason.")
    else:
        wrong = recipients.release_problem(facts, urgency=Urgency.EMERGENCY)
    if wrong:
        raise refuse(_("Line %(n)s: %(problem)s") % {"n": n, "problem": wrong})
    line.emergency_clinician, line.emergency_reason = clinician.strip(), reason.strip()
    line.emergency_signed_at, line.emergency_signed_by = timezone.now(), by
    line.save(
        update_fields=[
            "emergency_clinician",
            "emergency_reason",
            "emergency_signed_at",
            "emergency_signed_by",
        ]
    )
    if order.urgency != Urgency.EMERGENCY:
        record(
            by=by,
            action="order.urgency",
            obj=order,
            changes={"urgency": [order.urgency, Urgency.EMERGENCY]},
        )
        order.urgency = Urgency.EMERGENCY
    bump(order, ["urgency"])
    record(
        by=by,
        action="order.emergency_release",
        obj=order,
        changes={"line": [None, n], "clinician": [None, line.emergency_clinician]},
        reason=line.emergency_reason,
    )
    return line


# Allocation ---------------------------------------------------------------------------------


def _choices(line: OrderLine) -> list[compatibility.Choice]:
    return recipients.line_choices(line, recipients.limits(line.order.supplier))


def candidates(
    line: OrderLine, now: dt.datetime | None = None
) -> list[tuple[Component, compatibility.Choice]]:
    """Available, unexpired units for the line: best group first, then first expiry first."""
    now = now or timezone.now()
    chosen = {(c.abo, c.rhd): c for c in _choices(line)}
    if not chosen:
        return []
    groups = Q()
    for abo, rhd in chosen:
        groups |= Q(abo=abo, rhd=rhd)
    units = Component.objects.filter(
        groups,
        establishment=line.order.supplier,
        component_code=line.component_code,
        status=Status.AVAILABLE,
        expires_at__gt=now,
    ).select_related("donation")
    ranked = [(u, chosen[(u.abo, u.rhd)]) for u in units]
    ranked.sort(key=lambda pair: (pair[1].rank, pair[0].expires_at, pair[0].pk))
    return ranked


def _reserve(
    by: User, line: OrderLine, component: Component, choice: compatibility.Choice
) -> Allocation:
    component.reserved_at = timezone.now()
    inventory.save(component, ["reserved_at"])
    return Allocation.objects.create(
        line=line,
        component=component,
        rank=choice.rank,
        conditions=choice.conditional,
        allocated_at=component.reserved_at,
        allocated_by=by,
    )


def _outstanding(line: OrderLine) -> int:
    return line.quantity - line.allocations.filter(cancelled_at__isnull=True).count()


@transaction.atomic
def allocate(*, by: User, order: Order, version: int | None = None) -> list[Allocation]:
    """Allocate the best compatible units, first expiry first, to every open line."""
    audit_chain.hold()  # before any unit is locked: see audit.chain.hold
    order = locked_order(order, version)
    check_step(by, order, OrderStep.ALLOCATE)
    made: list[Allocation] = []
    now = timezone.now()
    for line in order.lines.all():
        wanted = _outstanding(line)
        for unit, choice in candidates(line, now):
            if wanted <= 0:
                break
            row = _lock_if_free(unit)
            if row is None:
                continue
            made.append(_reserve(by, line, row, choice))
            wanted -= 1
    if made:
        bump(order, [])
        record(
            by=by,
            action="order.allocate",
            obj=order,
            changes={"allocated": [None, [str(a.component) for a in made]]},
        )
    return made


def _lock_if_free(unit: Component) -> Component | None:
    """The unit locked, if it is still available: another desk may have taken it. On
    PostgreSQL a unit locked by another transaction is skipped rather than waited for."""
    rows = Component.objects.select_for_update(
        skip_locked=connection.features.has_select_for_update_skip_locked
    ).filter(pk=unit.pk)
    row = rows.first()
    if row is None or row.current_status() != Status.AVAILABLE:
        return None
    return row


@transaction.atomic
def allocate_unit(
    *,
    by: User,
    line: OrderLine,
    component: Component,
    version: int | None = None,
    order_version: int | None = None,
) -> Allocation:
    """Allocate a unit the desk chose; refused unless it is compatible and available.
    ``version`` is the unit's, ``order_version`` the order's as the desk saw them."""
    audit_chain.hold()  # before any unit is locked: see audit.chain.hold
    order = locked_order(line.order, order_version)
    check_step(by, order, OrderStep.ALLOCATE)
    unit = inventory.locked(component, version)
    if unit.establishment_id != order.supplier_id or unit.component_code != line.component_code:
        raise refuse(_("This unit is not the product ordered on this line."))
    choice = next((c for c in _choices(line) if (c.abo, c.rhd) == (unit.abo, unit.rhd)), None)
    why = (
        ""
        if choice
        else recipients.refusal(line, unit.abo, unit.rhd, recipients.limits(order.supplier))
    )
    if why:
        raise refuse(why)
    if choice is None:
        raise refuse(
            _("A %(group)s unit is not compatible with a recipient of group %(recipient)s.")
            % {
                "group": unit.group(),
                "recipient": blood_group(line.abo, line.rhd) or "?",
            }
        )
    if unit.current_status() != Status.AVAILABLE:
        raise refuse(
            _("This unit is not available (it is %(status)s).")
            % {"status": unit.current_status().label}
        )
    if _outstanding(line) <= 0:
        raise refuse(_("This line already has all its units."))
    allocation = _reserve(by, line, unit, choice)
    bump(order, [])
    record(by=by, action="order.allocate", obj=order, changes={"allocated": [None, [str(unit)]]})
    return allocation


def _unallocate(allocation: Allocation) -> None:
    allocation.cancelled_at = timezone.now()
    allocation.save(update_fields=["cancelled_at"])
    unit = inventory.locked(allocation.component)
    if unit.reserved_at is not None and unit.issued_at is None:
        unit.reserved_at = None
        inventory.save(unit, ["reserved_at"])


@transaction.atomic
def unallocate(*, by: User, allocation: Allocation, version: int | None = None) -> None:
    order = locked_order(allocation.line.order, version)
    check_step(by, order, OrderStep.UNALLOCATE)
    if allocation.cancelled_at is not None:
        raise refuse(_("This allocation cannot be cancelled now."))
    if ShipmentItem.objects.filter(shipment__order=order, component=allocation.component).exists():
        raise refuse(_("Take the unit out of the shipment first."))
    _unallocate(allocation)
    record(
        by=by,
        action="order.unallocate",
        obj=order,
        changes={"allocated": [str(allocation.component), None]},
    )


# Picking and dispatch -----------------------------------------------------------------------


def find_unit(supplier: Organisation, din_scan: str, product_scan: str) -> Component:
    try:
        din = isbt128.parse(din_scan).din
    except isbt128.DinError as exc:
        raise refuse(str(exc), "din_scan") from None
    try:
        code, division = isbt128.parse_product_code(product_scan)
    except isbt128.DinError as exc:
        raise refuse(str(exc), "product_scan") from None
    unit = Component.objects.filter(
        donation__din=din, product_code=code, division=division, establishment=supplier
    ).first()
    if unit is None:
        raise refuse(_("No unit with this DIN and product code is held here."), "din_scan")
    return unit


@transaction.atomic
def pick(*, by: User, order: Order, din_scan: str, product_scan: str) -> ShipmentItem:
    """Scan a unit into the order's shipment. Only an allocated unit that passes the gate
    now (released, label checked, not unsafe, unexpired, tests still in order) goes in."""
    order = locked_order(order)
    check_step(by, order, OrderStep.PICK)
    unit = inventory.locked(find_unit(order.supplier, din_scan, product_scan))
    problems = gate.blockers(unit, at_issue=True)
    if problems:
        raise ValidationError({"din_scan": problems})
    if not Allocation.objects.filter(
        line__order=order, component=unit, cancelled_at__isnull=True
    ).exists():
        raise refuse(_("This unit is not allocated to this order."), "din_scan")
    shipment, _created = Shipment.objects.get_or_create(order=order)
    if shipment.items.filter(component=unit).exists():
        raise refuse(_("This unit is already in the shipment."), "din_scan")
    item = ShipmentItem.objects.create(
        shipment=shipment, component=unit, scanned_at=timezone.now(), scanned_by=by
    )
    record(by=by, action="shipment.scan", obj=order, changes={"scanned": [None, str(unit)]})
    return item


@transaction.atomic
def dispatch(*, by: User, order: Order, packed_count: int, version: int | None = None) -> Shipment:
    """Issue every scanned unit, if the count packed equals the count scanned and each unit
    passes the gate again now (expiry against the server's clock)."""
    order = locked_order(order, version)
    check_step(by, order, OrderStep.DISPATCH)
    shipment = Shipment.objects.filter(order=order).first()
    if shipment is None or not shipment.items.exists():
        raise refuse(_("Scan the units into the shipment first."))
    items = list(shipment.items.select_related("component"))
    if packed_count != len(items):
        raise refuse(
            _("%(packed)s units packed but %(scanned)s scanned: reconcile before dispatch.")
            % {"packed": packed_count, "scanned": len(items)},
            "packed_count",
        )
    now = timezone.now()
    problems: list[str] = []
    units = []
    for item in items:
        unit = inventory.locked(item.component)
        problems += [
            _("Unit %(unit)s: %(problem)s") % {"unit": unit, "problem": p}
            for p in gate.blockers(unit, now, at_issue=True)
        ]
        units.append(unit)
    if problems:
        raise ValidationError({"__all__": problems})
    for unit in units:
        unit.issued_at, unit.issued_to, unit.reserved_at = now, order.hospital, None
        inventory.save(unit, ["issued_at", "issued_to", "reserved_at"])
    shipment.packed_count, shipment.dispatched_at, shipment.dispatched_by = packed_count, now, by
    shipment.save(update_fields=["packed_count", "dispatched_at", "dispatched_by"])
    order.status = OrderStatus.DISPATCHED
    _bump(order)
    record(
        by=by,
        action="order.dispatch",
        obj=order,
        changes={
            "status": [OrderStatus.PLACED, OrderStatus.DISPATCHED],
            "units": [None, [str(u) for u in units]],
        },
    )
    return shipment


# At the hospital ----------------------------------------------------------------------------


@transaction.atomic
def receive(*, by: User, order: Order, received_count: int) -> Shipment:
    order = locked_order(order)
    check_step(by, order, OrderStep.RECEIVE)
    shipment = Shipment.objects.filter(order=order).first()
    if shipment is None:
        raise refuse(_("This order has not been dispatched."))
    if received_count != shipment.items.count():
        raise refuse(
            _(
                "The count received differs from the count dispatched; "
                "call the blood establishment before accepting."
            ),
            "received_count",
        )
    shipment.received_at, shipment.received_by = timezone.now(), by
    shipment.save(update_fields=["received_at", "received_by"])
    order.status = OrderStatus.RECEIVED
    _bump(order)
    record(
        by=by,
        action="order.receive",
        obj=order,
        changes={"status": [OrderStatus.DISPATCHED, OrderStatus.RECEIVED]},
    )
    return shipment


@transaction.atomic
def report_outcome(
    *, by: User, item: ShipmentItem, outcome: str, cold_chain_ok: bool | None = None, note: str = ""
) -> ShipmentItem:
    """What became of a unit at the hospital: transfused, returned (cold chain confirmed or
    not) or discarded there. A unit returned with its cold chain kept goes back into the
    establishment's stock; without it, it is discarded."""
    item = (
        ShipmentItem.objects.select_for_update()
        .select_related("shipment__order__hospital")
        .get(pk=item.pk)
    )
    order = item.shipment.order
    check_step(by, order, OrderStep.REPORT_OUTCOME)
    if item.outcome:
        raise refuse(_("What became of this unit has already been reported."))
    if outcome not in ItemOutcome.values:
        raise refuse(_("Choose transfused, returned or discarded."), "outcome")
    if outcome == ItemOutcome.RETURNED and cold_chain_ok is None:
        raise refuse(_("Say whether the cold chain was kept."), "cold_chain_ok")
    if outcome == ItemOutcome.DISCARDED and not note.strip():
        raise refuse(_("Say why the unit was discarded."), "note")
    unit = inventory.locked(item.component)
    now = timezone.now()
    if outcome == ItemOutcome.TRANSFUSED:
        unit.transfused_at = now
    elif outcome == ItemOutcome.DISCARDED or not cold_chain_ok:
        unit.discarded_at, unit.discarded_by = now, by
        unit.discard_reason = (
            DiscardReason.COLD_CHAIN if outcome == ItemOutcome.RETURNED else DiscardReason.OTHER
        )
    else:  # returned in the cold chain: back on the establishment's shelf
        unit.issued_at, unit.issued_to, unit.location = None, None, None
        # Its allocation to this order ends, so the unit can be allocated again.
        Allocation.objects.filter(component=unit, cancelled_at__isnull=True).update(
            cancelled_at=now
        )
    inventory.save(
        unit,
        [
            "transfused_at",
            "discarded_at",
            "discarded_by",
            "discard_reason",
            "issued_at",
            "issued_to",
            "location",
        ],
    )
    item.outcome, item.outcome_at, item.outcome_by = outcome, now, by
    item.cold_chain_ok, item.note = cold_chain_ok, note.strip()
    item.save(update_fields=["outcome", "outcome_at", "outcome_by", "cold_chain_ok", "note"])
    if outcome == ItemOutcome.TRANSFUSED:
        messages.helped(unit, order.hospital, by=by)
    record(
        by=by,
        action="unit.outcome",
        obj=order,
        changes={"unit": [None, str(unit)], "outcome": [None, outcome]},
        reason=note,
    )
    return item
