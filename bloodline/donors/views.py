"""Donor registry pages. Thin: check through donors/access.py, validate with a form, call an
action, redirect."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.donors import access, actions, card, reads
from bloodline.donors.duplicates import candidates_for
from bloodline.donors.erasure import erase_donor
from bloodline.donors.export import export_response
from bloodline.donors.forms import ConsentForm, DocumentForm, DonorForm, EraseForm, MergeForm
from bloodline.donors.models import Donor
from bloodline.donors.reads import ReadPlace
from bloodline.donors.search import RESULT_LIMIT, search
from bloodline.lib.pdf import render_pdf
from bloodline.organisations.roles import Perm

READS_SHOWN = 500  # newest reads on the page; the audit trail keeps them all


@login_required
def search_page(request: AuthenticatedRequest) -> HttpResponse:
    access.require_view(request.user)
    query = request.GET.get("q", "").strip()
    results = None
    if query:
        found = access.visible(search(query, access.default_region(request.user)), request.user)
        results = list(found[:RESULT_LIMIT])
        reads.log_search(by=request.user, where=ReadPlace.SEARCH_PAGE, results=len(results))
    return render(
        request,
        "donors/search.html",
        {
            "query": query,
            "results": results,
            "limit": RESULT_LIMIT,
            "can_manage": access.can_manage(request.user),
        },
    )


@login_required
def detail(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    donor = access.get_donor(request.user, public_id)
    reads.log_read(by=request.user, donor=donor, where=ReadPlace.DETAIL_PAGE)
    context: dict[str, Any] = {
        "donor": donor,
        "documents": donor.identity_documents.order_by("created_at"),
        "consents": donor.consents.order_by("purpose", "-given_at", "-id"),
        "registrations": donor.registrations.select_related("drive", "slot").order_by(
            "-slot__starts_at"
        ),
        "donations": donor.donations.select_related("establishment").order_by("-collected_at"),
        "deferrals": donor.deferrals.order_by("-starts_on"),
        "can_manage": access.may(request.user, Perm.DONOR_MANAGE, donor)
        and not donor.is_merged
        and not donor.is_erased,
        "can_see_reads": access.may(request.user, Perm.DONOR_MANAGE, donor),
    }
    return render(request, "donors/detail.html", context)


def _duplicate_context(form: DonorForm, exc: ValidationError) -> list[Any]:
    form.apply_errors(exc)
    return getattr(exc, "candidates", [])


@login_required
def create(request: AuthenticatedRequest) -> HttpResponse:
    access.require_manage(request.user)
    form = DonorForm(request.POST or None)
    candidates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            donor = actions.create_donor(
                by=request.user,
                region=access.default_region(request.user),
                confirmed_distinct=form.cleaned_data["confirmed_distinct"],
                **form.person(),
            )
        except ValidationError as exc:
            candidates = _duplicate_context(form, exc)
        else:
            messages.success(request, _("The donor was added to the registry."))
            return redirect("donors:detail", donor.uuid)
    return render(request, "donors/form.html", {"form": form, "candidates": candidates})


@login_required
def edit(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    donor = access.get_donor(request.user, public_id, manage=True)
    form = DonorForm(request.POST or None, editing=True, initial=DonorForm.initial_for(donor))
    candidates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_donor(
                by=request.user,
                donor=donor,
                version=form.cleaned_data["version"] or 0,
                changes=form.person(),
                region=access.default_region(request.user),
                confirmed_distinct=form.cleaned_data["confirmed_distinct"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            candidates = _duplicate_context(form, exc)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("donors:detail", donor.uuid)
    context = {"form": form, "donor": donor, "candidates": candidates}
    return render(request, "donors/form.html", context)


@login_required
def add_document(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    donor = access.get_donor(request.user, public_id, manage=True)
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_identity_document(by=request.user, donor=donor, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The identity document was recorded."))
            return redirect("donors:detail", donor.uuid)
    return render(request, "donors/document_form.html", {"form": form, "donor": donor})


@login_required
def add_consent(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    donor = access.get_donor(request.user, public_id, manage=True)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_consent(by=request.user, donor=donor, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The consent was recorded."))
            return redirect("donors:detail", donor.uuid)
    return render(request, "donors/consent_form.html", {"form": form, "donor": donor})


@login_required
def duplicates(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    donor = access.get_donor(request.user, public_id)
    reads.log_read(by=request.user, donor=donor, where=ReadPlace.DUPLICATES_PAGE)
    candidates = [] if donor.is_merged else candidates_for(donor)
    summary = ngettext(
        "%(count)s record may be the same person.",
        "%(count)s records may be the same person.",
        len(candidates),
    ) % {"count": len(candidates)}
    return render(
        request,
        "donors/duplicates.html",
        {
            "donor": donor,
            "candidates": candidates,
            "summary": summary,
            "can_manage": access.can_manage(request.user),
        },
    )


@login_required
def merge(request: AuthenticatedRequest, public_id: str, duplicate_id: str) -> HttpResponse:
    """The confirmation step: both records side by side, a mandatory reason, then the merge."""
    keep = access.get_donor(request.user, public_id, manage=True)
    duplicate = access.get_donor(request.user, duplicate_id, manage=True)
    if keep.pk == duplicate.pk:
        raise Http404
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.merge_donors(
                by=request.user, keep=keep, duplicate=duplicate, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The two records were merged."))
            return redirect("donors:detail", keep.uuid)
    if request.method == "GET":
        for shown in (keep, duplicate):
            reads.log_read(by=request.user, donor=shown, where=ReadPlace.MERGE_PAGE)
    records = [(keep, _("Record kept")), (duplicate, _("Duplicate, merged into it"))]
    return render(
        request,
        "donors/merge.html",
        {"form": form, "keep": keep, "duplicate": duplicate, "records": _summaries(records)},
    )


@login_required
def reads_page(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    """Who looked at this donor, when and where: for those who manage the donor's record."""
    donor = access.get_donor(request.user, public_id, manage=True)
    rows = [
        {"event": event, "where": reads.place_label((event.changes.get("read") or [None, ""])[1])}
        for event in reads.reads_of(donor)[:READS_SHOWN]
    ]
    return render(
        request, "donors/reads.html", {"donor": donor, "rows": rows, "limit": READS_SHOWN}
    )


