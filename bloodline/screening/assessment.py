"""Screening steps: the health questionnaire, the vital signs (which run the engine) and the
physician's decision. Each is one transaction with its audit event; the trail carries codes and
public ids, never the donor's answers or measurements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.collection.models import Donation as DonationRecord
from bloodline.donors.models import Donor
from bloodline.drives.models import Drive
from bloodline.jurisdictions.loader import registry
from bloodline.jurisdictions.schema import RuleSet
from bloodline.organisations.roles import Perm
from bloodline.screening import engine, summaries
from bloodline.screening.models import Decision, Deferral, PreScreen, Presentation, Step
from bloodline.screening.plausibility import VITALS
from bloodline.screening.questionnaire import Question, for_jurisdiction
from bloodline.screening.stations import (
    at_step,
    local_date,
    lock_donor,
    move_on,
    refuse,
    require_station,
)

ANSWERS = {"yes": True, "no": False, "unknown": None}
DEFERRED = frozenset({"deferred_temporary", "deferred_permanent"})


class Collected(Protocol):
    """What the engine reads of a recorded donation: a ``Donation`` or a row of its values."""

    @property
    def collected_at(self) -> dt.datetime: ...
    @property
    def donation_type(self) -> str: ...
    @property
    def volume_ml(self) -> int | None: ...


def as_history(donations: Iterable[Collected], zone: dt.tzinfo) -> list[engine.Donation]:
    """Recorded donations as the engine reads them: on the local day where they are judged."""
    return [
        engine.Donation(
            timezone.localtime(d.collected_at, zone).date(), d.donation_type, d.volume_ml
        )
        for d in donations
    ]


def history_before(donor: Donor, drive: Drive) -> list[engine.Donation]:
    """The donor's donations elsewhere than at ``drive``, as the engine reads them there."""
    earlier = DonationRecord.objects.filter(donor=donor).exclude(drive=drive)
    return as_history(earlier, drive.time_zone())


def _history(presentation: Presentation) -> list[engine.Donation]:
    return history_before(presentation.donor, presentation.drive)


def is_repeat_donor(presentation: Presentation) -> bool:
    return bool(_history(presentation))


def questions_at(drive: Drive, donor: Donor) -> list[Question]:
    """The questions ``donor`` is asked at ``drive``, under its establishment's jurisdiction:
    the station's and the donor's own pre-screening alike (decision 0058)."""
    questionnaire = for_jurisdiction(drive.establishment.jurisdiction)
    if questionnaire is None:
        return []
    return questionnaire.for_donor(donor.sex, bool(history_before(donor, drive)))


def questions_for(presentation: Presentation) -> list[Question]:
    """The questions this donor is asked under the drive establishment's jurisdiction."""
    return questions_at(presentation.drive, presentation.donor)


def read_answers(questions: list[Question], given: Mapping[str, Any]) -> dict[str, bool | None]:
    """Yes/no/don't-know answers to every one of ``questions``, as stored; refused at each
    question left unanswered and for a question this donor is not asked."""
    return _read_answers(questions, given)


def _read_answers(questions: list[Question], given: Mapping[str, Any]) -> dict[str, bool | None]:
    errors: dict[str, list[str]] = {}
    answers: dict[str, bool | None] = {}
    for question in questions:
        value = given.get(question.code)
        if isinstance(value, bool) or (value is None and question.code in given):
            answers[question.code] = value
        elif str(value) in ANSWERS:
            answers[question.code] = ANSWERS[str(value)]
        else:
            errors[question.code] = [_("Answer yes, no or don't know.")]
    unknown = set(given) - {q.code for q in questions}
    if unknown:
        errors["answers"] = [_("Some answers are for questions this donor is not asked.")]
    if errors:
        raise ValidationError(errors)
    return answers


