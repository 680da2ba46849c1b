"""The production URLs plus two bench-only endpoints that measure the same-run limits
(decision 0040): a minimal transactional POST and a GET by primary key, served by the same
gunicorn, middleware, session authentication and database as the endpoints benchmarked.
Only ``bench.settings`` routes here; ``bloodline.urls`` never includes these."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.http import Http404, HttpRequest
from django.urls import path
from ninja import NinjaAPI

from bloodline.donors.models import Donor
from bloodline.urls import urlpatterns as production

PROBE_TABLE = "bench_probe"


def signed_in(request: HttpRequest) -> Any:
    """The session's person, as for the real endpoints (no CSRF: the POST is a probe)."""
    return request.user if request.user.is_authenticated else None


bench_api = NinjaAPI(urls_namespace="bench", auth=signed_in, docs_url=None, openapi_url=None)


@bench_api.post("/probe")
def probe_write(request: HttpRequest) -> dict[str, int]:
    """One row written in one transaction: the floor under any transactional POST."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {PROBE_TABLE} (note) VALUES (%s) RETURNING id", ["probe"])  # noqa: S608
        (row_id,) = cursor.fetchone()
    return {"id": row_id}


@bench_api.get("/donors/{pk}")
def donor_by_pk(request: HttpRequest, pk: int) -> dict[str, Any]:
    """One donor row by primary key: the floor under any lookup that returns a donor."""
    row = Donor.objects.filter(pk=pk).values("id", "uuid", "abo_declared").first()
    if row is None:
        raise Http404
    return {"id": row["id"], "uuid": str(row["uuid"]), "abo": row["abo_declared"]}


urlpatterns = [*production, path("bench/", bench_api.urls)]
