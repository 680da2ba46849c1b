"""Laboratory pages: the worklist, a donation's sample (panel, results, verification,
corrections, release), analyser imports and look-back notifications.

Views stay thin: the donation, batch or task comes through the access helpers (404 outside
the person's scope, 403 when visible but not theirs), a form parses, an action decides, and
the page redirects back (or, for HTMX, answers the refreshed section). The rules — who may
verify, what a correction needs, what blocks a release — live in the actions and the gate.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.collection.models import Donation, Outcome
from bloodline.donors import reads
from bloodline.donors.reads import ReadPlace
from bloodline.inventory.models import Component, LookbackHold
from bloodline.inventory.status import Status
from bloodline.jurisdictions.labels import lab_test_name
from bloodline.lab import access as lab_access
from bloodline.lab import actions, gate, panel
from bloodline.lab.forms import (
    CorrectForm,
    DinForm,
    ReleaseForm,
    ResultForm,
)
from bloodline.lab.models import Reading, Sample, TestResult
from bloodline.lib import isbt128
from bloodline.organisations import access
from bloodline.organisations.models import OrganisationQuerySet
from bloodline.organisations.roles import Perm

# Lists show the newest rows only, so a page stays fast however much work is waiting.
LIST_LIMIT = 100
# Donations without a sample older than this are no longer offered for receiving.
RECENT = dt.timedelta(days=30)

STATES = {
    "pending": gettext_lazy("pending"),
    "awaiting_verification": gettext_lazy("awaiting verification"),
    "acceptable": gettext_lazy("acceptable"),
    "unacceptable": gettext_lazy("unacceptable"),
    "not_required": gettext_lazy("not required"),
}


def _htmx(request: AuthenticatedRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _url(name: str, *args: object) -> str:
    """A link to another app's page, or nothing while that page does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _sample(donation: Donation) -> Sample | None:
    results = TestResult.objects.select_related("entered_by", "verified_by", "batch")
    return (
        Sample.objects.filter(donation=donation)
        .select_related("received_by")
        .prefetch_related(Prefetch("results", queryset=results), "required_tests")
        .first()
    )


def _received(donation: Donation) -> Sample:
    sample = _sample(donation)
    if sample is None:
        raise Http404
    return sample


# Worklist -----------------------------------------------------------------------------------


@dataclass
class Row:
    sample: Sample
    complete: bool
    pending: int
    awaiting: int
    problems: list[tuple[str, str]]  # (test code or "", what is wrong)
    quarantined: int


def _row(sample: Sample) -> Row:
    donor = sample.donation.donor
    state = panel.evaluate(sample, donor.abo_confirmed, donor.rhd_confirmed)
    states = [t.state for t in state.tests]
    problems = [(t.code, t.problem) for t in state.tests if t.state == "unacceptable"]
    return Row(
        sample=sample,
        complete=state.complete,
        pending=states.count("pending"),
        awaiting=states.count("awaiting_verification"),
        problems=problems + [("", p) for p in state.problems],
        quarantined=getattr(sample, "quarantined", 0),
    )


def _worklist(establishments: OrganisationQuerySet) -> dict[str, Any]:
    to_receive = (
        Donation.objects.filter(
            establishment__in=establishments,
            sample__isnull=True,
            collected_at__gte=timezone.now() - RECENT,
            # An incomplete collection sends no sample (a low-volume product is scanned in).
            outcome=Outcome.COMPLETE,
        )
        .select_related("establishment")
        .order_by("-collected_at")[:LIST_LIMIT]
    )
    quarantined = Q(donation__components__status=Status.QUARANTINED)
    # Samples with lab work left: not unsafe, and either unprocessed or with units to release.
    open_samples = (
        Sample.objects.filter(establishment__in=establishments, donation__unsafe__isnull=True)
        .annotate(
            made=Count("donation__components"),
            quarantined=Count("donation__components", filter=quarantined),
        )
        .exclude(made__gt=0, quarantined=0)
        .select_related("donation__donor", "establishment")
        .prefetch_related("results", "required_tests")
        .order_by("-received_at")[:LIST_LIMIT]
    )
    rows = [_row(s) for s in open_samples]
    failed = (
        Sample.objects.filter(establishment__in=establishments, donation__unsafe__isnull=False)
        .select_related("donation__unsafe", "establishment")
        .order_by("-donation__unsafe__found_at")[:LIST_LIMIT]
    )
    return {
        "to_receive": list(to_receive),
        "in_progress": [r for r in rows if not r.complete],
        "ready": [r for r in rows if r.complete],
        "failed": list(failed),
        "limit": LIST_LIMIT,
    }


