"""Applies a signed-in person's preferred language and their establishment's time zone."""

from __future__ import annotations

import time
import zoneinfo
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from bloodline.organisations import access


class UserPreferencesMiddleware:
    """Language: an explicit choice in this browser (the language cookie) wins, then the
    person's saved preference, then the browser's Accept-Language (LocaleMiddleware).
    Time zone: that of the organisation of the person's first current membership."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            preferred = getattr(user, "preferred_language", "")
            if preferred and not self._language_chosen(request):
                translation.activate(preferred)
                request.LANGUAGE_CODE = preferred
            person_grants = access.grants(user)
            if person_grants:
                zone = person_grants[0].membership.organisation.effective_time_zone()
                timezone.activate(zoneinfo.ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    @staticmethod
    def _language_chosen(request: HttpRequest) -> bool:
        """A choice made for this request: the language cookie of this browser, or, for the
        API, the client's Accept-Language (API answers are in the request's language)."""
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return True
        return request.path.startswith("/api/") and "HTTP_ACCEPT_LANGUAGE" in request.META


class IdleTimeoutMiddleware:
    """Signs a person out after ``SESSION_IDLE_TIMEOUT`` minutes without a request, or
    ``SESSION_IDLE_TIMEOUT_STATION`` minutes when the last page they opened was a shared
    station page (``SESSION_STATION_PATHS``): a screen left open at a drive is a screen anyone
    can use. The session remembers when it was last used and which limit applied then
    (decision 0031). The next page says why the person was signed out."""

    LAST_SEEN = "idle_last_seen"
    LIMIT = "idle_limit_minutes"
    WRITE_EVERY = 60  # seconds: do not rewrite the session on every request

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.get_response(request)
        now = int(time.time())
        session = request.session
        last_seen = session.get(self.LAST_SEEN)
        limit = int(session.get(self.LIMIT) or settings.SESSION_IDLE_TIMEOUT)
        if last_seen is not None and now - int(last_seen) > limit * 60:
            return self._signed_out(request, limit)
        current = self._limit_for(request.path)
        if last_seen is None or now - int(last_seen) >= self.WRITE_EVERY or current != limit:
            session[self.LAST_SEEN] = now
            session[self.LIMIT] = current
        return self.get_response(request)

    @staticmethod
    def _limit_for(path: str) -> int:
        if any(path.startswith(prefix) for prefix in settings.SESSION_STATION_PATHS):
            return int(settings.SESSION_IDLE_TIMEOUT_STATION)
        return int(settings.SESSION_IDLE_TIMEOUT)

    def _signed_out(self, request: HttpRequest, minutes: int) -> HttpResponse:
        logout(request)
        if request.path.startswith("/api/"):
            return self.get_response(request)  # now anonymous: the API answers 401
        messages.info(
            request,
            ngettext(
                "You were signed out after %(minutes)d minute without activity.",
                "You were signed out after %(minutes)d minutes without activity.",
                minutes,
            )
            % {"minutes": minutes},
        )
        target = reverse("login")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            # A redirect would be followed by the XHR and swapped into the page: ask htmx to
            # load the sign-in page instead.
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return HttpResponseRedirect(target)
