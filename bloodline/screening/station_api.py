"""The donation-day stations over HTTP, under /api/v1/stations (decision 0042).

The same steps as the station pages, through the same access helpers and the same actions
(``screening.actions``): check-in, questionnaire answers, vital signs, the physician's
decision, collection (which answers the DIN), post-donation care, each station's queue
(paginated) and the data a printed DIN label carries. A refused step answers 422 with the
action's translated messages and writes nothing; writes are idempotent like every API POST
(``Idempotency-Key``, decision 0035), and a check-in sent twice without a key is answered once.
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
import zoneinfo
from typing import Literal
from uuid import UUID

from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.collection import access as collection_access
from bloodline.collection import labels
from bloodline.collection.actions import Reaction, Shortfall
from bloodline.collection.models import Donation
from bloodline.donors import reads
from bloodline.donors.reads import ReadPlace
from bloodline.drives.models import Drive
from bloodline.jurisdictions.loader import UnknownRuleSet, registry
from bloodline.jurisdictions.schema import RuleSet
from bloodline.lib.blood_groups import blood_group_long
from bloodline.lib.pagination import BoundedPagination
from bloodline.organisations.roles import Perm
from bloodline.screening import access, actions, donor_history, prescreen, queues
from bloodline.screening.assessment import questions_for
from bloodline.screening.checkin import host_credit
from bloodline.screening.models import Presentation, Step
from bloodline.screening.reasons import render_row
from bloodline.screening.stations import local_date

router = Router(tags=["stations"])

# A station after check-in, named by the step of the donors waiting there.
QueueStep = Literal["questionnaire", "vitals", "physician", "collection", "post_care"]
Answer = Literal["yes", "no", "unknown"]


# --- answers --------------------------------------------------------------------------------


class QuestionOut(Schema):
    code: str
    text: str = Field(description="In the request's language")


class EngineReasonOut(Schema):
    code: str
    severity: str
    until: dt.date | None
    overridable: bool
    message: str = Field(description="In the request's language")


class PresentationOut(Schema):
    uuid: UUID
    drive: UUID
    donor: UUID
    full_name: str
    step: str
    step_label: str = Field(description="In the request's language")
    arrived_at: dt.datetime
    questions: list[QuestionOut] = Field(description="Asked at the questionnaire station")
    engine_outcome: str
    engine_reasons: list[EngineReasonOut]
    offered_volumes_ml: list[int]
    decision: str
    volume_ml: int | None
    din: str = Field(description="The donation's number, once collected")
    home_answered_at: dt.datetime | None = Field(
        default=None,
        description="When the donor answered the questionnaire at home, if those answers "
        "were still valid at arrival (decision 0058)",
    )
    home_answers: dict[str, str] = Field(
        default_factory=dict,
        description="Those answers per question code (yes, no or unknown), for the nurse to "
        "confirm one by one; the station still posts its own answers",
    )
    donations_before: int = Field(
        default=0, description="The donor's donations before today, as the e-certificate counts"
    )
    donation_number: int | None = Field(
        default=None, description="Today's donation's number on its certificate, once collected"
    )
    warning: str = Field(default="", description="A possible duplicate record, at check-in")


class ArrivalOut(Schema):
    """A booking whose donor has not checked in yet."""

    registration: UUID = Field(validation_alias="uuid")
    donor: UUID = Field(validation_alias="donor.uuid")
    full_name: str = Field(validation_alias="donor.full_name")
    slot_starts_at: dt.datetime = Field(validation_alias="slot.starts_at")


class WaitingOut(Schema):
    """A checked-in donor waiting at a station."""

    presentation: UUID = Field(validation_alias="uuid")
    donor: UUID = Field(validation_alias="donor.uuid")
    full_name: str = Field(validation_alias="donor.full_name")
    step: str
    arrived_at: dt.datetime


class CollectionOut(Schema):
    donation: UUID
    din: str
    is_complete: bool
    outcome: str
    presentation: PresentationOut


class LabelItemOut(Schema):
    kind: str = Field(description="bag, or tube (sample tubes and the donor-record label)")
    name: str = Field(description="In the request's language")
    flag: str = Field(description="Flag characters printed beside the DIN (Type 1 only)")
    barcode_data: str = Field(description="What the Code 128 symbol carries: '=' DIN flag")


class DonationLabelOut(Schema):
    din: str
    check_character: str
    eye_readable: str = Field(description="The DIN grouped as printed, without the check")
    establishment: str
    collected_on: dt.date
    abo: str = Field(description="Confirmed by the laboratory; empty while unknown")
    rhd: str
    blood_group: str = Field(description="In words; empty while unknown")
    labels: list[LabelItemOut]


# --- bodies ---------------------------------------------------------------------------------


class CheckInIn(Schema):
    """A registration QR code, donor id or identity number in ``scan``; or the person's name
    and date of birth (a registered person, or a walk-in)."""

    scan: str = Field(default="", max_length=100)
    full_name: str = Field(default="", max_length=200)
    date_of_birth: dt.date | None = None
    sex: Literal["", "M", "F"] = ""
    phone: str = Field(default="", max_length=20)
    mobilised_by: UUID | None = Field(
        default=None, description="One of the drive's hosts, credited for a walk-in"
    )


class AnswersIn(Schema):
    answers: dict[str, Answer] = Field(max_length=200)


class VitalsIn(Schema):
    weight_kg: float
    temperature_c: float
    systolic: float
    diastolic: float
    pulse: float
    hb_g_l: float


class DecisionIn(Schema):
    decision: Literal["accept", "defer", "override"]
    volume_ml: int | None = None
    reason: str = Field(default="", max_length=1000)
    until: dt.date | None = None
    permanent: bool = False


class ReactionIn(Schema):
    kind: str = Field(max_length=32)
    severity: str = Field(max_length=32)
    care_given: str = Field(default="", max_length=1000)


class CollectionIn(Schema):
    din: str = Field(default="", max_length=20, description="Scanned; empty to allocate one")
    bag_type: str = Field(max_length=12)
    volume_ml: int = Field(ge=1, le=10_000)
    started_at: dt.datetime = Field(description="Needle in; without an offset, drive time")
    ended_at: dt.datetime = Field(description="Needle out; without an offset, drive time")
    problems: str = Field(default="", max_length=1000)
    incomplete_reason: str = Field(default="", max_length=32)
    incomplete_note: str = Field(default="", max_length=1000)
    reaction: ReactionIn | None = None


class PostCareIn(Schema):
    reaction: ReactionIn | None = None


# --- helpers --------------------------------------------------------------------------------


def _drive(request: AuthenticatedRequest, public_id: UUID, perm: str = Perm.STATION_RUN) -> Drive:
    return access.get_drive(request.user, public_id, perm=perm)


def _presentation(
    request: AuthenticatedRequest,
    public_id: UUID,
    presentation_id: UUID,
    perm: str = Perm.STATION_RUN,
) -> Presentation:
    return access.get_presentation(_drive(request, public_id, perm), presentation_id)


def _reasons(presentation: Presentation) -> list[EngineReasonOut]:
    return [
        EngineReasonOut(
            code=str(row.get("code", "")),
            severity=str(row.get("severity", "")),
            until=dt.date.fromisoformat(row["until"]) if row.get("until") else None,
            overridable=bool(row.get("overridable")),
            message=render_row(row, presentation.rule_set),
        )
        for row in presentation.engine_reasons
    ]


def _questions(presentation: Presentation) -> list[QuestionOut]:
    if presentation.step not in (Step.QUESTIONNAIRE, Step.VITALS):
        return []
    drive = presentation.drive
    try:
        rules: RuleSet | None = registry.get(drive.establishment.jurisdiction, local_date(drive))
    except UnknownRuleSet:  # worded without the rule set's own phrasing
        rules = None
    return [QuestionOut(code=q.code, text=q.wording(rules)) for q in questions_for(presentation)]


def _out(presentation: Presentation, warning: str = "") -> PresentationOut:
    donation = presentation.donation
    home = prescreen.valid_for_station(presentation.registration, presentation.arrived_at)
    counted = donation is not None and donation.is_complete
    return PresentationOut(
        uuid=presentation.uuid,
        drive=presentation.drive.uuid,
        donor=presentation.donor.uuid,
        full_name=presentation.donor.full_name,
        step=presentation.step,
        step_label=str(Step(presentation.step).label),
        arrived_at=presentation.arrived_at,
        questions=_questions(presentation),
        engine_outcome=presentation.engine_outcome,
        engine_reasons=_reasons(presentation),
        offered_volumes_ml=list(presentation.engine_volumes_ml or []),
        decision=presentation.decision,
        volume_ml=presentation.volume_ml,
        din=donation.din if donation is not None else "",
        home_answered_at=home.answered_at if home is not None else None,
        home_answers=prescreen.as_choices(home),
        donations_before=donor_history.made_before(presentation.donor, before=donation),
        donation_number=donor_history.number_of(donation) if donation and counted else None,
        warning=warning,
    )


def _reaction(given: ReactionIn | None) -> Reaction | None:
    return None if given is None else Reaction(given.kind, given.severity, given.care_given)


def _zone(donation: Donation) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(donation.establishment.effective_time_zone())


def _at_drive(moment: dt.datetime, drive: Drive) -> dt.datetime:
    """A time sent without an offset is the drive's wall-clock time."""
    if timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, drive.time_zone())


