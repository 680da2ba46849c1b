"""Applies a signed-in person's preferred language and their establishment's time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

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
