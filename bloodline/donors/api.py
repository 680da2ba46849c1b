"""The donor registry under /api/v1/donors: the same rules, scope and messages as the pages.

Domain errors answer 422 with translated messages keyed by field; a possible duplicate
answers 422 as well, with the candidates, until the client sends ``"confirmed_distinct": true``.
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from bloodline.accounts.types import AuthenticatedRequest, signed_in
from bloodline.donors import access, actions, reads
from bloodline.donors.duplicates import Candidate, candidates_for
from bloodline.donors.erasure import erase_donor
from bloodline.donors.export import export_response
from bloodline.donors.models import Consent, Donor, IdentityDocument
from bloodline.donors.reads import ReadPlace
from bloodline.donors.search import search
from bloodline.lib.api_errors import ErrorItem, domain_errors
from bloodline.lib.api_schemas import OptionalPublicId, Patch
from bloodline.lib.pagination import BoundedPagination

router = Router(tags=["donors"])


class DonorOut(Schema):
    uuid: UUID
    full_name: str
    date_of_birth: dt.date | None
    sex: str
    phone: str
    address: str
    preferred_language: str
    affiliation: OptionalPublicId
    abo_declared: str
    rhd_declared: str
    abo_confirmed: str
    rhd_confirmed: str
    blood_group_declared: str = Field(description="In words, in the request's language")
    blood_group_confirmed: str = Field(description="In words, in the request's language")
    confirmed_at: dt.datetime | None
    merged_into: OptionalPublicId
    version: int


class DonorIn(Schema):
    full_name: str = Field(max_length=200)
    date_of_birth: dt.date | None = None
    sex: str = Field(default="", max_length=1)
    phone: str = Field(default="", max_length=30)
    address: str = Field(default="", max_length=1000)
    preferred_language: str = Field(default="", max_length=10)
    abo_declared: str = Field(default="", max_length=2)
    rhd_declared: str = Field(default="", max_length=3)
    confirmed_distinct: bool = False


class DonorPatch(Patch):
    version: int
    full_name: str | None = Field(default=None, max_length=200)
    date_of_birth: dt.date | None = None
    sex: str | None = Field(default=None, max_length=1)
    phone: str | None = Field(default=None, max_length=30)
    address: str | None = Field(default=None, max_length=1000)
    preferred_language: str | None = Field(default=None, max_length=10)
    abo_declared: str | None = Field(default=None, max_length=2)
    rhd_declared: str | None = Field(default=None, max_length=3)
    confirmed_distinct: bool = False
    reason: str = Field(default="", max_length=500)


class CandidateOut(Schema):
    donor: UUID
    full_name: str
    date_of_birth: dt.date | None
    phone: str
    reason: str
    reason_label: str


class DocumentIn(Schema):
    kind: str = Field(max_length=32)
    number: str = Field(max_length=60)
    issuing_country: str = Field(default="", max_length=2)


class DocumentOut(Schema):
    uuid: UUID
    kind: str
    number: str
    issuing_country: str
    created_at: dt.datetime


class ConsentIn(Schema):
    purpose: str = Field(max_length=20)
    text_version: str = Field(max_length=40)


class ConsentOut(Schema):
    uuid: UUID
    purpose: str
    text_version: str
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None
    in_force: bool


class MergeIn(Schema):
    duplicate: UUID
    reason: str = Field(max_length=1000)


def _fresh(donor: Donor) -> Donor:
    return Donor.objects.select_related("affiliation", "merged_into").get(pk=donor.pk)


def _candidates(found: list[Candidate]) -> list[CandidateOut]:
    return [
        CandidateOut(
            donor=c.donor.uuid,
            full_name=c.donor.full_name,
            date_of_birth=c.donor.date_of_birth,
            phone=c.donor.phone,
            reason=c.reason,
            reason_label=c.reason_label,
        )
        for c in found
    ]


class DuplicateOut(Schema):
    detail: list[ErrorItem]
    # Empty when the refusal is not a possible duplicate (a schema or domain error).
    candidates: list[CandidateOut] = []


def _duplicate_answer(exc: actions.PossibleDuplicate) -> Status[DuplicateOut]:
    detail = [ErrorItem(**e) for e in domain_errors(exc)]
    return Status(422, DuplicateOut(detail=detail, candidates=_candidates(exc.candidates)))


class SearchPagination(BoundedPagination):
    """A search is logged with its number of matches: the count the answer already took,
    not a second count query."""

    def counted(self, request: HttpRequest, count: int, q: str = "", **params: object) -> None:
        if q.strip():
            reads.log_search(by=signed_in(request), where=ReadPlace.SEARCH_API, results=count)


@router.get("", response=list[DonorOut])
@paginate(SearchPagination)
def search_donors(request: AuthenticatedRequest, q: str = "") -> object:
    """Donors by name (without accents), identity number or phone. Merged records never appear."""
    access.require_view(request.user)
    matches = search(q, access.default_region(request.user))
    return access.visible(matches, request.user).select_related("merged_into")


@router.get("/{public_id}", response=DonorOut)
def get_donor(request: AuthenticatedRequest, public_id: UUID) -> Donor:
    donor = access.get_donor(request.user, public_id)
    reads.log_read(by=request.user, donor=donor, where=ReadPlace.DETAIL_API)
    return donor


@router.post("", response={201: DonorOut, 422: DuplicateOut})
def create_donor(request: AuthenticatedRequest, payload: DonorIn) -> object:
    access.require_manage(request.user)
    try:
        donor = actions.create_donor(
            by=request.user,
            region=access.default_region(request.user),
            **payload.dict(),
        )
    except actions.PossibleDuplicate as exc:
        return _duplicate_answer(exc)
    return Status(201, _fresh(donor))


@router.patch("/{public_id}", response={200: DonorOut, 422: DuplicateOut})
def update_donor(request: AuthenticatedRequest, public_id: UUID, payload: DonorPatch) -> object:
    donor = access.get_donor(request.user, public_id, manage=True)
    changes = payload.dict(exclude={"version", "reason", "confirmed_distinct"}, exclude_unset=True)
    try:
        actions.update_donor(
            by=request.user,
            donor=donor,
            version=payload.version,
            changes=changes,
            region=access.default_region(request.user),
            confirmed_distinct=payload.confirmed_distinct,
            reason=payload.reason,
        )
    except actions.PossibleDuplicate as exc:
        return _duplicate_answer(exc)
    return _fresh(donor)


@router.get("/{public_id}/documents", response=list[DocumentOut])
def list_documents(request: AuthenticatedRequest, public_id: UUID) -> object:
    donor = access.get_donor(request.user, public_id)
    reads.log_read(by=request.user, donor=donor, where=ReadPlace.DOCUMENTS_API)
    return donor.identity_documents.order_by("created_at")


@router.post("/{public_id}/documents", response={201: DocumentOut})
def add_document(
    request: AuthenticatedRequest, public_id: UUID, payload: DocumentIn
) -> Status[IdentityDocument]:
    donor = access.get_donor(request.user, public_id, manage=True)
    document = actions.add_identity_document(
        by=request.user,
        donor=donor,
        **payload.dict(),
    )
    return Status(201, document)


@router.get("/{public_id}/consents", response=list[ConsentOut])
def list_consents(request: AuthenticatedRequest, public_id: UUID) -> object:
    donor = access.get_donor(request.user, public_id)
    reads.log_read(by=request.user, donor=donor, where=ReadPlace.CONSENTS_API)
    return donor.consents.order_by("purpose", "-given_at", "-id")


@router.post("/{public_id}/consents", response={201: ConsentOut})
def add_consent(
    request: AuthenticatedRequest, public_id: UUID, payload: ConsentIn
) -> Status[Consent]:
    donor = access.get_donor(request.user, public_id, manage=True)
    consent = actions.record_consent(
        by=request.user,
        donor=donor,
        **payload.dict(),
    )
    return Status(201, consent)


@router.get("/{public_id}/duplicates", response=list[CandidateOut])
def duplicates(request: AuthenticatedRequest, public_id: UUID) -> list[CandidateOut]:
    donor = access.get_donor(request.user, public_id)
    reads.log_read(by=request.user, donor=donor, where=ReadPlace.DUPLICATES_API)
    return [] if donor.is_merged else _candidates(candidates_for(donor))


@router.post("/{public_id}/merge", response=DonorOut)
def merge(request: AuthenticatedRequest, public_id: UUID, payload: MergeIn) -> Donor:
    """Merge the record ``duplicate`` into this one, with the reason why they are one person."""
    keep = access.get_donor(request.user, public_id, manage=True)
    duplicate = access.get_donor(request.user, payload.duplicate, manage=True)
    actions.merge_donors(
        by=request.user,
        keep=keep,
        duplicate=duplicate,
        reason=payload.reason,
    )
    return _fresh(keep)


class EraseIn(Schema):
    reason: str = Field(max_length=1000)


@router.post("/{public_id}/erase", response=DonorOut)
def erase(request: AuthenticatedRequest, public_id: UUID, payload: EraseIn) -> Donor:
    """Erase the donor's personal details, keeping donations and results linked (a reason is
    required). Searches no longer find them; nothing new is recorded for them."""
    donor = access.get_donor(request.user, public_id, manage=True)
    erase_donor(by=request.user, donor=donor, reason=payload.reason)
    return _fresh(donor)


@router.get("/{public_id}/export")
def export(request: AuthenticatedRequest, public_id: UUID, format: str = "json") -> HttpResponse:
    """Everything held about the donor, as JSON (default) or ``?format=pdf``. Audited."""
    donor = access.get_donor(request.user, public_id, manage=True)
    fmt = "pdf" if format == "pdf" else "json"
    return export_response(by=request.user, donor=donor, fmt=fmt)
