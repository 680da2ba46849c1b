"""What people do to components: make them from a donation, check the label and put them in
stock, move, discard, send to another establishment; and the expiry sweep.

Every action locks the component row, compares the version the person saw (optimistic
locking: a concurrent change is refused, never overwritten), re-derives the status and
writes its audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, get_args
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import plain, record, snapshot
from bloodline.collection.models import Donation
from bloodline.donors.models import ABO, RhD
from bloodline.inventory.models import (
    Component,
    DiscardReason,
    LocationKind,
    ProcessingEvent,
    ProcessingKind,
    ProductCode,
    StockThreshold,
    StorageLocation,
    Transfer,
    UnsafeDonation,
    UnsafeReason,
)
from bloodline.inventory.status import FINAL, IN_STOCK, Status
from bloodline.jurisdictions.labels import component_type
from bloodline.jurisdictions.loader import registry
from bloodline.jurisdictions.schema import Component as ComponentRule
from bloodline.jurisdictions.schema import ComponentKind, RuleSet, StorageTemperature
from bloodline.lib import expiry, isbt128
from bloodline.lib.forms import refuse
from bloodline.lib.locking import bump, check_version
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm


def zone(establishment: Organisation) -> ZoneInfo:
    return ZoneInfo(establishment.effective_time_zone())


def rules_for(donation: Donation) -> RuleSet:
    """The rule set in force where and when the donation was collected."""
    day = timezone.localtime(donation.collected_at, zone(donation.establishment)).date()
    return registry.get(donation.establishment.jurisdiction, day)


def require_processable(donation: Donation) -> None:
    """An incomplete collection yields no sample and no component unless the rule set in force
    allows a low-volume product (absent: not allowed)."""
    if donation.is_complete or rules_for(donation).whole_blood_volumes.low_volume_allowed:
        return
    raise refuse(
        _(
            "Donation %(din)s is an incomplete collection (%(volume)s mL in a %(bag)s mL bag); "
            "the rule set in force allows no low-volume product from it."
        )
        % {"din": donation.din, "volume": donation.volume_ml, "bag": donation.bag_volume_ml},
        "din",
    )


def rule_of(component: Component) -> ComponentRule:
    rules = rules_for(component.donation)
    rule = rules.component(component.component_code)
    if rule is None:  # the code came from this rule set when the component was made
        raise refuse(_("The rule set no longer describes this component type."))
    return rule


def locked(component: Component, version: int | None = None) -> Component:
    """The component's row, locked; refused when someone changed it since ``version``."""
    row = (
        Component.objects.select_for_update(of=("self",))
        .select_related("donation__establishment", "establishment", "location")
        .get(pk=component.pk)
    )
    check_version(row, version)
    return row


def save(component: Component, fields: Iterable[str]) -> None:
    bump(component, fields)


# Processing ---------------------------------------------------------------------------------


def _product_code(establishment: Organisation, component_code: str) -> ProductCode:
    code = (
        ProductCode.objects.filter(
            establishment=establishment, component_code=component_code, active=True
        )
        .order_by("code")
        .first()
    )
    if code is None:
        raise refuse(
            _("No product code is loaded for “%(type)s”; load one before processing.")
            % {"type": component_type(component_code)}
        )
    return code


def _volume(rule: ComponentRule, volumes: Mapping[str, int], default: int | None) -> int:
    volume = volumes.get(rule.code, default)
    if volume is None or volume <= 0:
        raise refuse(
            _("Enter the volume of the %(type)s in millilitres.")
            % {"type": component_type(rule.code)},
            f"volume_{rule.code}",
        )
    if rule.volume_ml and not rule.volume_ml.min_ml <= volume <= rule.volume_ml.max_ml:
        raise refuse(
            _("The volume must be between %(low)s and %(high)s mL for this component.")
            % {"low": rule.volume_ml.min_ml, "high": rule.volume_ml.max_ml},
            f"volume_{rule.code}",
        )
    return volume


def expiry_of(
    rule: ComponentRule, collected_at: dt.datetime, establishment: Organisation
) -> dt.datetime:
    return expiry.expiry(
        collected_at,
        rule.shelf_life.value,
        rule.shelf_life.unit,
        establishment.effective_time_zone(),
        end_of_day=rule.expires_at_end_of_day,
    )


