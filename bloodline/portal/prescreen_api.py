"""``/api/v1/me/prescreen/…``: the signed-in donor's bookings with their status through the
day, and pre-screening at home (issue 13 §3, decision 0058). A donor sees only their own
bookings (``screening.prescreen.own_booking``, ``donors.self_service``)."""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from typing import Literal
from uuid import UUID

from django.utils import timezone
from ninja import Field, Router, Schema

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.donors.self_service import donor_of
from bloodline.drives.day_status import with_day_status
from bloodline.drives.models import Registration
from bloodline.screening import prescreen
from bloodline.screening.models import PreScreen

router = Router(tags=["me"])
Answer = Literal["yes", "no", "unknown"]
BOOKINGS_SHOWN = 50  # a display bound: the donor's latest bookings, newest first


class VerdictOut(Schema):
    outcome: str = Field(
        description="The engine's outcome for the appointment's day from the answers and "
        "the donor's record: eligible, review, deferred_temporary or deferred_permanent"
    )
    clearly_not: bool = Field(description="True when the donor should not travel")
    eligible_from: dt.date | None = Field(
        description="When clearly_not: the first day the donor may give again; empty for a "
        "permanent deferral or one that ends only after a test"
    )


class PreScreenOut(Schema):
    answered_at: dt.datetime
    valid_until: dt.datetime
    valid: bool = Field(description="Still counts now (PRESCREEN_VALID_HOURS after answering)")
    answers: dict[str, str] = Field(description="Per question code: yes, no or unknown")
    verdict: VerdictOut | None


class HomeQuestionOut(Schema):
    code: str
    text: str = Field(description="In the request's language")


class PreScreeningOut(Schema):
    registration: UUID
    valid_hours: int
    opens_at: dt.datetime = Field(description="The first moment answers can be given")
    questions: list[HomeQuestionOut]
    prescreen: PreScreenOut | None


class PreScreenIn(Schema):
    answers: dict[str, Answer] = Field(max_length=200)


class BookingStatusOut(Schema):
    registration: UUID
    drive: UUID
    drive_title: str
    venue: str
    starts_at: dt.datetime
    day_status: str = Field(
        description="booked, arrived, deferred, donated, no_show (the drive closed without "
        "an arrival) or cancelled"
    )
    day_status_label: str = Field(description="In words, in the request's language")
    prescreen_valid_until: dt.datetime | None


def _prescreen_out(found: PreScreen | None) -> PreScreenOut | None:
    if found is None:
        return None
    verdict = prescreen.self_check(found)
    return PreScreenOut(
        answered_at=found.answered_at,
        valid_until=found.valid_until,
        valid=found.is_valid_at(timezone.now()),
        answers=prescreen.as_choices(found),
        verdict=None
        if verdict is None
        else VerdictOut(
            outcome=verdict.outcome,
            clearly_not=verdict.clearly_not,
            eligible_from=verdict.eligible_from,
        ),
    )


def _out(booking: Registration) -> PreScreeningOut:
    rules = prescreen.rules_for(booking)
    return PreScreeningOut(
        registration=booking.uuid,
        valid_hours=prescreen.valid_hours(),
        opens_at=prescreen.opens_at(booking),
        questions=[
            HomeQuestionOut(code=q.code, text=q.wording(rules))
            for q in prescreen.questions(booking)
        ],
        prescreen=_prescreen_out(PreScreen.objects.filter(registration=booking).first()),
    )


@router.get("/prescreen/bookings", response=list[BookingStatusOut])
def bookings(request: AuthenticatedRequest) -> list[BookingStatusOut]:
    """The donor's bookings, newest first, each with where it stands on the day."""
    donor = donor_of(request.user)
    if donor is None:
        return []
    found = (
        with_day_status(Registration.objects.filter(donor=donor))
        .select_related("drive", "slot", "prescreen")
        .order_by("-slot__starts_at", "-pk")[:BOOKINGS_SHOWN]
    )
    return [
        BookingStatusOut(
            registration=r.uuid,
            drive=r.drive.uuid,
            drive_title=r.drive.title,
            venue=r.drive.venue,
            starts_at=r.slot.starts_at,
            day_status=r.day_status,  # type: ignore[attr-defined]
            day_status_label=r.day_status_label,
            prescreen_valid_until=getattr(getattr(r, "prescreen", None), "valid_until", None),
        )
        for r in found
    ]


@router.get("/prescreen/{registration_id}", response=PreScreeningOut)
def questionnaire(request: AuthenticatedRequest, registration_id: UUID) -> PreScreeningOut:
    """The questions for this booking in the request's language, and the answers given."""
    return _out(prescreen.own_booking(request.user, registration_id))


@router.put("/prescreen/{registration_id}", response=PreScreeningOut)
def answer(
    request: AuthenticatedRequest, registration_id: UUID, payload: PreScreenIn
) -> PreScreeningOut:
    """Answer every question (yes, no or unknown); replaces earlier answers."""
    booking = prescreen.own_booking(request.user, registration_id)
    prescreen.answer(by=request.user, registration=booking, answers=payload.answers)
    return _out(booking)
