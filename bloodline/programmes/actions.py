"""Writes to plans, rounds and targets; each one transaction with its audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import diff, record, snapshot
from bloodline.jurisdictions.loader import UnknownRuleSet, registry
from bloodline.lib.locking import bump, check_version
from bloodline.organisations import access
from bloodline.organisations import tally as tree_tally
from bloodline.organisations.kinds import Kind
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm
from bloodline.programmes import target_sums
from bloodline.programmes.models import Measure, Plan, PlanStatus, Round, Target

# Re-exported: views and spreadsheets print amounts with it.
from bloodline.programmes.target_sums import plain_amount as plain_amount

PLAN_FIELDS = (
    "number",
    "issued_on",
    "title",
    "period_start",
    "period_end",
    "measure",
    "allow_over_allocation",
    "status",
    "document_name",
)
EDITABLE = frozenset(
    {
        "number",
        "issued_on",
        "title",
        "period_start",
        "period_end",
        "measure",
        "allow_over_allocation",
    }
)
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# File signatures: PDF, OOXML/ODF (zip), legacy Word (OLE2).
DOCUMENT_TYPES = {
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
WHOLE_MEASURES = frozenset({Measure.DONATIONS, Measure.BAGS, Measure.ML})


def rule_set_for(area: Organisation) -> tuple[str, int]:
    """The rule set of the area's country and its converted-unit base volume."""
    country = Organisation.objects.ancestors_of(area, include_self=True).first()
    code = country.official_code if country is not None else ""
    for candidate in registry.codes():
        try:
            rules = registry.current(candidate)
        except UnknownRuleSet:
            continue
        if rules.country and rules.country == code:
            return f"{rules.code} {rules.version}", int(rules.counting_unit.base_volume_ml.value)
    raise ValidationError(
        {"issuer": [_("No rule set is loaded for this country, so units cannot be counted.")]}
    )


def check_document(upload: UploadedFile) -> str:
    """The file's type if it is a PDF or Word document of acceptable size."""
    name = upload.name or ""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in DOCUMENT_TYPES:
        raise ValidationError({"document": [_("Attach the plan as a PDF or Word document.")]})
    if (upload.size or 0) > DOCUMENT_MAX_BYTES:
        raise ValidationError({"document": [_("The document is larger than 10 MB.")]})
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in DOCUMENT_TYPES[suffix]):
        raise ValidationError(
            {
                "document": [
                    _("The file's content is not a %(type)s document.") % {"type": suffix.upper()}
                ]
            }
        )
    return suffix


def parse_amount(raw: Any, measure: str) -> Decimal:
    """A target amount in the plan's measure; raises ValueError with a translated reason."""
    if isinstance(raw, bool):
        raise ValueError(_("Enter a number."))
    try:
        amount = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": raw}) from exc
    if not amount.is_finite():
        raise ValueError(_("Enter a number."))
    if amount < 0:
        raise ValueError(_("A target cannot be negative."))
    if measure in WHOLE_MEASURES and amount != amount.to_integral_value():
        raise ValueError(
            _("Targets in %(measure)s are whole numbers.") % {"measure": Measure(measure).label}
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("Use at most two decimal places."))
    if amount >= Decimal("10000000000"):
        raise ValueError(_("This target is too large."))
    return amount


def _plan_errors(plan: Plan) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not plan.number.strip():
        errors["number"] = [_("Enter the plan's number as issued.")]
    if not plan.title.strip():
        errors["title"] = [_("Enter the plan's title.")]
    if plan.period_end < plan.period_start:
        errors["period_end"] = [_("The period cannot end before it starts.")]
    if plan.measure not in Measure.values:
        errors["measure"] = [_("Choose a measure from the list.")]
    if plan.issuer.kind != Kind.STEERING_COMMITTEE:
        errors["issuer"] = [_("Plans are issued by a steering committee.")]
    return errors


