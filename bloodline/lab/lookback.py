"""Look-back (safety.md §2 [R8], §3 "on a reactive or confirmed result"; decisions 0013, 0016).

Two steps, each in the transaction that made its result count:

1. A **repeatedly reactive** screening result of a mandatory infection marker places a
   reversible *look-back hold*: every in-date unit of the donor's donations from the start of
   the look-back window on is held (not released, labelled, allocated or issued), hospitals
   holding one are asked to quarantine it, and no unit of the donor is released while the hold
   is open.
2. The **confirmatory** result decides: positive runs the look-back of decision 0013
   (permanent deferral, units unsafe, notifications) and closes the hold as confirmed;
   negative lets someone other than the person who entered it lift the hold.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.collection.models import Donation
from bloodline.donors.models import Donor
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component, HoldOutcome, LookbackHold, UnsafeReason
from bloodline.lab import panel
from bloodline.lab.models import (
    NotificationKind,
    NotificationTask,
    Reading,
    Stage,
    TestResult,
)
from bloodline.lib.forms import refuse
from bloodline.organisations import access
from bloodline.organisations.roles import Perm
from bloodline.screening.models import Deferral

# A look-back window in calendar units is widened to whole days on the safe side.
_WINDOW_DAYS = {"hours": 1 / 24, "days": 1, "weeks": 7, "months": 31, "years": 366}


def _window_start(donation: Donation) -> dt.datetime | None:
    window = inventory.rules_for(donation).lookback.window.period
    if window is None:  # no window in the sources: every earlier donation (the safe side)
        return None
    return donation.collected_at - dt.timedelta(days=window.value * _WINDOW_DAYS[window.unit])


def _notify(
    component: Component, result: TestResult, kind: NotificationKind
) -> NotificationTask | None:
    task, made = NotificationTask.objects.get_or_create(
        component=component,
        result=result,
        defaults={"hospital": component.issued_to, "kind": kind, "created_at": timezone.now()},
    )
    return task if made else None


# Step 1: the hold ---------------------------------------------------------------------------


def is_repeat_reactive(result: TestResult, kind: str, required: bool) -> bool:
    """A counting repeat-stage result reading unacceptable on a mandatory infection marker."""
    return (
        result.stage == Stage.REPEAT
        and not result.acceptable
        and required
        and kind in panel.INFECTIOUS_KINDS
        and result.counts()
    )


def _held_candidates(donor: Donor, start: dt.datetime | None, now: dt.datetime) -> list[Component]:
    """In-date units of the donor's donations from ``start`` on that a hold can still keep
    back or ask a hospital to quarantine: not unsafe, discarded, transfused or processed."""
    units = Component.objects.select_for_update(of=("self",)).filter(
        donation__donor=donor,
        expires_at__gt=now,
        unsafe_at__isnull=True,
        discarded_at__isnull=True,
        transfused_at__isnull=True,
        processed_at__isnull=True,
        lookback_hold__isnull=True,
    )
    if start is not None:
        units = units.filter(donation__collected_at__gte=start)
    return list(units.select_related("donation").order_by("pk"))


def place_hold(*, by: User, result: TestResult) -> LookbackHold:
    """Hold the donor's in-date units after a repeatedly reactive screen (inside the caller's
    transaction); a second reactive result of the same marker adds nothing."""
    donation = result.sample.donation
    donor = Donor.objects.select_for_update().get(pk=donation.donor_id)
    existing = LookbackHold.objects.filter(donor=donor, test=result.test, closed_at__isnull=True)
    if (hold := existing.first()) is not None:
        return hold
    now = timezone.now()
    hold = LookbackHold.objects.create(
        donor=donor,
        establishment=result.sample.establishment,
        test=result.test,
        evidence=str(result.uuid),
        placed_at=now,
        placed_by=by,
    )
    held, tasks = 0, 0
    for component in _held_candidates(donor, _window_start(donation), now):
        before = component.status
        component.lookback_hold = hold
        inventory.save(component, ["lookback_hold"])
        record(
            by=by,
            action="component.hold" if component.lookback_hold_id else "component.hold_end",
            obj=component,
            changes={"status": [before, component.status], "lookback_hold": [None, str(hold.uuid)]},
        )
        held += 1
        if component.issued_at is not None:
            tasks += _notify(component, result, NotificationKind.HOLD) is not None
    record(
        by=by,
        action="donor.lookback_hold",
        obj=donor,
        changes={
            "lookback_hold": [None, str(hold.uuid)],
            "test": [None, result.test],
            "components_held": [None, held],
            "notifications": [None, tasks],
        },
    )
    return hold


def _close(by: User, hold: LookbackHold, outcome: str, confirmatory: TestResult) -> list[Component]:
    """Close the hold and let go of its units: each moves to another open hold of the same
    donor if there is one, otherwise it returns to the status its other facts give it."""
    hold.closed_at, hold.closed_by, hold.outcome = timezone.now(), by, outcome
    hold.closing_evidence = str(confirmatory.uuid)
    hold.confirmatory_by = confirmatory.entered_by
    hold.save(
        update_fields=["closed_at", "closed_by", "outcome", "closing_evidence", "confirmatory_by"]
    )
    other = (
        LookbackHold.objects.filter(donor_id=hold.donor_id, closed_at__isnull=True)
        .order_by("placed_at", "pk")
        .first()
    )
    units = list(Component.objects.select_for_update(of=("self",)).filter(lookback_hold=hold))
    for component in units:
        before = component.status
        component.lookback_hold = other
        inventory.save(component, ["lookback_hold"])
        record(
            by=by,
            action="component.hold" if component.lookback_hold_id else "component.hold_end",
            obj=component,
            changes={"status": [before, component.status], "lookback_hold": [None, str(hold.uuid)]},
        )
    return units


def _confirmatory(hold: LookbackHold) -> TestResult | None:
    """The counting, current confirmatory result of the hold's marker on its sample."""
    placed_by = TestResult.objects.select_related("sample").get(uuid=hold.evidence)
    rows = panel.current(
        TestResult.objects.filter(
            sample=placed_by.sample, test=hold.test, stage=Stage.CONFIRMATORY
        ).select_related("entered_by")
    )
    counting = [r for r in rows if r.counts()]
    return counting[-1] if counting else None


