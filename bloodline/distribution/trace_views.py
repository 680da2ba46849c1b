"""The vein-to-vein trace pages: from a DIN or a donor to every component's fate."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bloodline.accounts.models import User
from bloodline.accounts.types import AuthenticatedRequest
from bloodline.distribution import access as order_access
from bloodline.distribution import trace
from bloodline.donors import access as donor_access
from bloodline.donors import reads
from bloodline.donors.reads import ReadPlace
from bloodline.lib import isbt128
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

# Vein-to-vein trace ---------------------------------------------------------------------------


def _traceable(user: User, din: str) -> tuple[trace.DonationTrace, Organisation] | None:
    """The trace of the donation as this person may see it, with the collecting establishment;
    None when they may not trace it or it does not exist (the two are not told apart)."""
    donation = trace.find_donation(din)
    if donation is None:
        return None
    where = donation.establishment
    if access.has_perm(user, Perm.TRACE_VIEW, where):
        show_donor = access.has_perm(user, Perm.DONOR_VIEW, where)
        return trace.unit_trace(donation, show_donor=show_donor), where
    hospitals = set(access.organisations(user, Perm.ORDER_PLACE).values_list("pk", flat=True))
    if not hospitals:
        return None
    found = trace.unit_trace(donation, show_donor=False, hospitals=hospitals)
    return (found, where) if found.units else None


def _links_orders(user: User) -> bool:
    """Whether the reader works with orders at all (else the order pages would answer 404)."""
    return access.holds_anywhere(user, Perm.ORDER_FULFIL) or access.holds_anywhere(
        user, Perm.ORDER_PLACE
    )


def _require_trace(user: User) -> None:
    if not (access.holds_anywhere(user, Perm.TRACE_VIEW) or order_access.places_orders(user)):
        raise PermissionDenied


def _search_page(
    request: AuthenticatedRequest, query: str, error: str, status: int = 200
) -> HttpResponse:
    context = {"query": query, "error": error}
    return render(request, "distribution/trace_search.html", context, status=status)


@login_required
@require_GET
def trace_search(request: AuthenticatedRequest) -> HttpResponse:
    _require_trace(request.user)
    query = request.GET.get("q", "").strip()
    if not query:
        return _search_page(request, "", "")
    try:
        din = isbt128.parse(query).din
    except isbt128.DinError as exc:
        return _search_page(request, query, str(exc))
    if _traceable(request.user, din) is None:
        return _search_page(
            request,
            query,
            _("No donation with DIN %(din)s is on record, or you may not trace it.") % {"din": din},
        )
    return redirect("trace:unit", din)


@login_required
@require_GET
def trace_unit(request: AuthenticatedRequest, din: str) -> HttpResponse:
    _require_trace(request.user)
    try:
        parsed = isbt128.parse(din).din
    except isbt128.DinError as exc:
        return _search_page(request, din, str(exc), status=404)
    if parsed != din:
        return redirect("trace:unit", parsed)
    found = _traceable(request.user, din)
    if found is None:
        message = _("No donation with DIN %(din)s is on record, or you may not trace it.") % {
            "din": din
        }
        return _search_page(request, din, message, status=404)
    chain, where = found
    context = {
        "trace": chain,
        "link_orders": _links_orders(request.user),
        # The laboratory's sample page and the stock page of each unit, for those who use them.
        "link_lab": access.has_perm(request.user, Perm.LAB_RESULT, where),
        "link_stock": access.has_perm(request.user, Perm.STOCK_VIEW, where),
    }
    return render(request, "distribution/trace_unit.html", context)


@login_required
@require_GET
def trace_donor(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    # Trace shows unsafe components after a failed mandatory test (an infectious-marker
    # result): TRACE_VIEW over the donor's registry, not only DONOR_VIEW (decision 0030).
    donor = donor_access.get_donor(request.user, public_id, perm=Perm.TRACE_VIEW)
    reads.log_read(by=request.user, donor=donor, where=ReadPlace.TRACE_DONOR)
    context = {"trace": trace.donor_trace(donor), "link_orders": _links_orders(request.user)}
    return render(request, "distribution/trace_donor.html", context)