# --- operations -----------------------------------------------------------------------------


@router.get("/labels/{din}", response=DonationLabelOut)
def donation_label(request: AuthenticatedRequest, din: str) -> DonationLabelOut:
    """What the printed DIN labels of a donation carry (the PDF and ZPL files print the
    same): the DIN with its keyboard check character, each label's bar-code data, the
    collecting establishment, the collection date, and the confirmed group once known."""
    donation = collection_access.get_donation(
        request.user, din, perm=Perm.DONATION_RECORD, with_flags=True
    )
    donor = donation.donor
    # The group is the donor's health data: reading it here is a logged read (T12).
    reads.log_read(by=request.user, donor=donor, where=ReadPlace.LABEL_API)
    known = bool(donor.abo_confirmed)
    found = labels.label_set(donation.din)
    first = found[0]
    return DonationLabelOut(
        din=first.din.din,
        check_character=first.check,
        eye_readable=first.grouped,
        establishment=donation.establishment.display_name(),
        collected_on=timezone.localtime(donation.collected_at, _zone(donation)).date(),
        abo=donor.abo_confirmed if known else "",
        rhd=donor.rhd_confirmed if known else "",
        blood_group=blood_group_long(donor.abo_confirmed, donor.rhd_confirmed) if known else "",
        labels=[
            LabelItemOut(
                kind=label.kind,
                name=label.name,
                flag=label.printed_flag,
                barcode_data=label.scanned,
            )
            for label in found
        ],
    )