@transaction.atomic
def lift_hold(*, by: User, hold: LookbackHold) -> LookbackHold:
    """Lift a hold after a negative confirmatory result that counts (verified by a second
    person, or imported), by someone other than the person who entered that result."""
    hold = LookbackHold.objects.select_for_update().get(pk=hold.pk)
    access.require(by, Perm.LAB_RELEASE, hold.establishment)
    if hold.closed_at is not None:
        raise refuse(_("This look-back hold is no longer open."))
    confirmatory = _confirmatory(hold)
    if confirmatory is None or confirmatory.reading != Reading.NEGATIVE:
        raise refuse(
            _(
                "The hold is lifted only after a negative confirmatory result that counts "
                "(verified by a second person, or imported)."
            )
        )
    if confirmatory.entered_by_id == by.pk:
        raise refuse(_("The person who entered the confirmatory result cannot lift the hold."))
    units = _close(by, hold, HoldOutcome.LIFTED, confirmatory)
    record(
        by=by,
        action="donor.lookback_hold_lift",
        obj=hold.donor,
        changes={
            "lookback_hold": [str(hold.uuid), None],
            "outcome": [None, HoldOutcome.LIFTED],
            "confirmatory": [None, str(confirmatory.uuid)],
            "components_released_from_hold": [None, len(units)],
        },
    )
    return hold


# Step 2: confirmed positive ------------------------------------------------------------------


def lookback(*, by: User, result: TestResult) -> list[NotificationTask]:
    """A confirmed-positive result: defer the donor permanently, make the components of this
    and every earlier donation in the look-back window unsafe, and create a notification task
    for each hospital that was issued one; an open hold of the marker closes as confirmed and
    every unit it kept back becomes unsafe too. Runs inside the caller's transaction."""
    donation = result.sample.donation
    donor = Donor.objects.select_for_update().get(pk=donation.donor_id)
    code = f"confirmed_positive_{result.test}"
    if not Deferral.objects.filter(donor=donor, code=code, permanent=True).exists():
        Deferral.objects.create(
            donor=donor,
            code=code,
            reason="",  # the code says why; pages word it (jurisdictions.reasons)
            source=result.sample.rule_set,
            starts_on=timezone.localdate(timezone.now(), inventory.zone(donation.establishment)),
            permanent=True,
            created_by=by,
        )
    earlier = Donation.objects.filter(donor=donor, collected_at__lte=donation.collected_at)
    start = _window_start(donation)
    if start is not None:
        earlier = earlier.filter(collected_at__gte=start)
    reached = list(earlier.order_by("collected_at"))
    holds = LookbackHold.objects.select_for_update().filter(
        donor=donor, test=result.test, closed_at__isnull=True
    )
    for hold in holds:
        held = Donation.objects.filter(components__lookback_hold=hold).distinct()
        reached += [d for d in held if d not in reached]
    tasks: list[NotificationTask] = []
    quarantined = 0
    for each in reached:
        quarantined += len(
            inventory.mark_unsafe(
                by=by, donation=each, reason=UnsafeReason.LOOKBACK, evidence=str(result.uuid)
            )
        )
        for component in Component.objects.filter(donation=each, issued_to__isnull=False):
            if (task := _notify(component, result, NotificationKind.LOOKBACK)) is not None:
                tasks.append(task)
    for hold in holds:
        _close(by, hold, HoldOutcome.CONFIRMED, result)
    record(
        by=by,
        action="donor.lookback",
        obj=donor,
        changes={
            "deferral": [None, code],
            "donations": [None, len(reached)],
            "components_made_unsafe": [None, quarantined],
            "notifications": [None, len(tasks)],
        },
    )
    return tasks


@transaction.atomic
def acknowledge(*, by: User, task: NotificationTask, response: str) -> NotificationTask:
    task = NotificationTask.objects.select_for_update().get(pk=task.pk)
    access.require(by, Perm.ORDER_PLACE, task.hospital)
    if task.acknowledged_at is not None:
        raise refuse(_("This notification has already been acknowledged."))
    if not response.strip():
        raise refuse(_("Say what was done with the unit or the recipient."), "response")
    task.acknowledged_at, task.acknowledged_by, task.response = timezone.now(), by, response.strip()
    task.save(update_fields=["acknowledged_at", "acknowledged_by", "response"])
    record(
        by=by,
        action="lookback.acknowledge",
        obj=task,
        changes={"response": [None, task.response]},
    )
    return task
