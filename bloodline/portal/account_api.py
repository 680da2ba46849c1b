"""The donor's own record and contact choices under /api/v1/me/… (issue 13 §1, §4, §7),
for a signed-in donor only: the same builder and actions as the pages
(``account_record``, ``account_consents``). A person without a donor account gets 403; a
donor whose account has no record yet gets 404 on the record."""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from typing import NoReturn
from uuid import UUID

from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from bloodline.accounts.system import system_actor
from bloodline.accounts.types import signed_in
from bloodline.donors import export, self_service
from bloodline.donors.models import Donor
from bloodline.lib.api_errors import MessageOut
from bloodline.portal import account_actions, account_codes, account_consents
from bloodline.portal.account_record import own_record

router = Router(tags=["donor portal: my record"])


class VitalsOut(Schema):
    hb_g_l: int | None
    systolic: int | None
    diastolic: int | None
    pulse: int | None
    weight_kg: float | None
    temperature_c: float | None


class MyResultOut(Schema):
    test: str
    reading: str = Field(description="A stored code (Reading)")


class DonationOut(Schema):
    uuid: UUID
    collected_on: dt.date
    place: str
    donation_type: str
    volume_ml: int
    complete: bool
    vitals: VitalsOut | None
    results: list[MyResultOut]
    certificate_url: str | None


class DeferralOut(Schema):
    code: str
    reason: str = Field(description="In words, in the request's language")
    starts_on: dt.date
    until: dt.date | None
    permanent: bool
    in_force: bool


class MyEligibilityOut(Schema):
    donation_type: str
    outcome: str = Field(description="The engine's outcome, or unknown")
    next_eligible_on: dt.date | None


class RecordOut(Schema):
    uuid: UUID
    claimed: bool
    donation_count: int
    blood_group: str = Field(description="Laboratory-confirmed, in words; empty until then")
    next_eligible: list[MyEligibilityOut]
    deferrals: list[DeferralOut]
    donations: list[DonationOut]
    card_url: str


class MyConsentOut(Schema):
    purpose: str
    text: str = Field(description="The consent text, in the request's language")
    text_version: str
    given_at: dt.datetime | None


class MyConsentIn(Schema):
    purpose: str = Field(max_length=20)


class ErasureOut(Schema):
    uuid: UUID
    status: str
    requested_at: dt.datetime


def _own(request: HttpRequest) -> Donor:
    user = signed_in(request)
    if self_service.account_of(user) is None:
        raise PermissionDenied
    donor = self_service.donor_of(user)
    if donor is None:
        raise Http404
    return donor


def _vitals(presentation: object) -> VitalsOut | None:
    if presentation is None:
        return None
    values = {f: getattr(presentation, f) for f in VitalsOut.model_fields}
    return VitalsOut(**values)


@router.get("/record", response=RecordOut)
def my_record(request: HttpRequest) -> RecordOut:
    donor = _own(request)
    record = own_record(donor, timezone.localdate())
    account = self_service.account_of(request.user)
    donations = [
        DonationOut(
            uuid=v.donation.uuid,
            collected_on=v.collected_on,
            place=v.place,
            donation_type=v.donation.donation_type,
            volume_ml=v.donation.volume_ml,
            complete=v.donation.is_complete,
            vitals=_vitals(v.presentation),
            results=[MyResultOut(test=r.test, reading=r.reading) for r in v.results],
            certificate_url=(
                reverse("portal:certificate", args=[v.donation.din])
                if v.donation.is_complete
                else None
            ),
        )
        for v in record.visits
    ]
    return RecordOut(
        uuid=donor.uuid,
        claimed=bool(account and account.claimed_at),
        donation_count=record.donation_count,
        blood_group=record.blood_group,
        next_eligible=[
            MyEligibilityOut(
                donation_type=k, outcome=e.outcome, next_eligible_on=e.next_eligible_on
            )
            for k, e in record.next_eligible.items()
        ],
        deferrals=[
            DeferralOut(
                code=d.deferral.code,
                reason=d.reason,
                starts_on=d.deferral.starts_on,
                until=d.deferral.until,
                permanent=d.deferral.permanent,
                in_force=d.in_force,
            )
            for d in record.deferrals
        ],
        donations=donations,
        card_url=reverse("portal:card"),
    )


def _consents(donor: Donor) -> list[MyConsentOut]:
    given = account_consents.in_force(donor)
    return [
        MyConsentOut(
            purpose=p,
            text=str(account_consents.TEXTS[p]),
            text_version=given[p].text_version if p in given else account_consents.TEXT_VERSION,
            given_at=given[p].given_at if p in given else None,
        )
        for p in account_consents.PURPOSES
    ]


