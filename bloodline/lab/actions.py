"""Laboratory actions: receive a sample, enter, verify and correct results, release
components; look-back holds and look-back after a confirmed-positive result (``lookback``).

A result counts once it is verified by a second person (or imported). At that moment its
consequences follow in the same transaction: an unacceptable screening or repeat result makes
every component of the donation unsafe; a repeatedly reactive infection marker places a
look-back hold on the donor's in-date units; a confirmed-positive result defers the donor
permanently and runs the look-back over the donor's earlier donations (QUALITY T5).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.collection.models import Donation
from bloodline.donors.models import Donor
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component, UnsafeReason
from bloodline.inventory.status import Status
from bloodline.lab import gate, lookback, panel
from bloodline.lab.models import (
    Reading,
    RequiredTest,
    Sample,
    Source,
    Stage,
    TestResult,
)
from bloodline.lib.forms import refuse
from bloodline.lib.locking import bumped
from bloodline.organisations import access
from bloodline.organisations.roles import Perm

# Samples ------------------------------------------------------------------------------------


def _receive(by: User, donation: Donation) -> Sample:
    existing = Sample.objects.filter(donation=donation).first()
    if existing is not None:
        return existing
    inventory.require_processable(donation)
    rules = inventory.rules_for(donation)
    sample = Sample.objects.create(
        donation=donation,
        establishment=donation.establishment,
        rule_set=f"{rules.code} {rules.version}",
        received_at=timezone.now(),
        received_by=by,
    )
    RequiredTest.objects.bulk_create(
        RequiredTest(
            sample=sample,
            code=t.code,
            kind=t.kind,
            acceptable=t.acceptable,
            max_u_l=Decimal(str(t.max_u_l.value)) if t.max_u_l else None,
            runs_required=t.runs_required,
            distinct_manufacturers=t.distinct_manufacturers,
            distinct_operators=t.distinct_operators,
            required=t.applies == "every_donation",
            source=",".join(t.source),
        )
        for t in rules.test_panel
    )
    record(
        by=by,
        action="sample.receive",
        obj=sample,
        changes={"rule_set": [None, sample.rule_set]},
    )
    return sample


@transaction.atomic
def receive_sample(*, by: User, donation: Donation) -> Sample:
    """Log the donation's sample in; its required tests are the panel in force when the
    donation was collected."""
    access.require(by, Perm.LAB_RESULT, donation.establishment)
    Donation.objects.select_for_update().get(pk=donation.pk)
    return _receive(by, donation)


@transaction.atomic
def order_test(*, by: User, sample: Sample, test: str) -> RequiredTest:
    """Ask for a test the rules require only when indicated (e.g. malaria after travel)."""
    access.require(by, Perm.LAB_RESULT, sample.establishment)
    required = RequiredTest.objects.select_for_update().filter(sample=sample, code=test).first()
    if required is None:
        raise refuse(_("This test is not on the sample's panel."), "test")
    if not required.required:
        required.required = True
        required.save(update_fields=["required"])
        record(
            by=by,
            action="sample.order_test",
            obj=sample,
            changes={"test": [None, test]},
        )
    return required


# Results ------------------------------------------------------------------------------------


def _read_value(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        raise refuse(_("Enter a number."), "value") from None
    if not number.is_finite() or number < 0 or number >= 10_000_000:
        raise refuse(_("Enter a number."), "value")
    return number


def _check_stage(sample: Sample, test: str, stage: str) -> None:
    """Initial reactive → repeat → confirmatory: each later stage needs the one before."""
    if stage not in Stage.values:
        raise refuse(_("Choose screening, repeat or confirmatory."), "stage")
    before = {Stage.REPEAT: Stage.SCREEN, Stage.CONFIRMATORY: Stage.REPEAT}.get(Stage(stage))
    if before is None:
        return
    rows = panel.current(sample.results.filter(test=test))
    if not any(r.stage == before and r.counts() and not r.acceptable for r in rows):
        raise refuse(
            _("A %(stage)s result needs a reactive %(before)s result first.")
            % {"stage": Stage(stage).label, "before": before.label},
            "stage",
        )


def _new_result(
    by: User, sample: Sample, values: Mapping[str, object], **extra: object
) -> TestResult:
    """Validate one result and build it (not saved)."""
    test = str(values.get("test") or "").strip()
    required = next((t for t in sample.required_tests.all() if t.code == test), None)
    if required is None:
        raise refuse(_("This test is not on the sample's panel."), "test")
    stage = str(values.get("stage") or Stage.SCREEN)
    _check_stage(sample, test, stage)
    reading = str(values.get("reading") or "").strip()
    value = _read_value(values.get("value"))
    if required.acceptable == "within_limit" and reading in ("", Reading.VALUE):
        reading = Reading.VALUE
    elif value is not None:
        raise refuse(_("Only a measured test takes a value."), "value")
    try:
        acceptable = panel.is_acceptable(required, stage, reading, value)
    except panel.InvalidReading as exc:
        raise refuse(str(exc), "reading") from None
    manufacturer = str(values.get("manufacturer") or "").strip()[:100]
    if required.distinct_manufacturers and not manufacturer:
        raise refuse(_("Name the reagent manufacturer: this test runs with two."), "manufacturer")
    return TestResult(
        sample=sample,
        test=test,
        stage=stage,
        reading=reading,
        value=value,
        acceptable=acceptable,
        manufacturer=manufacturer,
        reagent_lot=str(values.get("reagent_lot") or "").strip()[:60],
        operator=str(values.get("operator") or "").strip()[:150] or by.get_username(),
        instrument=str(values.get("instrument") or "").strip()[:100],
        entered_at=timezone.now(),
        entered_by=by,
        **extra,
    )


@transaction.atomic
def record_result(*, by: User, sample: Sample, **values: object) -> TestResult:
    """Enter a result by hand. It counts only after another person verifies it."""
    sample = Sample.objects.select_for_update().select_related("donation").get(pk=sample.pk)
    access.require(by, Perm.LAB_RESULT, sample.establishment)
    result = _new_result(by, sample, values, source=Source.MANUAL)
    result.save()
    record(
        by=by,
        action="result.enter",
        obj=result,
        changes={"reading": [None, result.reading], "stage": [None, result.stage]},
    )
    return result


@transaction.atomic
def verify_result(*, by: User, result: TestResult) -> TestResult:
    """The second person's check of a hand-entered result; its consequences follow."""
    result = (
        TestResult.objects.select_for_update().select_related("sample__donation").get(pk=result.pk)
    )
    access.require(by, Perm.LAB_RESULT, result.sample.establishment)
    if result.source != Source.MANUAL or result.verified_at is not None:
        raise refuse(_("This result does not wait for verification."))
    if result.entered_by_id == by.pk:
        raise refuse(_("A result is verified by someone other than the person who entered it."))
    if TestResult.objects.filter(corrects=result).exists():
        raise refuse(_("This result has been corrected; verify the correction instead."))
    result.verified_at, result.verified_by = timezone.now(), by
    result.save(update_fields=["verified_at", "verified_by"])
    record(
        by=by,
        action="result.verify",
        obj=result,
        changes={"verified_by": [None, by.get_username()]},
    )
    consequences(by=by, result=result)
    return result


