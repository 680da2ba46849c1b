"""Signing in with a code and claiming a record (issue 13 §1, §2; decision 0056). Thin:
form → action in ``account_actions`` → redirect. The pending code's id is kept in the
session; the address and the code never are."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bloodline.accounts.system import system_actor
from bloodline.accounts.types import AuthenticatedRequest
from bloodline.donors import access as donor_access
from bloodline.donors import self_service
from bloodline.notifications import access as notification_access
from bloodline.portal import account_actions, account_codes, staff_access
from bloodline.portal.account_forms import (
    AddressForm,
    ClaimForm,
    CodeForm,
    ErasureDecisionForm,
    LinkCodeForm,
    PasswordSignInForm,
)
from bloodline.portal.account_models import ErasureRequest, ResultRelease

SIGN_IN_CODE = "portal_sign_in_code"
CLAIM_CODE = "portal_claim_code"
View = Callable[..., HttpResponse]


def donor_required(view: View) -> View:
    """A page for a person signed in with a donor account: anyone else is sent to the
    portal's sign-in (anonymous) or told this door is for donors (403)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('portal:sign_in')}?{query}")
        if self_service.account_of(request.user) is None:
            return render(request, "portal/account_not_donor.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _errors(form: Any, exc: ValidationError) -> int:
    """Put the refusal on the form; the status to answer with (429 for a rate limit)."""
    for message in exc.messages:
        form.add_error(None, message)
    return 429 if getattr(exc, "code", None) == "throttled" else 200


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Step 1: the phone or email address to send a code to."""
    form = AddressForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            code = account_actions.send_sign_in_code(
                address=form.cleaned_data["address"],
                origin=account_codes.origin_of(request),
                language=translation.get_language() or "",
                by=system_actor(),
            )
        except ValidationError as exc:
            status = _errors(form, exc)
        else:
            request.session[SIGN_IN_CODE] = str(code.uuid)
            target = reverse("portal:sign_in_code")
            if request.GET.get("next"):
                target += "?" + urlencode({"next": request.GET["next"]})
            return redirect(target)
    return render(request, "portal/account_sign_in.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code; a first sign-in makes the account."""
    pending = request.session.get(SIGN_IN_CODE)
    if not pending:
        return redirect("portal:sign_in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_actions.sign_in_with_code(
                code_id=pending,
                typed=form.cleaned_data["code"],
                language=translation.get_language() or "",
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(_next(request))
    return render(request, "portal/account_sign_in_code.html", {"form": form})


@require_http_methods(["GET", "POST"])
def sign_in_password(request: HttpRequest) -> HttpResponse:
    """For a donor who chose a password: their address and that password."""
    form = PasswordSignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = account_actions.sign_in_with_password(
                address=form.cleaned_data["address"],
                password=form.cleaned_data["password"],
                origin=account_codes.origin_of(request),
            )
        except ValidationError as exc:
            status = _errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(_next(request))
    return render(request, "portal/account_sign_in_password.html", {"form": form}, status=status)


@donor_required
@require_http_methods(["GET", "POST"])
def password(request: AuthenticatedRequest) -> HttpResponse:
    """Choose a password (optional): the house's password rules apply."""
    form = SetPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_actions.set_password(by=request.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password is saved. Codes keep working too."))
        return redirect("portal:home")
    return render(request, "portal/account_password.html", {"form": form})


def _next(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("portal:home")


@donor_required
@require_http_methods(["GET", "POST"])
def claim(request: AuthenticatedRequest) -> HttpResponse:
    """Claim a record: identity number and date of birth; a code goes to the phone on it."""
    form = ClaimForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            code = account_actions.start_claim(
                by=request.user,
                number=form.cleaned_data["number"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                origin=account_codes.origin_of(request),
                language=translation.get_language() or "",
            )
        except ValidationError as exc:
            status = _errors(form, exc)
        else:
            request.session[CLAIM_CODE] = str(code.uuid)
            messages.info(request, account_actions.claim_sent_message())
            return redirect("portal:claim_code")
    return render(request, "portal/account_claim.html", {"form": form}, status=status)


@donor_required
@require_http_methods(["GET", "POST"])
def claim_code(request: AuthenticatedRequest) -> HttpResponse:
    pending = request.session.get(CLAIM_CODE)
    if not pending:
        return redirect("portal:claim")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_actions.finish_claim(
                by=request.user, code_id=pending, typed=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            del request.session[CLAIM_CODE]
            messages.success(request, _("Your donor record is now linked to your account."))
            return redirect("portal:home")
    return render(request, "portal/account_claim_code.html", {"form": form})


@donor_required
@require_http_methods(["GET", "POST"])
def link_code(request: AuthenticatedRequest) -> HttpResponse:
    """A code to show a nurse at a drive, who links this account to the record there."""
    shown = ""
    if request.method == "POST":
        shown = account_actions.start_link(by=request.user).plain
    context = {"code": shown, "minutes": account_codes.CODE_MINUTES}
    return render(request, "portal/account_link_code.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def staff_link(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    """Staff who manage the donor type the code the donor shows them."""
    donor = donor_access.get_donor(request.user, public_id, manage=True)
    form = LinkCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_actions.link_at_drive(
                by=request.user, donor=donor, typed=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The donor's account is now linked to this record."))
            return HttpResponseRedirect(reverse("donors:detail", args=[donor.uuid]))
    return render(request, "portal/account_staff_link.html", {"form": form, "donor": donor})


@login_required
@require_GET
def erasure_requests(request: AuthenticatedRequest) -> HttpResponse:
    """Donors' erasure requests waiting for staff, for those who manage the donors."""
    donor_access.require_manage(request.user)
    pending = (
        staff_access.pending_erasures(request.user).select_related("donor").order_by("requested_at")
    )
    return render(request, "portal/account_erasure_requests.html", {"pending": pending})


@login_required
@require_GET
def staff_home(request: AuthenticatedRequest) -> HttpResponse:
    """The donor portal seen from the staff side: donors' erasure requests (for those who
    manage donors) and, per establishment whose messages to donors the person manages, its
    message templates and whether its donors see their test results."""
    user = request.user
    if not staff_access.opens_staff_home(user):
        raise PermissionDenied
    manages_donors = staff_access.manages_donors(user)
    establishments = list(notification_access.establishments(user))
    releasing = set(
        ResultRelease.objects.filter(establishment__in=establishments, to_donors=True).values_list(
            "establishment_id", flat=True
        )
    )
    context = {
        "pending": staff_access.pending_erasures(user).count() if manages_donors else None,
        "establishments": [(e, e.pk in releasing) for e in establishments],
    }
    return render(request, "portal/account_staff_home.html", context)


@login_required
@require_POST
def result_release(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    """Show (ticked) or stop showing an establishment's donors their verified results."""
    establishment = notification_access.get_establishment(request.user, public_id)
    account_actions.set_result_release(
        by=request.user, establishment=establishment, to_donors="to_donors" in request.POST
    )
    messages.success(request, _("Your changes were saved."))
    return redirect("portal:staff")


@login_required
@require_http_methods(["GET", "POST"])
def erasure_decision(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    found = ErasureRequest.objects.select_related("donor").filter(uuid=public_id).first()
    if found is None:
        raise Http404
    donor_access.get_donor(request.user, found.donor.uuid, manage=True)
    form = ErasureDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_actions.decide_erasure(
                by=request.user,
                request=found,
                erase=form.cleaned_data["decision"] == "erase",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The request is answered."))
            return redirect("portal:erasure_requests")
    context = {"form": form, "found": found}
    return render(request, "portal/account_erasure_decision.html", context)