@router.get("/consents", response=list[MyConsentOut])
def my_consents(request: HttpRequest) -> list[MyConsentOut]:
    return _consents(_own(request))


@router.post("/consents", response=list[MyConsentOut])
def give_consent(request: HttpRequest, payload: MyConsentIn) -> list[MyConsentOut]:
    donor = _own(request)
    account_consents.give(by=signed_in(request), purpose=payload.purpose)
    return _consents(donor)


@router.post("/consents/withdraw", response=list[MyConsentOut])
def withdraw_consent(request: HttpRequest, payload: MyConsentIn) -> list[MyConsentOut]:
    """One tap: the consent in force for ``purpose`` ends (it is kept, never deleted)."""
    donor = _own(request)
    account_consents.withdraw(by=signed_in(request), purpose=payload.purpose)
    return _consents(donor)


@router.get("/export", response={200: dict})
def my_export(request: HttpRequest) -> HttpResponse:
    """Everything held about the donor, as JSON (the PDF is the page's download)."""
    return export.export_response(by=signed_in(request), donor=_own(request), fmt="json")


@router.post("/erasure-request", response={201: ErasureOut})
def request_erasure(request: HttpRequest) -> Status[ErasureOut]:
    _own(request)
    made = account_actions.request_erasure(by=signed_in(request))
    return Status(
        201, ErasureOut(uuid=made.uuid, status=made.status, requested_at=made.requested_at)
    )


# Signing in and claiming, for an app (the pages do the same through account_views) --------


class AddressIn(Schema):
    address: str = Field(max_length=254, description="A phone number or an email address")


class CodeSentOut(Schema):
    code_id: UUID = Field(description="Send it back with the code the person received")


class CodeIn(Schema):
    code_id: UUID
    code: str = Field(max_length=12)


class SignedInOut(Schema):
    account: UUID = Field(description="The person's public id")
    claimed: bool


class ClaimIn(Schema):
    number: str = Field(max_length=40, description="Identity document number")
    date_of_birth: dt.date


class ClaimSentOut(Schema):
    code_id: UUID
    detail: str = Field(description="The same answer whether or not the details matched")


def _throttled(exc: DjangoValidationError) -> NoReturn:
    if getattr(exc, "code", None) == "throttled":
        raise HttpError(429, exc.messages[0]) from exc
    raise exc


@router.post("/sign-in/code", response={202: CodeSentOut, 429: MessageOut}, auth=None)
def send_sign_in_code(request: HttpRequest, payload: AddressIn) -> Status[CodeSentOut]:
    """Send a one-time code to a phone (SMS) or an email address; 429 past the rate limit."""
    try:
        code = account_actions.send_sign_in_code(
            address=payload.address,
            origin=account_codes.origin_of(request),
            language=translation.get_language() or "",
            by=system_actor(),
        )
    except DjangoValidationError as exc:
        _throttled(exc)
    return Status(202, CodeSentOut(code_id=code.uuid))


@router.post("/sign-in", response=SignedInOut, auth=None)
def sign_in(request: HttpRequest, payload: CodeIn) -> SignedInOut:
    """Sign in (signing up on a first code): the answer sets the session cookie."""
    user = account_actions.sign_in_with_code(
        code_id=payload.code_id, typed=payload.code, language=translation.get_language() or ""
    )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    account = self_service.account_of(user)
    return SignedInOut(account=user.uuid, claimed=bool(account and account.claimed_at))


@router.post("/claim", response={202: ClaimSentOut, 429: MessageOut})
def start_claim(request: HttpRequest, payload: ClaimIn) -> Status[ClaimSentOut]:
    """A code goes to the phone on the matching record, if any; the answer never says."""
    user = signed_in(request)
    if self_service.account_of(user) is None:
        raise PermissionDenied
    try:
        code = account_actions.start_claim(
            by=user,
            number=payload.number,
            date_of_birth=payload.date_of_birth,
            origin=account_codes.origin_of(request),
            language=translation.get_language() or "",
        )
    except DjangoValidationError as exc:
        _throttled(exc)
    detail = account_actions.claim_sent_message()
    return Status(202, ClaimSentOut(code_id=code.uuid, detail=detail))


@router.post("/claim/code", response=SignedInOut)
def finish_claim(request: HttpRequest, payload: CodeIn) -> SignedInOut:
    user = signed_in(request)
    if self_service.account_of(user) is None:
        raise PermissionDenied
    account_actions.finish_claim(by=user, code_id=payload.code_id, typed=payload.code)
    return SignedInOut(account=user.uuid, claimed=True)
