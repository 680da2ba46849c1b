"""The second factor: TOTP authenticator apps with single-use recovery codes (decision 0031).

Who must use it is ``access.needs_second_factor`` (superusers and anyone who can release,
verify or issue). After the password step such a person can open nothing but these pages
until they have enrolled (first time) or typed a code (every sign-in); the API answers 403.
"""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from bloodline.accounts.actions import (
    confirm_authenticator,
    pending_authenticator,
    regenerate_recovery_codes,
)
from bloodline.accounts.types import AuthenticatedRequest
from bloodline.organisations import access

# Pages open to a signed-in person who has not confirmed their second factor yet.
OPEN_BEFORE_SECOND_FACTOR = ("/accounts/", "/language/", "/static/")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        help_text=gettext_lazy(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _second_factor_pending(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        settings.MFA_REQUIRED
        and user.is_authenticated
        and not user.is_verified()  # type: ignore[attr-defined]
        and access.needs_second_factor(user)
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("home")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _second_factor_pending(request) or request.path.startswith(
            OPEN_BEFORE_SECOND_FACTOR
        ):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Confirm your sign-in with your authenticator app first.")},
                status=403,
            )
        enrolled = user_has_device(request.user, confirmed=True)
        page = reverse("mfa_verify" if enrolled else "mfa_enrol")
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": page})
        return HttpResponseRedirect(f"{page}?{query}" if query else page)


def _secret(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode().rstrip("=")


@login_required
def enrol(request: AuthenticatedRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), then prove it
    with one code. A person already enrolled confirms with a code first (verify page)."""
    user = request.user
    if user_has_device(user, confirmed=True) and not user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(reverse("mfa_verify"))
    device = pending_authenticator(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            codes = confirm_authenticator(by=user, device=device)
            otp_login(request, device)
            return render(request, "web/mfa_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error(
            "code", _("That code is not right. Check the time on your phone and try again.")
        )
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=True)
    return render(
        request,
        "web/mfa_enrol.html",
        {"form": form, "qr": qr, "secret": _secret(device), "next": _next(request)},
    )


@login_required
def verify(request: AuthenticatedRequest) -> HttpResponse:
    """Type the code from the authenticator app, or one unused recovery code."""
    user = request.user
    if not user_has_device(user, confirmed=True):
        return HttpResponseRedirect(reverse("mfa_enrol"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"].strip().replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            return HttpResponseRedirect(_next(request))
        form.add_error("code", _("That code is not right, or the recovery code was used already."))
    return render(request, "web/mfa_verify.html", {"form": form, "next": _next(request)})


@login_required
@require_POST
def recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """New recovery codes, shown once; only after this session's second factor."""
    user = request.user
    if not user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(reverse("mfa_verify" if user_has_device(user) else "mfa_enrol"))
    codes = regenerate_recovery_codes(by=user, user=user)
    return render(request, "web/mfa_codes.html", {"codes": codes, "next": reverse("profile")})