@transaction.atomic
def record_answers(
    *,
    by: User,
    presentation: Presentation,
    answers: Mapping[str, Any],
    confirmed_from: PreScreen | None = None,
) -> Presentation:
    """Store the donor's yes/no/don't-know answers; every question must be answered. With
    ``confirmed_from``, the nurse went through the donor's answers from home (decision 0058):
    the trail names that pre-screening, the answers stored are still the station's."""
    require_station(by, presentation.drive)
    presentation = at_step(presentation, {Step.QUESTIONNAIRE, Step.VITALS})
    questionnaire = for_jurisdiction(presentation.drive.establishment.jurisdiction)
    if questionnaire is None:
        raise refuse(_("No questionnaire is configured for this jurisdiction."))
    presentation.answers = _read_answers(questions_for(presentation), answers)
    presentation.questionnaire_version = questionnaire.label
    presentation.answered_at, presentation.answered_by = timezone.now(), by
    fields = ["answers", "questionnaire_version", "answered_at", "answered_by"]
    step_before = presentation.step
    move_on(presentation, Step.VITALS, fields)
    record(
        by=by,
        action="presentation.answers",
        obj=presentation,
        changes={
            "questionnaire": [None, questionnaire.label],
            "step": [step_before, Step.VITALS],
            **({"prescreen": [None, str(confirmed_from.uuid)]} if confirmed_from else {}),
        },
    )
    return presentation


def _read_vitals(values: Mapping[str, Any]) -> dict[str, Decimal]:
    errors: dict[str, list[str]] = {}
    read: dict[str, Decimal] = {}
    for name, (low, high, unit) in VITALS.items():
        try:
            value = Decimal(str(values.get(name)).replace(",", "."))
        except InvalidOperation:
            errors[name] = [_("Enter a number.")]
            continue
        if not value.is_finite() or not low <= value <= high:
            errors[name] = [
                _("Check this value: it should be between %(low)s and %(high)s %(unit)s.")
                % {"low": low, "high": high, "unit": unit}
            ]
        read[name] = value
    if not errors and read["diastolic"] >= read["systolic"]:
        errors["diastolic"] = [_("The diastolic pressure must be below the systolic pressure.")]
    if errors:
        raise ValidationError(errors)
    return read


def deferrals_in_force(donor: Donor, on: dt.date) -> QuerySet[Deferral]:
    """The donor's deferrals still running on ``on``: permanent, open-ended or not yet over."""
    return Deferral.objects.filter(donor=donor).filter(Deferral.in_force_on(on))


def as_active(deferrals: Iterable[Deferral]) -> list[engine.ActiveDeferral]:
    return [engine.ActiveDeferral(r.code, r.until, r.permanent) for r in deferrals]


def active_deferrals(presentation: Presentation, on: dt.date) -> list[engine.ActiveDeferral]:
    return as_active(deferrals_in_force(presentation.donor, on))


def facts_for(presentation: Presentation, on: dt.date) -> engine.Facts:
    donor = presentation.donor
    if donor.sex not in ("M", "F") or donor.date_of_birth is None:
        raise refuse(_("The donor's sex and date of birth are needed; complete the record."))
    return engine.Facts(
        on=on,
        sex="M" if donor.sex == "M" else "F",
        date_of_birth=donor.date_of_birth,
        donation_type="whole_blood",
        weight_kg=float(presentation.weight_kg) if presentation.weight_kg is not None else None,
        temperature_c=(
            float(presentation.temperature_c) if presentation.temperature_c is not None else None
        ),
        systolic=presentation.systolic,
        diastolic=presentation.diastolic,
        pulse=presentation.pulse,
        hb_g_l=presentation.hb_g_l,
        history=_history(presentation),
        answers=dict(presentation.answers),
        active_deferrals=active_deferrals(presentation, on),
    )


def _reason_row(reason: engine.Reason) -> dict[str, Any]:
    """The reason as facts: its code and parameters, worded when shown (decision 0026)."""
    return {
        "code": reason.code,
        "params": dict(reason.params),
        "source": reason.source,
        "severity": reason.severity,
        "until": reason.until.isoformat() if reason.until else None,
        "verified": reason.verified,
        "overridable": reason.overridable,
    }