@login_required
def worklist(request: AuthenticatedRequest) -> HttpResponse:
    """What waits for the laboratory; the scan box opens (and receives) a donation's sample."""
    establishments = lab_access.lab_scope(request.user)
    form = DinForm(request.POST if request.method == "POST" else None, auto_id="scan-%s")
    if request.method == "POST" and form.is_valid():
        din = form.cleaned_data["din"]
        donation = Donation.objects.filter(din=din, establishment__in=establishments).first()
        if donation is None:
            form.add_error(
                "din",
                _("No donation with this DIN was collected by your laboratory's establishments."),
            )
        else:
            try:
                if not Sample.objects.filter(donation=donation).exists():
                    actions.receive_sample(by=request.user, donation=donation)
                    messages.success(
                        request, _("The sample of %(din)s is received.") % {"din": din}
                    )
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                return redirect("lab:sample", donation.din)
    context = _worklist(establishments) | {"form": form}
    return render(request, "lab/worklist.html", context)


# Sample -------------------------------------------------------------------------------------


@dataclass
class ResultRow:
    result: TestResult
    correction: TestResult | None
    corrects: TestResult | None
    awaiting: bool
    form: CorrectForm | None


@dataclass
class UnitRow:
    component: Component
    blockers: list[str] = field(default_factory=list)
    link: str = ""


def _result_rows(sample: Sample, bound: dict[uuid.UUID, CorrectForm]) -> list[ResultRow]:
    results = list(sample.results.all())
    tests = {t.code: t for t in sample.required_tests.all()}
    by_pk = {r.pk: r for r in results}
    corrections = {r.corrects_id: r for r in results if r.corrects_id is not None}
    rows = []
    for r in results:
        correction = corrections.get(r.pk)
        form = None
        if correction is None:
            form = bound.get(r.uuid) or CorrectForm(result=r, test=tests.get(r.test))
        rows.append(
            ResultRow(
                result=r,
                correction=correction,
                corrects=by_pk.get(r.corrects_id) if r.corrects_id else None,
                awaiting=not r.counts() and correction is None,
                form=form,
            )
        )
    return rows


def _units(donation: Donation) -> tuple[list[UnitRow], str]:
    components = (
        Component.objects.filter(donation=donation)
        .select_related("establishment", "donation__donor", "location")
        .order_by("component_code", "division")
    )
    units = []
    for c in components:
        unit = UnitRow(c, link=_url("inventory:component", c.uuid))
        if c.status == Status.QUARANTINED:
            unit.blockers = gate.blockers(c)
        units.append(unit)
    return units, _url("trace:unit", donation.din)


def _sample_context(
    request: AuthenticatedRequest,
    donation: Donation,
    enter: ResultForm | None = None,
    corrections: dict[uuid.UUID, CorrectForm] | None = None,
) -> dict[str, Any]:
    sample = _sample(donation)
    context: dict[str, Any] = {
        "donation": donation,
        "din": isbt128.Din(donation.din),
        "sample": sample,
        "htmx": _htmx(request),
        "can_release": access.has_perm(request.user, Perm.LAB_RELEASE, donation.establishment),
    }
    context["units"], context["trace"] = _units(donation)
    context["holds"] = (
        LookbackHold.objects.filter(donor_id=donation.donor_id)
        .select_related("closed_by")
        .annotate(held=Count("components"))[:LIST_LIMIT]
    )
    if sample is None:
        return context
    donor = donation.donor
    state = panel.evaluate(sample, donor.abo_confirmed, donor.rhd_confirmed)
    tests = list(sample.required_tests.all())
    chosen = request.GET.get("test", "")
    return context | {
        "state": state,
        "tests": [(t, STATES[t.state], _reading_names(t.readings)) for t in state.tests],
        "results": _result_rows(sample, corrections or {}),
        "enter": enter or _result_form(donation, tests, initial={"test": chosen}),
        "quarantined": any(u.component.status == Status.QUARANTINED for u in context["units"]),
    }


def _reading_names(codes: list[str]) -> list[str]:
    return [str(Reading(c).label) if c in Reading.values else c for c in codes]


def _result_form(donation: Donation, tests: list[Any], **kwargs: Any) -> ResultForm:
    url = reverse("lab:readings", args=[donation.din])
    return ResultForm(tests=tests, readings_url=url, **kwargs)


def _show(request: AuthenticatedRequest, donation: Donation, **forms: Any) -> HttpResponse:
    context = _sample_context(request, donation, **forms)
    template = "lab/_work.html" if _htmx(request) else "lab/sample.html"
    return render(request, template, context)