@router.get("/{public_id}/arrivals", response=list[ArrivalOut])
@paginate(BoundedPagination)
def arrivals(request: AuthenticatedRequest, public_id: UUID) -> object:
    """The check-in station's queue: bookings whose donor has not arrived, by slot."""
    return queues.not_checked_in(_drive(request, public_id))


@router.get("/{public_id}/queue/{queue_step}", response=list[WaitingOut])
@paginate(BoundedPagination)
def queue(request: AuthenticatedRequest, public_id: UUID, queue_step: QueueStep) -> object:
    """Who waits at a station after check-in, first come first served. The physician's
    queue needs the physician's permission."""
    perm = Perm.SCREENING_DECIDE if queue_step == Step.PHYSICIAN else Perm.STATION_RUN
    return queues.at_step(_drive(request, public_id, perm), queue_step)


@router.get("/{public_id}/presentations/{presentation_id}", response=PresentationOut)
def presentation(
    request: AuthenticatedRequest, public_id: UUID, presentation_id: UUID
) -> PresentationOut:
    """A checked-in donor as the stations see them: step, questions, the engine's answer."""
    found = _presentation(request, public_id, presentation_id)
    reads.log_read(by=request.user, donor=found.donor, where=ReadPlace.STATION_API)
    return _out(found)