@transaction.atomic
def create_plan(
    *,
    by: User,
    issuer: Organisation,
    number: str,
    issued_on: dt.date,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    measure: str,
    total_target: Any,
    allow_over_allocation: bool = False,
    document: UploadedFile | None = None,
) -> Plan:
    """Draft a plan with its total target for the committee's area."""
    access.require(by, Perm.PLAN_MANAGE, issuer)
    plan = Plan(
        issuer=issuer,
        area=issuer.scope_root(),
        number=number.strip(),
        issued_on=issued_on,
        title=title.strip(),
        period_start=period_start,
        period_end=period_end,
        measure=measure,
        allow_over_allocation=allow_over_allocation,
    )
    errors = _plan_errors(plan)
    try:
        amount = parse_amount(total_target, measure)
    except ValueError as exc:
        errors["total_target"] = [str(exc)]
    if document is not None:
        try:
            check_document(document)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    plan.rule_set, plan.base_volume_ml = rule_set_for(plan.area)
    plan.save()
    tree_tally.want_window(plan.period_start, plan.period_end)  # its distinct donors (0052)
    Target.objects.create(plan=plan, organisation=plan.area, round=None, amount=amount)
    if document is not None:
        plan.document_name = (document.name or "")[:200]
        plan.document.save(document.name or "plan", document, save=True)
    record(
        by=by,
        action="plan.create",
        obj=plan,
        changes={**diff({}, snapshot(plan, PLAN_FIELDS)), "total_target": [None, str(amount)]},
    )
    return plan


def _locked(plan: Plan, version: int | None = None) -> Plan:
    fresh = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("issuer", "area")
        .get(pk=plan.pk)
    )
    check_version(fresh, version)
    return fresh


@transaction.atomic
def update_plan(
    *,
    by: User,
    plan: Plan,
    version: int,
    changes: Mapping[str, Any],
    document: UploadedFile | None = None,
    reason: str = "",
) -> Plan:
    """Edit a draft. An issued plan changes only through a revision."""
    access.require(by, Perm.PLAN_MANAGE, plan.issuer)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    plan = _locked(plan, version)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft can be edited; revise an issued plan instead."))
    before = snapshot(plan, PLAN_FIELDS)
    for field, value in changes.items():
        setattr(plan, field, value.strip() if isinstance(value, str) else value)
    errors = _plan_errors(plan)
    if document is not None:
        try:
            check_document(document)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if document is not None:
        plan.document_name = (document.name or "")[:200]
        plan.document.save(document.name or "plan", document, save=False)
    bump(plan)
    plan.save()
    tree_tally.want_window(plan.period_start, plan.period_end)
    record(
        by=by,
        action="plan.update",
        obj=plan,
        changes=diff(before, snapshot(plan, PLAN_FIELDS)),
        reason=reason,
    )
    return plan


def _set_status(by: User, plan: Plan, status: str, reason: str = "") -> None:
    old = plan.status
    plan.status = status
    bump(plan, ["status"])
    record(
        by=by, action=f"plan.{status}", obj=plan, changes={"status": [old, status]}, reason=reason
    )


@transaction.atomic
def issue_plan(*, by: User, plan: Plan) -> Plan:
    """Issue a draft. Issuing a revision marks the plan it revises as superseded."""
    access.require(by, Perm.PLAN_MANAGE, plan.issuer)
    plan = _locked(plan)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft can be issued."))
    total = Target.objects.filter(plan=plan, organisation=plan.area, round=None).first()
    if total is None or total.amount <= 0:
        raise ValidationError({"total_target": [_("Set the plan's total target first.")]})
    if plan.supersedes is not None:
        _set_status(by, _locked(plan.supersedes), PlanStatus.SUPERSEDED)
    _set_status(by, plan, PlanStatus.ISSUED)
    return plan


@transaction.atomic
def close_plan(*, by: User, plan: Plan, reason: str = "") -> Plan:
    access.require(by, Perm.PLAN_MANAGE, plan.issuer)
    plan = _locked(plan)
    if plan.status != PlanStatus.ISSUED:
        raise ValidationError(_("Only an issued plan can be closed."))
    _set_status(by, plan, PlanStatus.CLOSED, reason)
    return plan


