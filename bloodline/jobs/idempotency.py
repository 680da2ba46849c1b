"""The same API write sent twice is done once (decision 0035).

A POST under /api/v1 by a signed-in caller is recorded with its answer for a short window
when it carries an Idempotency-Key header, or, without one, when it creates something of
which a second copy is never wanted (a donor, a registration: ``BY_CONTENT``; there the key
is the request itself: method, path, body and language). The record is inserted, in one
transaction with the work itself, before the view runs: a second copy of the request blocks
on the unique key until the first commits, and is then answered with the first answer.
Only a success is kept: a refusal or an error wrote nothing, so the next copy is judged
afresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.jobs.models import IdempotentRequest

API_PREFIX = "/api/v1/"
HEADER = "Idempotency-Key"
# How long an answer is replayed: a day for a key the client chose (its retries), a minute
# for a request recognised by its content (a double submit); engineering choices.
KEY_WINDOW = dt.timedelta(hours=24)
CONTENT_WINDOW = dt.timedelta(minutes=1)
MAX_KEY_LENGTH = 128


# Creates recognised by their content when no key is sent: a double submit of these makes a
# second donor or a second booking, never what anyone wants.
BY_CONTENT = (
    re.compile(r"^/api/v1/donors$"),
    re.compile(r"^/api/v1/drives/[^/]+/registrations$"),
    re.compile(r"^/api/v1/stations/[^/]+/check-in$"),
)


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    language = getattr(request, "LANGUAGE_CODE", "")
    for part in (request.method or "", request.get_full_path(), language, ""):
        digest.update(part.encode() + b"\0")
    try:
        digest.update(request.body)
    except RawPostDataException:  # a multipart upload already read as fields and files
        for name, values in sorted(request.POST.lists()):
            digest.update(f"{name}={values!r}".encode() + b"\0")
        for name, uploads in sorted(request.FILES.lists()):
            digest.update(name.encode() + b"\0")
            for upload in uploads:
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    return digest.hexdigest()


def _replay(row: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def _refuse(message: str) -> HttpResponse:
    item = {"loc": ["header", HEADER], "msg": message, "type": "idempotency_key"}
    return JsonResponse({"detail": [item]}, status=422)


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            request.method != "POST"
            or not request.path.startswith(API_PREFIX)
            or user is None
            or not user.is_authenticated
        ):
            return self.get_response(request)
        given = request.headers.get(HEADER, "")
        if not given and not any(p.match(request.path) for p in BY_CONTENT):
            return self.get_response(request)
        if len(given) > MAX_KEY_LENGTH:
            return _refuse(
                _("An Idempotency-Key can have at most %(n)s characters.") % {"n": MAX_KEY_LENGTH}
            )
        fingerprint = _fingerprint(request)
        key = f"k:{given}" if given else f"c:{fingerprint}"
        window = KEY_WINDOW if given else CONTENT_WINDOW
        caller = str(user.pk)
        with transaction.atomic():
            now = timezone.now()
            IdempotentRequest.objects.filter(created_at__lt=now - KEY_WINDOW).delete()
            IdempotentRequest.objects.filter(
                caller=caller, key=key, created_at__lt=now - window
            ).delete()
            try:
                with transaction.atomic():
                    row = IdempotentRequest.objects.create(
                        caller=caller,
                        key=key,
                        fingerprint=fingerprint,
                        created_at=now,
                        status=0,
                        content_type="",
                        body=b"",
                    )
            except IntegrityError:
                earlier = IdempotentRequest.objects.get(caller=caller, key=key)
                if earlier.fingerprint != fingerprint:
                    return _refuse(_("This Idempotency-Key was already used for another request."))
                return _replay(earlier)
            response = self.get_response(request)
            if not 200 <= response.status_code < 300 or response.streaming:
                # A refusal wrote nothing, so the next copy is judged afresh.
                row.delete()
                return response
            row.status = response.status_code
            row.content_type = response.get("Content-Type", "")
            row.body = response.content
            row.save(update_fields=["status", "content_type", "body"])
            return response
