"""Certificate pages: a donation's e-certificate (PDF) for staff, and the public page its QR
code opens, which says only whether the certificate is genuine (decision 0054)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.collection import access as collection_access
from bloodline.collection import certificates
from bloodline.collection.models import Donation
from bloodline.donors import reads
from bloodline.donors.reads import ReadPlace
from bloodline.lib.isbt128 import parse
from bloodline.organisations.roles import Perm


@login_required
@require_GET
def certificate_pdf(request: AuthenticatedRequest, din: str) -> HttpResponse:
    """The certificate of one complete donation, for those who may read its donor: 404 when
    the donation is unknown, out of sight or an incomplete collection."""
    donation = collection_access.get_donation(
        request.user,
        din,
        perm=Perm.DONOR_VIEW,
        queryset=Donation.objects.select_related("donor", "drive", "establishment"),
    )
    if not donation.is_complete:
        raise Http404
    verify_url = request.build_absolute_uri(
        reverse("certificates:verify", args=[certificates.token_for(donation)])
    )
    pdf = certificates.certificate_pdf(donation, verify_url=verify_url)
    reads.log_read(by=request.user, donor=donation.donor, where=ReadPlace.CERTIFICATE)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"certificate-{parse(donation.din).din}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def verify(request: HttpRequest, signed: str) -> HttpResponse:
    """Public: "valid certificate of <date>, <place>", or why not (404). Nothing personal."""
    try:
        verified = certificates.verify(signed)
    except ValidationError as exc:
        context = {"verified": None, "error": exc.messages[0]}
        return render(request, "collection/certificate_verify.html", context, status=404)
    return render(request, "collection/certificate_verify.html", {"verified": verified})