@transaction.atomic
def revise_plan(*, by: User, plan: Plan, reason: str) -> Plan:
    """Start a revision: a draft copy with the same rounds and targets. The issued plan stays
    in force until the revision is issued."""
    access.require(by, Perm.PLAN_MANAGE, plan.issuer)
    plan = _locked(plan)
    if plan.status != PlanStatus.ISSUED:
        raise ValidationError(_("Only an issued plan can be revised."))
    if Plan.objects.filter(supersedes=plan).exists():
        raise ValidationError(_("A revision of this plan is already being drafted."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the plan is being revised.")]})
    copy = Plan.objects.create(
        issuer=plan.issuer,
        area=plan.area,
        number=plan.number,
        issued_on=plan.issued_on,
        title=plan.title,
        period_start=plan.period_start,
        period_end=plan.period_end,
        measure=plan.measure,
        allow_over_allocation=plan.allow_over_allocation,
        base_volume_ml=plan.base_volume_ml,
        rule_set=plan.rule_set,
        document=plan.document,
        document_name=plan.document_name,
        supersedes=plan,
    )
    rounds = {
        r.pk: Round.objects.create(plan=copy, name=r.name, starts_on=r.starts_on, ends_on=r.ends_on)
        for r in plan.rounds.all()
    }
    Target.objects.bulk_create(
        Target(
            plan=copy,
            organisation_id=t.organisation_id,
            amount=t.amount,
            round=rounds[t.round_id] if t.round_id else None,
        )
        for t in plan.targets.all()
    )
    record(
        by=by,
        action="plan.revise",
        obj=plan,
        changes={"revision": [None, str(copy.uuid)]},
        reason=reason,
    )
    record(
        by=by,
        action="plan.create",
        obj=copy,
        changes={"revision_of": [None, str(plan.uuid)]},
        reason=reason,
    )
    return copy


def _editable(plan: Plan) -> None:
    if plan.status in (PlanStatus.CLOSED, PlanStatus.SUPERSEDED):
        raise ValidationError(
            _("This plan is closed; its rounds and targets can no longer change.")
        )


@transaction.atomic
def add_round(*, by: User, plan: Plan, name: str, starts_on: dt.date, ends_on: dt.date) -> Round:
    access.require(by, Perm.PLAN_MANAGE, plan.issuer)
    plan = _locked(plan)
    _editable(plan)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Name the round, for example “Round 1”.")]
    elif plan.rounds.filter(name=name.strip()).exists():
        errors["name"] = [_("This plan already has a round with this name.")]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The round cannot end before it starts.")]
    elif starts_on < plan.period_start or ends_on > plan.period_end:
        errors["starts_on"] = [
            _("A round must lie within the plan's period (%(start)s – %(end)s).")
            % {"start": plan.period_start.isoformat(), "end": plan.period_end.isoformat()}
        ]
    elif plan.rounds.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).exists():
        errors["starts_on"] = [_("This round overlaps another round of the plan.")]
    if errors:
        raise ValidationError(errors)
    new = Round.objects.create(plan=plan, name=name.strip(), starts_on=starts_on, ends_on=ends_on)
    tree_tally.want_window(starts_on, ends_on)
    record(
        by=by,
        action="plan.add_round",
        obj=plan,
        changes={"round": [None, f"{new.name} {starts_on}–{ends_on}"]},
    )
    return new


def _parent_target(plan: Plan, parent: Organisation, round_: Round | None) -> Decimal | None:
    found = Target.objects.filter(plan=plan, organisation=parent, round=round_).first()
    return found.amount if found else None


@transaction.atomic
def set_targets(
    *,
    by: User,
    plan: Plan,
    parent: Organisation,
    round: Round | None,
    amounts: Mapping[Organisation, Decimal | None],
) -> dict[str, list[Any]]:
    """Allocate the parent's target to its direct children (None removes a target).

    All or nothing: every row is checked, and the children's total is checked against the
    parent's target — a shortfall is allowed (and shown), an excess only if the plan allows it.
    Returns the changes ``{organisation: [old, new]}``.
    """
    access.require(by, Perm.TARGET_ALLOCATE, parent)
    plan = _locked(plan)
    _editable(plan)
    if not parent.is_within(plan.area):
        raise ValidationError(_("This organisation is outside the plan's area."))
    errors: dict[str, list[str]] = {}
    for org, amount in amounts.items():
        if org.parent_id != parent.pk or org.kind == Kind.STEERING_COMMITTEE:
            errors[str(org.uuid)] = [
                _("%(name)s is not directly under %(parent)s.")
                % {"name": org.display_name(), "parent": parent.display_name()}
            ]
        elif amount is not None:
            try:
                parse_amount(amount, plan.measure)
            except ValueError as exc:
                errors[str(org.uuid)] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    # Each child's new target against what its own units and rounds already hold.
    broken = target_sums.problems(plan, round, amounts)
    if broken:
        raise ValidationError({str(org.uuid): [message] for org, message in broken.items()})
    existing = {
        t.organisation_id: t
        for t in Target.objects.select_for_update().filter(
            plan=plan, round=round, organisation__parent=parent
        )
    }
    total = sum(
        (t.amount for pk, t in existing.items() if pk not in {o.pk for o in amounts}), Decimal(0)
    )
    total += sum((a for a in amounts.values() if a is not None), Decimal(0))
    ceiling = _parent_target(plan, parent, round)
    if ceiling is None:
        raise ValidationError(
            _("Set the target of %(parent)s first.") % {"parent": parent.display_name()}
        )
    if total > ceiling and not plan.allow_over_allocation:
        raise ValidationError(
            _(
                "The units' targets add up to %(total)s, more than the %(ceiling)s set for "
                "%(parent)s. Lower them, or allow over-allocation in the plan."
            )
            % {
                "total": plain_amount(total),
                "ceiling": plain_amount(ceiling),
                "parent": parent.display_name(),
            }
        )
    changes: dict[str, list[Any]] = {}
    for org, amount in amounts.items():
        old = existing.get(org.pk)
        if amount is None:
            if old is not None:
                old.delete()
                changes[org.name] = [plain_amount(old.amount), None]
        elif old is None:
            Target.objects.create(plan=plan, organisation=org, round=round, amount=amount)
            changes[org.name] = [None, plain_amount(amount)]
        elif old.amount != amount:
            changes[org.name] = [plain_amount(old.amount), plain_amount(amount)]
            old.amount = amount
            old.save(update_fields=["amount"])
    if changes:
        label = f"{parent.name}" + (f" / {round.name}" if round else "")
        record(
            by=by,
            action="plan.set_targets",
            obj=plan,
            changes={f"{label}: {k}": v for k, v in changes.items()},
        )
    return changes


@transaction.atomic
def set_area_target(*, by: User, plan: Plan, round: Round | None, amount: Any) -> Target:
    """The plan's total (or one round's total) for its whole area."""
    access.require(by, Perm.PLAN_MANAGE, plan.issuer)
    plan = _locked(plan)
    _editable(plan)
    try:
        value = parse_amount(amount, plan.measure)
    except ValueError as exc:
        raise ValidationError({"amount": [str(exc)]}) from exc
    # Not below what the units hold (unless over-allocation is allowed); rounds within the
    # period (always).
    broken = target_sums.problems(plan, round, {plan.area: value})
    if broken:
        raise ValidationError({"amount": list(broken.values())})
    target, created = Target.objects.get_or_create(
        plan=plan, organisation=plan.area, round=round, defaults={"amount": value}
    )
    old = None if created else target.amount
    if not created:
        target.amount = value
        target.save(update_fields=["amount"])
    record(
        by=by,
        action="plan.set_area_target",
        obj=plan,
        changes={
            (round.name if round else "total"): [
                plain_amount(old) if old is not None else None,
                plain_amount(value),
            ]
        },
    )
    return target