def _summaries(records: list[tuple[Donor, str]]) -> list[dict[str, Any]]:
    return [
        {
            "donor": donor,
            "role": role,
            "documents": donor.identity_documents.count(),
            "registrations": donor.registrations.count(),
            "donations": donor.donations.count(),
            "deferrals": donor.deferrals.count(),
        }
        for donor, role in records
    ]


@login_required
def erase(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    """The confirmation step of an erasure: what goes, what stays, a mandatory reason."""
    donor = access.get_donor(request.user, public_id, manage=True)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erase_donor(by=request.user, donor=donor, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The donor's personal details were erased."))
            return redirect("donors:detail", donor.uuid)
    return render(request, "donors/erase.html", {"form": form, "donor": donor})


@login_required
def export(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    """Everything held about the donor: a PDF, or JSON with ``?format=json``."""
    donor = access.get_donor(request.user, public_id, manage=True)
    fmt = "json" if request.GET.get("format") == "json" else "pdf"
    return export_response(by=request.user, donor=donor, fmt=fmt)


def _card_context(donor: Donor) -> dict[str, Any]:
    token = card.card_token(donor) if donor.card_generation else ""
    return {
        "donor": donor,
        "token": token,
        "qr": card.card_qr(token) if token else "",
        "blood_group": donor.blood_group_confirmed() if donor.confirmed_at else "",
        "max_age_days": settings.DONOR_CARD_MAX_AGE_DAYS,
    }


@login_required
def card_page(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    """The donor's card for printing; a POST issues a new one (the old one stops working)."""
    donor = access.get_donor(request.user, public_id, manage=True)
    if request.method == "POST":
        try:
            card.issue_card(donor, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("A new donor card was issued; earlier cards no longer work.")
            )
        return redirect("donors:card", donor.uuid)
    reads.log_read(by=request.user, donor=donor, where=ReadPlace.CARD)
    context = _card_context(donor) | {"can_issue": not donor.is_merged and not donor.is_erased}
    return render(request, "donors/card.html", context)


@login_required
def card_pdf(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    """The card as a PDF in the donor's language (404 before a card was issued)."""
    donor = access.get_donor(request.user, public_id, manage=True)
    if not donor.card_generation or donor.is_merged or donor.is_erased:
        raise Http404
    with translation.override(donor.preferred_language or translation.get_language()):
        html = render_to_string("donors/card_print.html", _card_context(donor))
    reads.log_read(by=request.user, donor=donor, where=ReadPlace.CARD)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="donor-card.pdf"'
    response["Cache-Control"] = "no-store"
    return response