def _done(request: AuthenticatedRequest, donation: Donation) -> HttpResponse:
    """After an action: HTMX gets the refreshed section, a plain form post is redirected."""
    if _htmx(request):
        return _show(request, donation)
    return redirect(reverse("lab:sample", args=[donation.din]) + "#work")


@login_required
def sample_page(request: AuthenticatedRequest, din: str) -> HttpResponse:
    donation = lab_access.get_donation(request.user, din)
    # The page shows the donor's confirmed group and look-back holds: a logged read.
    reads.log_read(by=request.user, donor=donation.donor, where=ReadPlace.LAB_SAMPLE)
    return _show(request, donation)


@login_required
def readings(request: AuthenticatedRequest, din: str) -> HttpResponse:
    """The reading select for the chosen test and stage (HTMX, when either changes)."""
    sample = _received(lab_access.get_donation(request.user, din))
    chosen = {"test": request.GET.get("test", ""), "stage": request.GET.get("stage", "")}
    tests = list(sample.required_tests.all())
    form = ResultForm(tests=tests, initial=chosen)
    return render(request, "lab/_reading_fields.html", {"form": form})


@require_POST
@login_required
def enter(request: AuthenticatedRequest, din: str) -> HttpResponse:
    donation = lab_access.get_donation(request.user, din)
    sample = _received(donation)
    tests = list(sample.required_tests.all())
    form = _result_form(donation, tests, data=request.POST)
    if form.is_valid():
        try:
            result = actions.record_result(by=request.user, sample=sample, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(
                request,
                _("The %(test)s result is saved. It counts once another person verifies it.")
                % {"test": lab_test_name(result.test)},
            )
            return _done(request, donation)
    return _show(request, donation, enter=form)


@require_POST
@login_required
def verify(request: AuthenticatedRequest, din: str, result_id: uuid.UUID) -> HttpResponse:
    donation = lab_access.get_donation(request.user, din)
    result = lab_access.get_result(request.user, result_id, sample=_received(donation))
    try:
        actions.verify_result(by=request.user, result=result)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("The %(test)s result is verified.") % {"test": lab_test_name(result.test)}
        )
    return _done(request, donation)


@require_POST
@login_required
def correct(request: AuthenticatedRequest, din: str, result_id: uuid.UUID) -> HttpResponse:
    donation = lab_access.get_donation(request.user, din)
    sample = _received(donation)
    result = lab_access.get_result(request.user, result_id, sample=sample)
    test = next((t for t in sample.required_tests.all() if t.code == result.test), None)
    form = CorrectForm(request.POST, result=result, test=test)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.correct_result(
                by=request.user,
                result=result,
                reason=data["reason"],
                reading=data["reading"],
                value=data["value"],
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(
                request,
                _("The correction of %(test)s is saved. It counts once another person verifies it.")
                % {"test": lab_test_name(result.test)},
            )
            return _done(request, donation)
    return _show(request, donation, corrections={result.uuid: form})


@require_POST
@login_required
def order_test(request: AuthenticatedRequest, din: str) -> HttpResponse:
    donation = lab_access.get_donation(request.user, din)
    sample = _received(donation)
    test = request.POST.get("test", "")
    try:
        actions.order_test(by=request.user, sample=sample, test=test)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Test %(test)s is ordered for this sample.") % {"test": lab_test_name(test)}
        )
    return _done(request, donation)


def _refused(request: AuthenticatedRequest, unit: str, reasons: list[str]) -> None:
    messages.error(
        request,
        _("%(unit)s was not released: %(reasons)s") % {"unit": unit, "reasons": " ".join(reasons)},
    )


@require_POST
@login_required
def release(request: AuthenticatedRequest, din: str) -> HttpResponse:
    """Release one component (with the version seen), or every quarantined one that passes."""
    donation = lab_access.get_donation(request.user, din, Perm.LAB_RELEASE)
    sample = _received(donation)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        raise Http404
    public_id = form.cleaned_data["component"]
    if public_id is None:
        released, refused = actions.release_sample(by=request.user, sample=sample)
        for unit, reasons in refused.items():
            _refused(request, unit, reasons)
        if not released and not refused:
            messages.info(request, _("No quarantined unit waits for release."))
    else:
        component = Component.objects.filter(donation=donation, uuid=public_id).first()
        if component is None:
            raise Http404
        version = form.cleaned_data["version"]
        try:
            released = [actions.release(by=request.user, component=component, version=version)]
        except ValidationError as exc:
            released = []
            _refused(request, str(component), exc.messages)
    if released:
        count = len(released)
        messages.success(
            request,
            ngettext("%(count)s unit released.", "%(count)s units released.", count)
            % {"count": count},
        )
    return _done(request, donation)