@transaction.atomic
def correct_result(*, by: User, result: TestResult, reason: str, **values: object) -> TestResult:
    """A new result replacing ``result``, with the reason; it too needs verification. A unit
    already found unsafe stays unsafe whatever the correction says."""
    result = TestResult.objects.select_for_update().select_related("sample").get(pk=result.pk)
    access.require(by, Perm.LAB_RESULT, result.sample.establishment)
    if not reason.strip():
        raise refuse(_("Give the reason for the correction."), "reason")
    if TestResult.objects.filter(corrects=result).exists():
        raise refuse(_("This result has already been corrected; correct the latest one."))
    keep: dict[str, object] = {"test": result.test, "stage": result.stage}
    for name in ("manufacturer", "reagent_lot", "operator", "instrument"):
        keep[name] = values.get(name) or getattr(result, name)
    fresh = _new_result(
        by,
        result.sample,
        {**keep, "reading": values.get("reading"), "value": values.get("value")},
        source=Source.MANUAL,
        corrects=result,
        correction_reason=reason.strip(),
    )
    fresh.save()
    record(
        by=by,
        action="result.correct",
        obj=fresh,
        changes={"reading": [result.reading, fresh.reading]},
        reason=reason,
        correction=bool(reason),
    )
    return fresh


def consequences(*, by: User, result: TestResult) -> None:
    """What a result that now counts sets off (inside the caller's transaction): a repeatedly
    reactive marker holds the donor's units, a confirmed positive runs the look-back."""
    if not result.counts():
        return
    required = result.sample.required_tests.get(code=result.test)
    donation = result.sample.donation
    if not result.acceptable and required.kind != "blood_group":
        inventory.mark_unsafe(
            by=by, donation=donation, reason=UnsafeReason.TEST_FAILED, evidence=str(result.uuid)
        )
    if lookback.is_repeat_reactive(result, required.kind, required.required):
        lookback.place_hold(by=by, result=result)
    if result.stage == Stage.CONFIRMATORY and result.reading == Reading.POSITIVE:
        lookback.lookback(by=by, result=result)


# Look-back lives in its own module; these names are the laboratory's actions too.
acknowledge = lookback.acknowledge
lift_hold = lookback.lift_hold


# Release ------------------------------------------------------------------------------------


@transaction.atomic
def release(*, by: User, component: Component, version: int | None = None) -> Component:
    """Release a quarantined component when the gate passes; the group, the person and the
    time are recorded, and a donor without a confirmed group gets this one."""
    component = inventory.locked(component, version)
    access.require(by, Perm.LAB_RELEASE, component.establishment)
    now = timezone.now()
    problems, state = gate.assess(component, now)
    if problems or state is None:
        raise ValidationError({"__all__": problems})
    component.abo, component.rhd = state.abo, state.rhd
    component.released_at, component.released_by = now, by
    inventory.save(component, ["abo", "rhd", "released_at", "released_by"])
    donor = Donor.objects.select_for_update().get(pk=component.donation.donor_id)
    if not donor.abo_confirmed:
        Donor.objects.filter(pk=donor.pk).update(
            abo_confirmed=state.abo,
            rhd_confirmed=state.rhd,
            confirmed_at=now,
            version=bumped(),
        )
        record(
            by=by,
            action="donor.group_confirm",
            obj=donor,
            changes={"abo_confirmed": ["", state.abo], "rhd_confirmed": ["", state.rhd]},
        )
    record(
        by=by,
        action="component.release",
        obj=component,
        changes={
            "status": [Status.QUARANTINED, component.status],
            "group": [None, component.group()],
        },
    )
    return component


def release_sample(*, by: User, sample: Sample) -> tuple[list[Component], dict[str, list[str]]]:
    """Release every quarantined component of the sample's donation that passes the gate;
    the others are listed with their reasons."""
    released: list[Component] = []
    refused: dict[str, list[str]] = {}
    for component in Component.objects.filter(donation=sample.donation, status=Status.QUARANTINED):
        try:
            released.append(release(by=by, component=component))
        except ValidationError as exc:
            refused[str(component)] = [str(m) for m in exc.messages]
    return released, refused
