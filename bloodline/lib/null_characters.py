"""Refuse the NUL character (\\x00) in any request input before it reaches the database.

PostgreSQL cannot store NUL in text and raised a 500 for a name or a search containing one
(decision 0035). One middleware checks query parameters, form fields and JSON bodies: the API
answers 422 with the declared error shape at the offending place; a page answers the site's
400 page saying what to remove. It runs after sign-in and the person's language are known, so
the page has its navigation and both answers are in the reader's language.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
NUL = "\x00"


def _in_json(value: Any, loc: list[str | int]) -> Iterator[list[str | int]]:
    if isinstance(value, str):
        if NUL in value:
            yield loc
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in str(key):
                yield [*loc, str(key).replace(NUL, "")]
            yield from _in_json(item, [*loc, str(key)])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _in_json(item, [*loc, index])


def _json_body(request: HttpRequest) -> Any:
    if not (request.content_type or "").endswith("json"):
        return None
    body = request.body
    if b"\\u0000" not in body and b"\x00" not in body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None  # Not JSON: the view answers that itself.


def found_in(request: HttpRequest) -> list[str | int] | None:
    """Where the first NUL character in the request's input is, or None."""
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in v for v in values):
            return ["query", name.replace(NUL, "")]
    if request.method in {"POST", "PUT", "PATCH"}:
        if request.content_type in {"multipart/form-data", "application/x-www-form-urlencoded"}:
            for name, values in request.POST.lists():
                if NUL in name or any(NUL in v for v in values):
                    return ["form", name.replace(NUL, "")]
        for loc in _in_json(_json_body(request), ["body"]):
            return loc
    return None


class NullCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        loc = found_in(request)
        if loc is None:
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            message = _("Text cannot contain the null character.")
            item = {"loc": loc, "msg": message, "type": "null_character"}
            return JsonResponse({"detail": [item]}, status=422)
        reason = _(
            "The request contained a character that cannot be stored (NUL). "
            "Remove it and try again."
        )
        return render(request, "400.html", {"reason": reason}, status=400)