@transaction.atomic
def record_vitals(*, by: User, presentation: Presentation, **values: Any) -> Presentation:
    """Store weight, temperature, blood pressure, pulse and haemoglobin, then ask the engine."""
    require_station(by, presentation.drive)
    presentation = at_step(presentation, {Step.VITALS, Step.PHYSICIAN})
    if not presentation.answered_at:
        raise refuse(_("The health questionnaire comes first."))
    read = _read_vitals(values)
    presentation.weight_kg, presentation.temperature_c = read["weight_kg"], read["temperature_c"]
    presentation.systolic, presentation.diastolic = int(read["systolic"]), int(read["diastolic"])
    presentation.pulse, presentation.hb_g_l = int(read["pulse"]), int(read["hb_g_l"])
    presentation.measured_at, presentation.measured_by = timezone.now(), by
    facts = facts_for(presentation, local_date(presentation.drive))
    decision = engine.evaluate_on(presentation.drive.establishment.jurisdiction, facts)
    presentation.engine_outcome = decision.outcome
    presentation.engine_reasons = [_reason_row(r) for r in decision.reasons]
    presentation.engine_volumes_ml = list(decision.allowed_volumes_ml)
    presentation.rule_set = decision.rule_set
    fields = [*VITALS, "measured_at", "measured_by", "engine_outcome", "engine_reasons"]
    step_before = presentation.step
    move_on(presentation, Step.PHYSICIAN, [*fields, "engine_volumes_ml", "rule_set"])
    record(
        by=by,
        action="presentation.vitals",
        obj=presentation,
        changes={
            "engine_outcome": [None, decision.outcome],
            "rule_set": [None, decision.rule_set],
            "step": [step_before, Step.PHYSICIAN],
        },
    )
    return presentation


def engine_deferred(presentation: Presentation) -> bool:
    return presentation.engine_outcome in DEFERRED


def _judged_now(
    presentation: Presentation,
) -> tuple[engine.Decision, engine.Facts, RuleSet]:
    """The engine's decision on the stored measurements today, so a deferral recorded since
    the vital signs were taken (look-back, a confirmed infection marker) is seen."""
    on = local_date(presentation.drive)
    rules = registry.get(presentation.drive.establishment.jurisdiction, on)
    facts = facts_for(presentation, on)
    return engine.evaluate(facts, rules), facts, rules


def may_override(presentation: Presentation) -> bool:
    """Only a temporary deferral whose every deferring reason the rule set marks overridable;
    never a permanent one or one on the donor's record (decision 0015)."""
    return engine_deferred(presentation) and _judged_now(presentation)[0].overridable


def lifted_at_decision(presentation: Presentation) -> set[str]:
    """The reasons the physician lifted: the temporary ones of an override, none otherwise."""
    if presentation.decision != Decision.OVERRIDE:
        return set()
    return {r["code"] for r in presentation.engine_reasons if r.get("severity") == "temporary"}


def judged_at_collection(presentation: Presentation) -> list[int]:
    """Judge the donor again inside the collecting transaction, under the donor's row lock,
    and return the volumes the rules allow. Refused when a reason now defers the donor that
    the physician did not lift: a deferral recorded (look-back, another drive's physician)
    or a donation given elsewhere since the decision (decision 0037)."""
    lock_donor(presentation)
    decision, facts, rules = _judged_now(presentation)
    deciding = {r.code for r in decision.reasons if r.severity != "review"}
    if deciding - lifted_at_decision(presentation):
        raise refuse(changed_since_decision())
    return engine.allowed_volumes(facts, rules)


def changed_since_decision() -> str:
    """Why a collection is refused when the donor is no longer eligible (decision 0037)."""
    return _(
        "Since the physician's decision, a deferral has been recorded for this donor "
        "or a donation given elsewhere: nothing may be collected."
    )


def offered_volumes(presentation: Presentation) -> list[int]:
    """Volumes the physician may choose: the engine's, or when overriding a deferral the
    volumes the rules still allow for the donor's weight and Hb (none if no override)."""
    if not engine_deferred(presentation):
        return list(presentation.engine_volumes_ml)
    decision, facts, rules = _judged_now(presentation)
    return engine.allowed_volumes(facts, rules) if decision.overridable else []