@router.post("/{public_id}/check-in", response={201: PresentationOut})
def check_in(
    request: AuthenticatedRequest, public_id: UUID, payload: CheckInIn
) -> Status[PresentationOut]:
    """Check a person in at a running drive, as the check-in station does."""
    drive = _drive(request, public_id)
    result = actions.check_in(
        by=request.user,
        drive=drive,
        scan=payload.scan,
        full_name=payload.full_name,
        date_of_birth=payload.date_of_birth,
        sex=payload.sex,
        phone=payload.phone,
        mobilised_by=host_credit(drive, payload.mobilised_by),
    )
    return Status(201, _out(result.presentation, result.warning))


@router.post("/{public_id}/presentations/{presentation_id}/answers", response=PresentationOut)
def answers(
    request: AuthenticatedRequest, public_id: UUID, presentation_id: UUID, payload: AnswersIn
) -> PresentationOut:
    """The health questionnaire: every question asked of this donor, yes, no or unknown."""
    found = _presentation(request, public_id, presentation_id)
    done = actions.record_answers(by=request.user, presentation=found, answers=payload.answers)
    return _out(done)


@router.post("/{public_id}/presentations/{presentation_id}/vitals", response=PresentationOut)
def vitals(
    request: AuthenticatedRequest, public_id: UUID, presentation_id: UUID, payload: VitalsIn
) -> PresentationOut:
    """Weight, temperature, blood pressure, pulse and haemoglobin; the engine judges them."""
    found = _presentation(request, public_id, presentation_id)
    done = actions.record_vitals(by=request.user, presentation=found, **payload.dict())
    return _out(done)


@router.post("/{public_id}/presentations/{presentation_id}/decision", response=PresentationOut)
def decision(
    request: AuthenticatedRequest, public_id: UUID, presentation_id: UUID, payload: DecisionIn
) -> PresentationOut:
    """The physician accepts with a volume, defers (until a date or permanently) or
    overrides an overridable deferral with a reason."""
    found = _presentation(request, public_id, presentation_id, Perm.SCREENING_DECIDE)
    done = actions.physician_decide(
        by=request.user,
        presentation=found,
        decision=payload.decision,
        volume_ml=payload.volume_ml,
        reason=payload.reason,
        until=payload.until,
        permanent=payload.permanent,
    )
    return _out(done)


@router.post(
    "/{public_id}/presentations/{presentation_id}/collection", response={201: CollectionOut}
)
def collection(
    request: AuthenticatedRequest, public_id: UUID, presentation_id: UUID, payload: CollectionIn
) -> Status[CollectionOut]:
    """Record the collection of an accepted donor; answers the donation's DIN (allocated
    when none was scanned). Refused, with nothing written, for a donor not accepted."""
    found = _presentation(request, public_id, presentation_id)
    drive = found.drive
    donation = actions.collect(
        by=request.user,
        presentation=found,
        din=payload.din,
        bag_type=payload.bag_type,
        volume_ml=payload.volume_ml,
        started_at=_at_drive(payload.started_at, drive),
        ended_at=_at_drive(payload.ended_at, drive),
        problems=payload.problems,
        reaction=_reaction(payload.reaction),
        shortfall=Shortfall(payload.incomplete_reason, payload.incomplete_note),
    )
    done = Presentation.objects.select_related("drive__establishment", "donor", "donation")
    return Status(
        201,
        CollectionOut(
            donation=donation.uuid,
            din=donation.din,
            is_complete=donation.is_complete,
            outcome=donation.outcome,
            presentation=_out(done.get(pk=found.pk)),
        ),
    )


@router.post("/{public_id}/presentations/{presentation_id}/post-care", response=PresentationOut)
def post_care(
    request: AuthenticatedRequest, public_id: UUID, presentation_id: UUID, payload: PostCareIn
) -> PresentationOut:
    """The donor rested and may leave; a late reaction is recorded with the donation."""
    found = _presentation(request, public_id, presentation_id)
    done = actions.post_care(
        by=request.user, presentation=found, reaction=_reaction(payload.reaction)
    )
    return _out(done)