@transaction.atomic
def process_donation(
    *,
    by: User,
    donation: Donation,
    recipe: str,
    volumes: Mapping[str, int] | None = None,
    at: dt.datetime | None = None,
) -> list[Component]:
    """Make the components of ``recipe`` from a donation, quarantined, with their expiry."""
    donation = (
        Donation.objects.select_for_update().select_related("establishment").get(pk=donation.pk)
    )
    access.require(by, Perm.COMPONENT_PROCESS, donation.establishment)
    if Component.objects.filter(donation=donation).exists():
        raise refuse(_("This donation has already been processed."))
    require_processable(donation)
    rules = rules_for(donation)
    chosen = rules.recipe(recipe)
    if chosen is None or donation.donation_type not in chosen.donation_types:
        raise refuse(_("Choose a processing recipe for this kind of donation."), "recipe")
    outputs = [r for code in chosen.outputs if (r := rules.component(code)) is not None]
    single = donation.volume_ml if len(outputs) == 1 else None
    unsafe = UnsafeDonation.objects.filter(donation=donation).first()
    now = at or timezone.now()
    made = []
    for rule in outputs:
        component = Component(
            donation=donation,
            establishment=donation.establishment,
            product_code=_product_code(donation.establishment, rule.code).code,
            component_code=rule.code,
            component_kind=rule.kind,
            volume_ml=_volume(rule, volumes or {}, single),
            rule_set=f"{rules.code} {rules.version}",
            collected_at=donation.collected_at,
            expires_at=expiry_of(rule, donation.collected_at, donation.establishment),
            created_by=by,
        )
        if unsafe is not None:
            component.unsafe_at, component.unsafe_reason = now, unsafe.reason
        component.save()
        made.append(component)
    record(
        by=by,
        action="donation.process",
        obj=donation,
        changes={"recipe": [None, recipe], "components": [None, [str(c) for c in made]]},
    )
    return made


# Label check and storage --------------------------------------------------------------------


def label_printed(*, by: User, component: Component) -> Component:
    """Note that the blood-group label was printed (labels exist only for released units)."""
    with transaction.atomic():
        component = locked(component)
        access.require(by, Perm.STOCK_VIEW, component.establishment)
        if component.released_at is None or component.current_status() not in (
            Status.RELEASED,
            *IN_STOCK,
        ):
            raise refuse(_("A blood-group label is printed only for a released unit."))
        if component.label_printed_at is None:
            component.label_printed_at = timezone.now()
            save(component, ["label_printed_at"])
            record(
                by=by,
                action="component.label",
                obj=component,
                changes={"label_printed_at": [None, "now"]},
            )
    return component


def storage_of(component: Component) -> StorageTemperature:
    """The storage range the unit needs now: its type's, or that of the type a processing
    event made it (thawed plasma is kept at 2–6 °C and never refrozen [S59])."""
    rules = rules_for(component.donation)
    storage = rule_of(component).storage
    for event in component.processing_events.order_by("at", "pk"):
        rule = rules.processing_rule(event.kind, component.component_code)
        result = rules.component(rule.result) if rule is not None and rule.result else None
        if result is not None:
            storage = result.storage
    return storage


def check_location(
    component: Component, location: StorageLocation, storage: StorageTemperature | None = None
) -> None:
    rule = storage or storage_of(component)
    low = Decimal(str(rule.min_c)) if rule.min_c is not None else None
    high = Decimal(str(rule.max_c)) if rule.max_c is not None else None
    fits = (low is None or location.min_c >= low) and (high is None or location.max_c <= high)
    if not location.active or location.establishment_id != component.establishment_id or not fits:
        raise refuse(
            _("This location does not keep the temperature this component needs."), "location"
        )


