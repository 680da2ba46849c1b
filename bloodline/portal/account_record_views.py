"""The donor's own pages (issue 13 §1, §4, §7): their record, card, certificates, contact
consents and privacy. Every page reaches the record through ``donors.self_service`` only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.accounts.types import AuthenticatedRequest
from bloodline.collection import certificates
from bloodline.collection.models import Donation, DonationType
from bloodline.donors import card, export, self_service
from bloodline.donors.models import Donor
from bloodline.lib.isbt128 import parse
from bloodline.portal import account_actions, account_consents
from bloodline.portal.account_models import ErasureRequest, ErasureStatus
from bloodline.portal.account_record import own_record
from bloodline.portal.account_views import donor_required


def _own(user: User) -> Donor | None:
    return self_service.donor_of(user)


@donor_required
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    """The donor's home: their record once they have one, else how to claim it."""
    donor = _own(request.user)
    record = own_record(donor, timezone.localdate()) if donor else None
    account = self_service.account_of(request.user)
    labels = dict(DonationType.choices)
    next_eligible = [(labels[k], e) for k, e in record.next_eligible.items()] if record else []
    context = {
        "record": record,
        "next_eligible": next_eligible,
        "claimed": bool(account and account.claimed_at),
    }
    return render(request, "portal/account_home.html", context)


@donor_required
@require_GET
def donor_card(request: AuthenticatedRequest) -> HttpResponse:
    """The donor's own card QR (a card is issued on first view, by the system actor)."""
    donor = _own(request.user)
    if donor is None or donor.is_erased:
        return redirect("portal:home")
    token = card.card_token(donor) if donor.card_generation else ""
    if not token:
        token = card.issue_card(donor, by=system_actor())
    return render(request, "portal/account_card.html", {"qr": card.card_qr(token)})


@donor_required
@require_GET
def certificate(request: AuthenticatedRequest, din: str) -> HttpResponse:
    """The certificate of one of the donor's own complete donations; 404 for anything else."""
    donor = _own(request.user)
    donation = (
        Donation.objects.select_related("donor", "drive", "establishment")
        .filter(din=din, donor=donor)
        .first()
        if donor
        else None
    )
    if donation is None or not donation.is_complete:
        raise Http404
    verify_url = request.build_absolute_uri(
        reverse("certificates:verify", args=[certificates.token_for(donation)])
    )
    response = HttpResponse(
        certificates.certificate_pdf(donation, verify_url=verify_url),
        content_type="application/pdf",
    )
    filename = f"certificate-{parse(donation.din).din}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@donor_required
@require_http_methods(["GET", "POST"])
def consents(request: AuthenticatedRequest) -> HttpResponse:
    """Each way of being contacted, with one button to agree or to withdraw."""
    donor = _own(request.user)
    if donor is None:
        return redirect("portal:home")
    if request.method == "POST":
        purpose = request.POST.get("purpose", "")
        act = account_consents.give if request.POST.get("give") else account_consents.withdraw
        try:
            act(by=request.user, purpose=purpose)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Your choice is saved."))
        return redirect("portal:consents")
    given = account_consents.in_force(donor)
    rows = [
        {"purpose": p, "text": account_consents.TEXTS[p], "consent": given.get(p)}
        for p in account_consents.PURPOSES
    ]
    return render(request, "portal/account_consents.html", {"rows": rows})


@donor_required
@require_GET
def privacy(request: AuthenticatedRequest) -> HttpResponse:
    donor = _own(request.user)
    pending = (
        ErasureRequest.objects.filter(donor=donor, status=ErasureStatus.PENDING).first()
        if donor
        else None
    )
    return render(request, "portal/account_privacy.html", {"donor": donor, "pending": pending})


@donor_required
@require_GET
def export_download(request: AuthenticatedRequest, fmt: str) -> HttpResponse:
    """Everything held about the donor, as JSON or PDF (``donors.export``), audited."""
    donor = _own(request.user)
    if donor is None or fmt not in ("json", "pdf"):
        raise Http404
    return export.export_response(by=request.user, donor=donor, fmt=fmt)


@donor_required
@require_POST
def erasure(request: AuthenticatedRequest) -> HttpResponse:
    try:
        account_actions.request_erasure(by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Your request is recorded. Staff will erase your details and tell you.")
        )
    return redirect("portal:privacy")