def _check_decision(
    presentation: Presentation,
    decision: str,
    volume_ml: int | None,
    reason: str,
    until: dt.date | None,
    permanent: bool,
) -> None:
    errors: dict[str, list[str]] = {}
    if decision not in Decision.values:
        errors["decision"] = [_("Choose accept, defer or override.")]
    elif decision == Decision.ACCEPT and engine_deferred(presentation):
        errors["decision"] = [
            _("The engine deferred this donor. To accept, override it and give your reason.")
        ]
    elif decision == Decision.OVERRIDE and not engine_deferred(presentation):
        errors["decision"] = [_("The engine did not defer this donor; accept instead.")]
    elif decision == Decision.OVERRIDE and not may_override(presentation):
        errors["decision"] = [
            _(
                "This deferral cannot be overridden: the rules let a physician lift only the "
                "temporary deferrals they mark as overridable, never a permanent deferral or "
                "one on the donor's record."
            )
        ]
    elif decision == Decision.ACCEPT and _judged_now(presentation)[0].outcome in DEFERRED:
        errors["decision"] = [
            _(
                "A deferral has been recorded for this donor since the vital signs were "
                "taken; enter the vital signs again."
            )
        ]
    accepting = decision in (Decision.ACCEPT, Decision.OVERRIDE) and "decision" not in errors
    offered = offered_volumes(presentation) if accepting else []
    if accepting and not offered:
        errors["volume_ml"] = [
            _("The rules allow no volume for this donor: nothing may be collected.")
        ]
    elif accepting and volume_ml not in offered:
        errors["volume_ml"] = [_("Choose one of the volumes offered for this donor.")]
    if decision in (Decision.OVERRIDE, Decision.DEFER) and not reason.strip():
        errors["decision_reason"] = [_("Give the reason for this decision.")]
    if decision == Decision.DEFER:
        today = local_date(presentation.drive)
        if permanent and until is not None:
            errors["until"] = [_("A permanent deferral has no end date.")]
        elif not permanent and (until is None or until <= today):
            errors["until"] = [_("Give a date after today, or make the deferral permanent.")]
    if errors:
        raise ValidationError(errors)


def _defer(
    by: User, presentation: Presentation, reason: str, until: dt.date | None, permanent: bool
) -> Deferral:
    deciding = [r for r in presentation.engine_reasons if r["severity"] != "review"]
    lock_donor(presentation)  # waits for a collection of this donor in flight (decision 0037)
    return Deferral.objects.create(
        donor=presentation.donor,
        presentation=presentation,
        code=deciding[0]["code"] if deciding else "physician",
        reason=reason.strip(),
        source=presentation.rule_set,
        starts_on=local_date(presentation.drive),
        until=None if permanent else until,
        permanent=permanent,
        created_by=by,
    )


@transaction.atomic
def physician_decide(
    *,
    by: User,
    presentation: Presentation,
    decision: str,
    volume_ml: int | None = None,
    reason: str = "",
    until: dt.date | None = None,
    permanent: bool = False,
) -> Presentation:
    """Accept with a volume, defer (until a date or permanently) or override the engine."""
    require_station(by, presentation.drive, Perm.SCREENING_DECIDE)
    presentation = at_step(presentation, {Step.PHYSICIAN})
    _check_decision(presentation, decision, volume_ml, reason, until, permanent)
    presentation.decision, presentation.decision_reason = decision, reason.strip()
    presentation.volume_ml = None if decision == Decision.DEFER else volume_ml
    presentation.decided_at, presentation.decided_by = timezone.now(), by
    deferral = (
        _defer(by, presentation, reason, until, permanent) if decision == Decision.DEFER else None
    )
    step = Step.DEFERRED if deferral else Step.COLLECTION
    fields = ["decision", "decision_reason", "volume_ml", "decided_at", "decided_by"]
    move_on(presentation, step, fields)
    if deferral is not None:
        summaries.deferred(presentation, [deferral.code])
    changes: dict[str, Any] = {
        "decision": [None, decision],
        "engine_outcome": [None, presentation.engine_outcome],
        "rule_set": [None, presentation.rule_set],
        "volume_ml": [None, presentation.volume_ml],
        "deferral": [None, str(deferral.uuid) if deferral else None],
    }
    if decision == Decision.OVERRIDE:
        # What was lifted, as codes with their parameters; the signer is the event's actor.
        lifted = [r for r in presentation.engine_reasons if r["severity"] == "temporary"]
        changes["overridden"] = [None, [r["code"] for r in lifted]]
        changes["overridden_until"] = [None, [r["until"] for r in lifted]]
    record(
        by=by,
        action=f"presentation.{decision}",
        obj=presentation,
        changes=changes,
        reason=reason.strip(),
        correction=decision == Decision.OVERRIDE,
    )
    return presentation