@transaction.atomic
def scan_back(
    *,
    by: User,
    component: Component,
    din_scan: str,
    group_scan: str,
    product_scan: str,
    location: StorageLocation,
    version: int | None = None,
) -> Component:
    """Put a released, labelled unit in stock once the label read back matches: DIN with its
    check character or flag, ABO/RhD and product code (safety.md §3, QUALITY T7)."""
    component = locked(component, version)
    access.require(by, Perm.STOCK_MANAGE, component.establishment)
    if component.current_status() != Status.RELEASED or component.label_printed_at is None:
        raise refuse(_("Only a released unit with its printed label can be checked into stock."))
    errors: dict[str, list[str]] = {}
    try:
        din = isbt128.parse(din_scan)
        if len(din_scan.strip().replace(" ", "")) == 13:
            # A bare DIN proves nothing about the label: the scan carries its flag, a typed
            # DIN its check character (QUALITY T7).
            errors["din_scan"] = [_("Scan the label, or type the DIN with its check character.")]
        elif din.din != component.donation.din:
            errors["din_scan"] = [_("The DIN on the label is not this unit's.")]
    except isbt128.DinError as exc:
        errors["din_scan"] = [str(exc)]
    try:
        if isbt128.parse_blood_group(group_scan) != (component.abo, component.rhd):
            errors["group_scan"] = [_("The blood group on the label is not this unit's.")]
    except isbt128.DinError as exc:
        errors["group_scan"] = [str(exc)]
    try:
        if isbt128.parse_product_code(product_scan) != (component.product_code, component.division):
            errors["product_scan"] = [_("The product code on the label is not this unit's.")]
    except isbt128.DinError as exc:
        errors["product_scan"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    check_location(component, location)
    component.stocked_at, component.stocked_by, component.location = timezone.now(), by, location
    save(component, ["stocked_at", "stocked_by", "location"])
    record(
        by=by,
        action="component.stock",
        obj=component,
        changes={
            "status": [Status.RELEASED, component.status],
            "location": [None, plain(location)],
        },
    )
    return component


@transaction.atomic
def move(
    *, by: User, component: Component, location: StorageLocation, version: int | None = None
) -> Component:
    component = locked(component, version)
    access.require(by, Perm.STOCK_MANAGE, component.establishment)
    if component.current_status() in FINAL or component.issued_at is not None:
        raise refuse(_("This unit is no longer in the establishment's stores."))
    check_location(component, location)
    before = plain(component.location) if component.location else None
    component.location = location
    save(component, ["location"])
    record(
        by=by,
        action="component.move",
        obj=component,
        changes={"location": [before, plain(location)]},
    )
    return component


@transaction.atomic
def discard(
    *, by: User, component: Component, reason: str, note: str = "", version: int | None = None
) -> Component:
    component = locked(component, version)
    access.require(by, Perm.STOCK_MANAGE, component.establishment)
    if reason not in DiscardReason.values:
        raise refuse(_("Choose the reason for the discard."), "reason")
    if reason == DiscardReason.OTHER and not note.strip():
        raise refuse(_("Say why the unit is discarded."), "note")
    status = component.current_status()
    if status in FINAL or status == Status.ISSUED:
        raise refuse(
            _("This unit cannot be discarded here (it is %(status)s).") % {"status": status.label}
        )
    component.discarded_at, component.discarded_by = timezone.now(), by
    component.discard_reason, component.reserved_at = reason, None
    save(component, ["discarded_at", "discarded_by", "discard_reason", "reserved_at"])
    record(
        by=by,
        action="component.discard",
        obj=component,
        changes={"status": [status, Status.DISCARDED], "discard_reason": [None, reason]},
        reason=note,
    )
    return component


# Processing events: open, thaw, wash, irradiate (components.md §4) -------------------------

NOT_PROCESSED = frozenset({*FINAL, Status.ISSUED, Status.UNSAFE})


@transaction.atomic
def record_processing(
    *,
    by: User,
    component: Component,
    kind: str,
    at: dt.datetime | None = None,
    location: StorageLocation | None = None,
    version: int | None = None,
) -> ProcessingEvent:
    """Record that a unit's closed system was opened, or that it was thawed, washed or
    irradiated, and shorten its expiry to the earlier of the old expiry and the event instant
    plus the period the rule set states for that event on that component type. Refused, with
    nothing written: a unit no longer in the stores (issued, unsafe, processed further,
    discarded) or already expired; an event the rule set has no rule for (a missing rule is
    not a pass); an event the unit already had (a thawed unit is never thawed again); a time
    in the future or before the unit's last recorded step. When the event changes the storage
    range (thawed plasma goes to 2–6 °C), the unit must go to a location that keeps it."""
    component = locked(component, version)
    access.require(by, Perm.STOCK_MANAGE, component.establishment)
    if kind not in ProcessingKind.values:
        raise refuse(_("Choose what was done to the unit."), "kind")
    now = timezone.now()
    when = at or now
    if when.tzinfo is None or when.utcoffset() is None:
        raise refuse(_("Give the time of processing with its time zone."), "at")
    status = component.current_status()
    if status in NOT_PROCESSED:
        raise refuse(
            _("This unit cannot be processed: it is %(status)s.") % {"status": status.label}
        )
    if when > now:
        raise refuse(_("The time of processing cannot be in the future."), "at")
    if status == Status.EXPIRED or component.expires_at <= when:
        raise refuse(_("This unit has expired; an expired unit is never processed."))
    done = list(component.processing_events.all())
    steps = [component.collected_at, component.released_at, *(e.at for e in done)]
    if when < max(step for step in steps if step is not None):
        raise refuse(
            _("The time of processing cannot be before the unit's last recorded step."), "at"
        )
    if any(e.kind == kind for e in done):
        if kind == ProcessingKind.THAW:
            raise refuse(_("This unit has already been thawed; a thawed unit is never refrozen."))
        raise refuse(
            _("This unit already has this processing recorded: %(kind)s.")
            % {"kind": ProcessingKind(kind).label},
            "kind",
        )
    rules = rules_for(component.donation)
    rule = rules.processing_rule(kind, component.component_code)
    if rule is None:
        raise refuse(
            _(
                "The rule set %(rules)s states no rule for “%(kind)s” on %(type)s, so it "
                "cannot be recorded; the deployer must add one to the rule data."
            )
            % {
                "rules": rules.code,
                "kind": ProcessingKind(kind).label,
                "type": component_type(component.component_code),
            },
            "kind",
        )
    period = rules.processing_period(rule)
    result = rules.component(rule.result) if rule.result else None
    if result is not None and location is None and component.location is not None:
        try:
            check_location(component, component.location, result.storage)
        except ValidationError:
            raise refuse(
                _("After this processing the unit needs another temperature: choose its place."),
                "location",
            ) from None
    if location is not None:
        check_location(component, location, result.storage if result else None)
    before = component.expires_at
    after = expiry.after_processing(
        before,
        when,
        period.value,
        period.unit,
        component.establishment.effective_time_zone(),
        end_of_day=result.expires_at_end_of_day if result else False,
    )
    verified = rule.verified and period.verified and (result is None or result.verified)
    event = ProcessingEvent.objects.create(
        component=component,
        kind=kind,
        at=when,
        by=by,
        expires_before=before,
        expires_at=after,
        rule_set=f"{rules.code} {rules.version}",
        period_value=period.value,
        period_unit=period.unit,
        sources=list(dict.fromkeys([*rule.source, *period.source])),
        verified=verified,
    )
    fields = ["expires_at"]
    component.expires_at = after
    changes: dict[str, object] = {
        "processing": [None, kind],
        "at": [None, when.isoformat()],
        "expires_at": [before.isoformat(), after.isoformat()],
        "rule": [None, {"rule_set": event.rule_set, "sources": event.sources}],
    }
    if location is not None and location.pk != component.location_id:
        changes["location"] = [
            plain(component.location) if component.location else None,
            plain(location),
        ]
        component.location = location
        fields.append("location")
    save(component, fields)
    record(by=by, action="component.processing", obj=component, changes=changes)
    return event


# Unsafe donations (used by the laboratory and by look-back) --------------------------------


def mark_unsafe(
    *, by: User, donation: Donation, reason: str, evidence: str = ""
) -> list[Component]:
    """Make every component of the donation unsafe, now and for any made later. Runs inside
    the caller's transaction. Returns the components that became unsafe."""
    if reason not in UnsafeReason.values:
        raise ValueError(reason)
    now = timezone.now()
    UnsafeDonation.objects.get_or_create(
        donation=donation,
        defaults={"reason": reason, "found_at": now, "found_by": by, "evidence": evidence},
    )
    changed = []
    for component in Component.objects.select_for_update().filter(
        donation=donation, unsafe_at__isnull=True
    ):
        before = component.status
        component.unsafe_at, component.unsafe_reason = now, reason
        if component.issued_at is None:
            component.reserved_at = None
        save(component, ["unsafe_at", "unsafe_reason", "reserved_at"])
        record(
            by=by,
            action="component.unsafe",
            obj=component,
            changes={"status": [before, component.status], "unsafe_reason": [None, reason]},
        )
        changed.append(component)
    return changed


# Expiry sweep -------------------------------------------------------------------------------


def sweep_expired(*, by: User, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Record the expiry of every unit past its expiry instant (status ``expired``); returns
    how many. Each unit in its own small transaction, so the sweep never holds many locks.
    The worker passes the system actor (decision 0024); the trail names ``by``."""
    now = now or timezone.now()
    live = [Status.QUARANTINED, Status.RELEASED, Status.AVAILABLE, Status.RESERVED, Status.HELD]
    count = 0
    while True:
        ids = list(
            Component.objects.filter(status__in=live, expires_at__lte=now).values_list(
                "pk", flat=True
            )[:batch]
        )
        if not ids:
            return count
        for pk in ids:
            with transaction.atomic():
                component = Component.objects.select_for_update().get(pk=pk)
                before = component.status
                if component.current_status() != Status.EXPIRED:
                    continue
                component.reserved_at = None
                save(component, ["reserved_at"])
                record(
                    by=by,
                    action="component.expire",
                    obj=component,
                    changes={"status": [before, Status.EXPIRED]},
                )
                count += 1


# Transfers between establishments ----------------------------------------------------------


@transaction.atomic
def send_transfer(
    *,
    by: User,
    source: Organisation,
    destination: Organisation,
    components: list[Component],
    number: str,
) -> Transfer:
    access.require(by, Perm.STOCK_MANAGE, source)
    if not destination.is_establishment or destination.pk == source.pk:
        raise refuse(_("Choose another blood establishment to send to."), "destination")
    if not components:
        raise refuse(_("Scan at least one unit into the transfer."), "components")
    if Transfer.objects.filter(number=number).exists() or not number.strip():
        raise refuse(_("Give the transfer a number not used before."), "number")
    rows = []
    for component in components:
        row = locked(component)
        if row.establishment_id != source.pk or row.current_status() != Status.AVAILABLE:
            raise refuse(
                _("Unit %(unit)s is not available stock here.") % {"unit": row}, "components"
            )
        row.reserved_at = timezone.now()
        save(row, ["reserved_at"])
        rows.append(row)
    transfer = Transfer.objects.create(
        number=number.strip(),
        source=source,
        destination=destination,
        sent_at=timezone.now(),
        sent_by=by,
    )
    transfer.components.set(rows)
    record(
        by=by,
        action="transfer.send",
        obj=transfer,
        changes={
            "components": [None, [str(r) for r in rows]],
            "destination": [None, str(destination.uuid)],
        },
    )
    return transfer


@transaction.atomic
def receive_transfer(*, by: User, transfer: Transfer) -> Transfer:
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    access.require(by, Perm.STOCK_MANAGE, transfer.destination)
    if transfer.received_at is not None:
        raise refuse(_("This transfer has already been received."))
    for component in transfer.components.all():
        row = locked(component)
        row.establishment, row.location, row.reserved_at = transfer.destination, None, None
        save(row, ["establishment", "location", "reserved_at"])
        record(
            by=by,
            action="component.transfer",
            obj=row,
            changes={"establishment": [str(transfer.source.uuid), str(transfer.destination.uuid)]},
        )
    transfer.received_at, transfer.received_by = timezone.now(), by
    transfer.save(update_fields=["received_at", "received_by"])
    record(
        by=by,
        action="transfer.receive",
        obj=transfer,
        changes={"received_at": [None, transfer.received_at.isoformat()]},
    )
    return transfer


# Stock thresholds and storage locations (configuration, audited) ----------------------------

COMPONENT_KINDS = get_args(ComponentKind)


@transaction.atomic
def set_threshold(
    *,
    by: User,
    establishment: Organisation,
    component_kind: str,
    abo: str,
    rhd: str,
    daily_use: Decimal,
    minimum_days: Decimal,
    critical_days: Decimal,
) -> StockThreshold:
    """Add or change the days-of-supply threshold of a component class and group."""
    access.require(by, Perm.STOCK_MANAGE, establishment)
    errors: dict[str, list[str]] = {}
    if component_kind not in COMPONENT_KINDS:
        errors["component_kind"] = [_("Choose a component class.")]
    if abo not in ABO.values or rhd not in RhD.values:
        errors["abo"] = [_("Choose the ABO group and RhD.")]
    if daily_use <= 0:
        errors["daily_use"] = [_("The units used per day must be more than zero.")]
    if critical_days < 0:
        errors["critical_days"] = [_("The critical days of supply cannot be negative.")]
    if minimum_days < critical_days:
        errors["minimum_days"] = [
            _("The minimum days of supply cannot be below the critical days.")
        ]
    if errors:
        raise ValidationError(errors)
    key: dict[str, Any] = {
        "establishment": establishment,
        "component_kind": component_kind,
        "abo": abo,
        "rhd": rhd,
    }
    fields = ("daily_use", "minimum_days", "critical_days")
    found = StockThreshold.objects.select_for_update().filter(**key).first()
    before = snapshot(found, fields) if found else dict.fromkeys(fields)
    threshold, _created = StockThreshold.objects.update_or_create(
        **key,
        defaults={
            "daily_use": daily_use,
            "minimum_days": minimum_days,
            "critical_days": critical_days,
        },
    )
    threshold.refresh_from_db()  # the stored values, as the database rounds them
    after = snapshot(threshold, fields)
    record(
        by=by,
        action="stock.threshold",
        obj=threshold,
        changes={f: [before[f], after[f]] for f in fields if before[f] != after[f]},
    )
    return threshold


@transaction.atomic
def add_location(
    *,
    by: User,
    establishment: Organisation,
    name: str,
    kind: str,
    min_c: Decimal,
    max_c: Decimal,
) -> StorageLocation:
    """A new fridge, freezer or agitator; its range decides which components may go there."""
    access.require(by, Perm.STOCK_MANAGE, establishment)
    name = " ".join(name.split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the location a name.")]
    elif StorageLocation.objects.filter(establishment=establishment, name=name).exists():
        errors["name"] = [_("This establishment already has a location with this name.")]
    if kind not in LocationKind.values:
        errors["kind"] = [_("Choose the kind of location.")]
    if min_c > max_c:
        errors["max_c"] = [_("The highest temperature cannot be below the lowest.")]
    if errors:
        raise ValidationError(errors)
    location = StorageLocation.objects.create(
        establishment=establishment, name=name, kind=kind, min_c=min_c, max_c=max_c
    )
    changes = snapshot(location, ("name", "kind", "min_c", "max_c"))
    record(
        by=by,
        action="location.add",
        obj=location,
        changes={k: [None, v] for k, v in changes.items()},
    )
    return location


@transaction.atomic
def deactivate_location(*, by: User, location: StorageLocation) -> StorageLocation:
    """Take a location out of use; refused while units are still kept there."""
    location = StorageLocation.objects.select_for_update().get(pk=location.pk)
    access.require(by, Perm.STOCK_MANAGE, location.establishment)
    if not location.active:
        raise refuse(_("This location is already out of use."))
    live = [Status.QUARANTINED, Status.RELEASED, Status.HELD, *IN_STOCK]
    if Component.objects.filter(location=location, status__in=live).exists():
        raise refuse(_("Units are still kept here; move them before taking it out of use."))
    location.active = False
    location.save(update_fields=["active"])
    record(by=by, action="location.deactivate", obj=location, changes={"active": [True, False]})
    return location
