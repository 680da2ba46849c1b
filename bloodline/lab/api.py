"""The laboratory under /api/v1/lab: analyser imports, a sample's panel, results entered by
hand and verified by a second person, corrections, and release.

Every write goes through lab.actions (or lab.imports), so the audit trail, the validation,
the locks and the two-person rule are the same as on the pages. Scope comes from
lab/access (on organisations/access), like the pages: 404 outside the person's view, 403
where they see it but may not act.
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status, UploadedFile

from bloodline.accounts.models import User
from bloodline.collection.models import Donation
from bloodline.inventory import access as inventory_access
from bloodline.inventory.models import Component
from bloodline.inventory.schemas import ComponentOut
from bloodline.jurisdictions.labels import lab_test_name
from bloodline.lab import access as lab_access
from bloodline.lab import actions, imports, panel
from bloodline.lab.models import ImportBatch, Sample, TestResult
from bloodline.lab.schemas import (
    CorrectionIn,
    HoldOut,
    ImportBatchOut,
    ImportIn,
    PanelOut,
    ReleaseIn,
    ResultIn,
    ResultOut,
    SampleOut,
    TestStateOut,
)
from bloodline.lib import isbt128
from bloodline.lib.blood_groups import blood_group
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

router = Router(tags=["laboratory"])

# An analyser export is text; a file far larger than the row limit allows is refused unread.
MAX_FILE_BYTES = 5 * 1024 * 1024


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# Imports ------------------------------------------------------------------------------------


def _import(request: HttpRequest, establishment: Organisation, name: str, text: str) -> ImportBatch:
    batch = imports.import_results(
        by=_actor(request), establishment=establishment, file_name=name, content=text
    )
    return ImportBatch.objects.select_related("establishment").get(pk=batch.pk)


@router.post("/results/import", response={201: ImportBatchOut})
def import_results(request: HttpRequest, payload: ImportIn) -> Status[ImportBatch]:
    """Import an analyser file (CSV text, columns as in lab/imports.py). Rows are taken or
    refused one by one; the refused rows come back with their line and reason."""
    establishment = access.get_organisation(request.user, payload.establishment, Perm.LAB_RESULT)
    try:
        batch = _import(request, establishment, payload.file_name, payload.csv)
    except ValidationError as exc:
        # The file-level errors name the field this body calls "csv".
        if hasattr(exc, "error_dict") and "file" in exc.error_dict:
            raise ValidationError({"csv": exc.error_dict["file"]}) from None
        raise
    return Status(201, batch)


@router.post("/results/import-file", response={201: ImportBatchOut})
def import_results_file(
    request: HttpRequest, establishment: Form[UUID], file: File[UploadedFile]
) -> Status[ImportBatch]:
    """The same import as a file upload (multipart form: ``establishment`` and ``file``)."""
    holder = access.get_organisation(request.user, establishment, Perm.LAB_RESULT)
    if (file.size or 0) > MAX_FILE_BYTES:
        raise ValidationError({"file": [_("The file is too large for a result import.")]})
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": [_("The file is not UTF-8 text.")]}) from None
    batch = _import(request, holder, file.name or "upload.csv", text)
    return Status(201, batch)


# Samples and results ------------------------------------------------------------------------


def _donation(user: access.AnyUser, din: str) -> Donation:
    """The donation with this DIN (as scanned, typed with its check character, or bare), if
    the person may see the lab's work on it; 404 outside their view, 403 without lab rights.
    A DIN that cannot be read is a 422 naming the field, not a 404."""
    try:
        isbt128.parse(din)
    except isbt128.DinError as exc:
        raise ValidationError({"din": [str(exc)]}) from None
    return lab_access.get_donation(user, din)


def _results(qs: QuerySet[TestResult]) -> QuerySet[TestResult]:
    return qs.select_related("batch", "entered_by", "verified_by", "corrects")


def _panel(sample: Sample) -> PanelOut:
    donor = sample.donation.donor
    state = panel.evaluate(sample, donor.abo_confirmed, donor.rhd_confirmed)
    return PanelOut(
        tests=[
            TestStateOut(
                code=t.code,
                name=lab_test_name(t.code),
                kind=t.kind,
                required=t.required,
                runs_required=t.runs_required,
                state=t.state,
                runs=t.runs,
                readings=t.readings,
                problem=t.problem,
            )
            for t in state.tests
        ],
        abo=state.abo,
        rhd=state.rhd,
        group=blood_group(state.abo, state.rhd),
        problems=state.problems,
        complete=state.complete,
        confirmed_positive=[r.uuid for r in state.confirmed_positive],
    )


@router.get("/samples/{din}", response=SampleOut)
def get_sample(request: HttpRequest, din: str) -> SampleOut:
    """The sample of the donation with this DIN: where each required test stands, the group
    found, what still blocks release, every result (corrected ones too), and the components."""
    donation = _donation(request.user, din)
    sample = (
        Sample.objects.select_related("donation__donor", "establishment")
        .prefetch_related("required_tests", Prefetch("results", _results(TestResult.objects.all())))
        .filter(donation=donation)
        .first()
    )
    if sample is None:
        raise Http404
    components = Component.objects.filter(donation=donation).select_related(
        "donation", "establishment", "location", "issued_to"
    )
    return SampleOut(
        uuid=sample.uuid,
        din=donation.din,
        establishment=sample.establishment.uuid,
        rule_set=sample.rule_set,
        received_at=sample.received_at,
        panel=_panel(sample),
        results=list(sample.results.all()),  # type: ignore[arg-type]
        components=list(components),  # type: ignore[arg-type]
    )


@router.post("/samples/{din}/results", response={201: ResultOut})
def record_result(request: HttpRequest, din: str, payload: ResultIn) -> Status[TestResult]:
    """Enter one result by hand. The sample is logged in first if it was not yet; the result
    counts once another person verifies it."""
    donation = _donation(request.user, din)
    with transaction.atomic():
        sample = actions.receive_sample(by=_actor(request), donation=donation)
        result = actions.record_result(by=_actor(request), sample=sample, **payload.dict())
    return Status(201, _results(TestResult.objects.all()).get(pk=result.pk))


@router.post("/results/{public_id}/verify", response=ResultOut)
def verify_result(request: HttpRequest, public_id: UUID) -> TestResult:
    """The second person's check of a result entered by hand; its consequences follow."""
    result = lab_access.get_result(request.user, public_id)
    result = actions.verify_result(by=_actor(request), result=result)
    return _results(TestResult.objects.all()).get(pk=result.pk)


