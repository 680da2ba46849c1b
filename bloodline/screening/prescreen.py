"""Pre-screening at home (issue 13 §3, decision 0058): a donor answers the station's own
questionnaire for one of their bookings, and the engine tells them before they travel when
their answers clearly defer them, with the date they may give again.

The questions are the station's (``assessment.questions_at``), read and stored the same way
(``assessment.read_answers``); the verdict is the eligibility engine's on the appointment's
day, and the date the one the station's donor card shows (``lookup.next_eligible``). Nothing
here skips the on-site check: the questionnaire station shows valid answers pre-filled and
the nurse confirms each.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.donors.self_service import donor_of, require_self
from bloodline.drives.models import Registration
from bloodline.jurisdictions.loader import UnknownRuleSet, registry
from bloodline.jurisdictions.schema import RuleSet
from bloodline.organisations.access import AnyUser
from bloodline.screening import engine
from bloodline.screening.assessment import (
    DEFERRED,
    as_active,
    deferrals_in_force,
    history_before,
    questions_at,
    read_answers,
)
from bloodline.screening.lookup import CARD_DONATION_TYPE, next_eligible
from bloodline.screening.models import PreScreen, Presentation
from bloodline.screening.questionnaire import Question, for_jurisdiction


def valid_hours() -> int:
    """How long answers count (setting ``PRESCREEN_VALID_HOURS``; at least an hour)."""
    return max(1, int(getattr(settings, "PRESCREEN_VALID_HOURS", 24)))


def valid_for() -> dt.timedelta:
    return dt.timedelta(hours=valid_hours())


def rules_for(registration: Registration) -> RuleSet | None:
    """The rule set in force on the appointment's day, to word the questions' periods."""
    drive = registration.drive
    try:
        return registry.get(drive.establishment.jurisdiction, appointment_day(registration))
    except UnknownRuleSet:
        return None


def own_booking(user: AnyUser, public_id: uuid.UUID | str) -> Registration:
    """The signed-in donor's own booking (not cancelled) with this public id; 404 for
    anyone else's, for staff and for a person with no donor record (``self_service``)."""
    donor = donor_of(user)
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    if donor is None:
        raise Http404
    found = (
        Registration.objects.filter(uuid=key, donor=donor, cancelled_at__isnull=True)
        .select_related("drive__establishment", "slot", "donor")
        .first()
    )
    if found is None:
        raise Http404
    return found


def questions(registration: Registration) -> list[Question]:
    return questions_at(registration.drive, registration.donor)


def opens_at(registration: Registration) -> dt.datetime:
    """The first moment answers can still be valid at the appointment."""
    return registration.slot.starts_at - valid_for()


def appointment_day(registration: Registration) -> dt.date:
    return timezone.localtime(registration.slot.starts_at, registration.drive.time_zone()).date()


def _refuse_unless_open(registration: Registration, now: dt.datetime) -> None:
    drive = registration.drive
    if not drive.takes_registrations or now > registration.slot.ends_at:
        raise ValidationError(_("This appointment has passed; there is nothing to answer."))
    if Presentation.objects.filter(drive=drive, donor=registration.donor).exists():
        raise ValidationError(_("You are already checked in: the nurse asks the questions now."))
    if now < opens_at(registration):
        local = timezone.localtime(opens_at(registration), drive.time_zone())
        raise ValidationError(
            _("Answers count for %(hours)s hours, so you can answer from %(date)s at %(time)s.")
            % {
                "hours": valid_hours(),
                "date": local.date().isoformat(),
                "time": local.strftime("%H:%M"),
            }
        )


@transaction.atomic
def answer(*, by: User, registration: Registration, answers: Mapping[str, Any]) -> PreScreen:
    """Store the donor's answers for their booking (replacing earlier ones), valid for
    ``PRESCREEN_VALID_HOURS``. Every question must be answered; nothing is written otherwise.
    The trail says that the donor answered, never what."""
    require_self(by, registration.donor)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    now = timezone.now()
    _refuse_unless_open(registration, now)
    questionnaire = for_jurisdiction(registration.drive.establishment.jurisdiction)
    if questionnaire is None:
        raise ValidationError(_("No questionnaire is configured for this jurisdiction."))
    stored = read_answers(questions(registration), answers)
    prescreen, created = PreScreen.objects.update_or_create(
        registration=registration,
        defaults={
            "questionnaire_version": questionnaire.label,
            "answers": stored,
            "answered_at": now,
            "valid_until": now + valid_for(),
        },
    )
    record(
        by=by,
        action="prescreen.answer" if created else "prescreen.answer_again",
        obj=prescreen,
        changes={
            "registration": [None, str(registration.uuid)],
            "questionnaire": [None, questionnaire.label],
        },
    )
    return prescreen


def valid_for_station(registration: Registration | None, at: dt.datetime) -> PreScreen | None:
    """The booking's pre-screening if it is still valid at ``at`` (the station's moment)."""
    if registration is None:
        return None
    found = PreScreen.objects.filter(registration=registration).first()
    return found if found is not None and found.is_valid_at(at) else None


# Stored answers back to the questionnaire form's choices.
CHOICE_OF = {True: "yes", False: "no", None: "unknown"}


def as_choices(found: PreScreen | None) -> dict[str, str]:
    """A pre-screening's answers as the questionnaire form's initial choices."""
    if found is None:
        return {}
    return {code: CHOICE_OF[value] for code, value in found.answers.items()}


@dataclass(frozen=True)
class Verdict:
    """The engine's answer for the appointment's day: ``clearly_not`` when the answers or the
    donor's record defer them, with ``eligible_from`` (None: a permanent deferral, or one that
    ends only after a test)."""

    outcome: str
    eligible_from: dt.date | None

    @property
    def clearly_not(self) -> bool:
        return self.outcome in DEFERRED


def self_check(prescreen: PreScreen) -> Verdict | None:
    """What the engine says of the answers on the appointment's day (the measurements are
    taken at the drive, so only answers and the record can defer here); None when it cannot
    judge (no sex or date of birth on record, no rule set in force)."""
    registration = prescreen.registration
    donor, drive = registration.donor, registration.drive
    if donor.sex not in ("M", "F") or donor.date_of_birth is None:
        return None
    on = appointment_day(registration)
    facts = engine.Facts(
        on=on,
        sex="M" if donor.sex == "M" else "F",
        date_of_birth=donor.date_of_birth,
        donation_type=CARD_DONATION_TYPE,
        history=history_before(donor, drive),
        answers=dict(prescreen.answers),
        active_deferrals=as_active(deferrals_in_force(donor, on)),
    )
    try:
        decision = engine.evaluate_on(drive.establishment.jurisdiction, facts)
    except UnknownRuleSet:
        return None
    return Verdict(decision.outcome, next_eligible(decision, on))


def erase_answers(donor: Any) -> dict[str, list[Any]]:
    """At erasure (``donors.erasure.register_eraser``): the donor's answers given at home are
    health data no donation needs for its traceability (the station records its own), so
    they are deleted with the person's details."""
    gone = list(PreScreen.objects.filter(registration__donor=donor).values_list("uuid", flat=True))
    PreScreen.objects.filter(uuid__in=gone).delete()
    return {"prescreens_deleted": [None, [str(u) for u in gone]]} if gone else {}
