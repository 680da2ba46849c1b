from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bloodline.accounts.actions import set_preferred_language
from bloodline.accounts.models import User
from bloodline.accounts.types import AuthenticatedRequest
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm
from bloodline.web.forms import LanguageForm


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "web/welcome.html")
    grants = access.grants(request.user)
    roots = access.scope_roots(request.user)
    children = Organisation.objects.filter(parent__in=roots).order_by("path")[:50] if roots else []
    return render(
        request,
        "web/home.html",
        {
            "memberships": [g.membership for g in grants],
            "roots": roots,
            "children": children,
            "visible_count": access.organisations(request.user, Perm.VIEW).count(),
            "changeable_count": access.organisations(request.user, Perm.CHANGE).count(),
        },
    )


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in person's choice is also saved."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return render(request, "web/language_error.html", {"form": form}, status=400)
    language = form.cleaned_data["language"]
    user = request.user
    if isinstance(user, User):
        set_preferred_language(by=user, user=user, language=language)
    translation.activate(language)
    response = HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@login_required
def profile(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    initial = {"language": user.preferred_language or translation.get_language()}
    if request.method == "POST":
        form = LanguageForm(request.POST)
        if form.is_valid():
            language = form.cleaned_data["language"]
            set_preferred_language(by=user, user=user, language=language)
            translation.activate(language)
            messages.success(request, _("Your preferred language is saved."))
            response = HttpResponseRedirect(reverse("profile"))
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language)
            return response
    else:
        form = LanguageForm(initial=initial)
    return render(
        request,
        "web/profile.html",
        {"form": form, "memberships": [g.membership for g in access.grants(user)]},
    )