@router.post("/results/{public_id}/correct", response={201: ResultOut})
def correct_result(
    request: HttpRequest, public_id: UUID, payload: CorrectionIn
) -> Status[TestResult]:
    """A new result replacing this one, with the reason; it too waits for verification."""
    fresh = actions.correct_result(
        by=_actor(request), result=lab_access.get_result(request.user, public_id), **payload.dict()
    )
    return Status(201, _results(TestResult.objects.all()).get(pk=fresh.pk))


# Release ------------------------------------------------------------------------------------


@router.post("/components/{public_id}/release", response=ComponentOut)
def release(request: HttpRequest, public_id: UUID, payload: ReleaseIn) -> Component:
    """Release a quarantined component when the gate passes; otherwise 422 with every reason
    the gate gives, so all of them can be dealt with at once."""
    unit = inventory_access.get_component(request.user, public_id)
    actions.release(by=_actor(request), component=unit, version=payload.version)
    return inventory_access.get_component(request.user, public_id)


# Look-back holds ----------------------------------------------------------------------------


@router.post("/holds/{public_id}/lift", response=HoldOut)
def lift_hold(request: HttpRequest, public_id: UUID) -> HoldOut:
    """Lift a look-back hold after a negative confirmatory result that counts; refused (422)
    for the person who entered that result, or while no such result exists."""
    hold = lab_access.get_hold(request.user, public_id)
    hold = actions.lift_hold(by=_actor(request), hold=hold)
    return HoldOut(
        uuid=hold.uuid,
        test=hold.test,
        test_name=lab_test_name(hold.test),
        placed_at=hold.placed_at,
        closed_at=hold.closed_at,
        outcome=hold.outcome,
        units=hold.components.count(),
    )
