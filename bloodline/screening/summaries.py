"""Day summaries of presentations and deferrals (decision 0047), the screening half of what
plan progress reads instead of raw rows (the donation half: ``collection.summaries``,
decision 0039).

A presentation counts for the organisation fixed on it at check-in (``credited_to``: the unit
that mobilised the registration, else the donor's own unit), on its arrival day in that
organisation's time zone, at its drive. Every writer keeps the rows in its own transaction:

- ``presented(presentation)`` when a donor is checked in;
- ``deferred(presentation, codes)`` when the physician defers (the only way a presentation
  ends deferred), with the reason codes of its deferral records.

Changes are ``F()`` deltas on one row per key, so two desks add up instead of overwriting each
other. ``recompute`` derives the same rows from raw presentations and deferrals for the
backfill migration and ``manage.py check_progress_summaries``; it takes the models as
arguments so the migration can pass its historical ones.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from bloodline.collection.summaries import chunks, zones_of
from bloodline.organisations import tally

Key = tuple[int, dt.date, int]  # credited organisation, day, drive
ReasonKey = tuple[int, dt.date, int, str]
Counts = tuple[int, int]  # presented, deferred
DEFERRED = Q(step="deferred")


def _model(name: str) -> Any:
    from django.apps import apps

    return apps.get_model("screening", name)


def _key(presentation: Any) -> Key | None:
    org = presentation.credited_to_id
    if org is None:
        return None
    day = presentation.arrived_at.astimezone(zones_of([org])[org]).date()
    return (org, day, presentation.drive_id)


def _add(model: Any, where: dict[str, Any], **amounts: int) -> None:
    row, _created = model.objects.get_or_create(**where)
    model.objects.filter(pk=row.pk).update(**{k: F(k) + v for k, v in amounts.items()})


def presented(presentation: Any) -> None:
    """A donor was checked in: one more presentation on the day's row."""
    key = _key(presentation)
    if key is not None:
        _add(_model("DailyScreening"), _where(key), presented=1)
        tally.add({key: {"presented": 1}})


def deferred(presentation: Any, codes: Iterable[str]) -> None:
    """A presentation ended deferred: one more deferral on its day's row, and one more
    presentation for each distinct reason code of its deferral records."""
    key = _key(presentation)
    if key is None:
        return
    _add(_model("DailyScreening"), _where(key), deferred=1)
    for code in sorted(set(codes)):
        _add(_model("DailyDeferralReason"), {**_where(key), "code": code}, presentations=1)
    # The same at every level of the tree (decision 0049).
    tally.add({key: {"deferred": 1, **{tally.reason_measure(c): 1 for c in set(codes)}}})


def _where(key: Key) -> dict[str, Any]:
    return {"credited_to_id": key[0], "day": key[1], "drive_id": key[2]}


def recompute(
    presentations: Any, deferrals: Any, organisations: Any
) -> tuple[dict[Key, Counts], dict[ReasonKey, int]]:
    """The day rows as raw presentations and deferrals give them."""
    credited = presentations.objects.exclude(credited_to=None).values_list(
        "credited_to_id", flat=True
    )
    zones = zones_of(credited.distinct().order_by(), organisations)
    by_zone: dict[str, list[int]] = defaultdict(list)
    for org, zone in zones.items():
        by_zone[zone.key].append(org)
    days: dict[Key, Counts] = {}
    reasons: dict[ReasonKey, int] = {}
    for name, orgs in sorted(by_zone.items()):
        tz = zoneinfo.ZoneInfo(name)
        for chunk in chunks(orgs):
            for r in (
                presentations.objects.filter(credited_to_id__in=chunk)
                .annotate(day=TruncDate("arrived_at", tzinfo=tz))
                .values("credited_to_id", "day", "drive_id")
                .annotate(n=Count("id"), deferred=Count("id", filter=DEFERRED))
                .order_by()
            ):
                days[(r["credited_to_id"], r["day"], r["drive_id"])] = (r["n"], r["deferred"])
            for r in (
                deferrals.objects.filter(
                    presentation__step="deferred", presentation__credited_to_id__in=chunk
                )
                .annotate(day=TruncDate("presentation__arrived_at", tzinfo=tz))
                .values("presentation__credited_to_id", "day", "presentation__drive_id", "code")
                .annotate(n=Count("presentation", distinct=True))
                .order_by()
            ):
                key = (
                    r["presentation__credited_to_id"],
                    r["day"],
                    r["presentation__drive_id"],
                    r["code"],
                )
                reasons[key] = r["n"]
    return days, reasons


def stored(daily: Any, reasons: Any) -> tuple[dict[Key, Counts], dict[ReasonKey, int]]:
    """The rows as kept (rows at zero count as absent)."""
    days = {
        (r[0], r[1], r[2]): (r[3], r[4])
        for r in daily.objects.exclude(presented=0, deferred=0).values_list(
            "credited_to_id", "day", "drive_id", "presented", "deferred"
        )
    }
    kept = {
        (r[0], r[1], r[2], r[3]): r[4]
        for r in reasons.objects.exclude(presentations=0).values_list(
            "credited_to_id", "day", "drive_id", "code", "presentations"
        )
    }
    return days, kept


def differences(expected: dict[Any, Any], kept: dict[Any, Any]) -> list[tuple[Any, Any, Any]]:
    """(key, kept, expected) for every row that differs, in a stable order."""
    keys = sorted(set(expected) | set(kept), key=str)
    return [(k, kept.get(k), expected.get(k)) for k in keys if kept.get(k) != expected.get(k)]


def rebuild(
    presentations: Any, deferrals: Any, organisations: Any, daily: Any, reasons: Any
) -> None:
    """Set every row from raw presentations and deferrals (the backfill; ``--repair``)."""
    days, codes = recompute(presentations, deferrals, organisations)
    daily.objects.all().delete()
    reasons.objects.all().delete()
    daily.objects.bulk_create(
        (
            daily(credited_to_id=k[0], day=k[1], drive_id=k[2], presented=v[0], deferred=v[1])
            for k, v in days.items()
        ),
        batch_size=1000,
    )
    reasons.objects.bulk_create(
        (
            reasons(credited_to_id=k[0], day=k[1], drive_id=k[2], code=k[3], presentations=n)
            for k, n in codes.items()
        ),
        batch_size=1000,
    )


def day_rows(daily: Any, reasons: Any, **where: Any) -> Iterator[tuple[Key, dict[str, int]]]:
    """The kept presentation and reason rows (those ``where`` selects) as the measures the
    tree's tally adds up (decision 0049)."""
    for org, day, drive, presented_n, deferred_n in (
        daily.objects.filter(**where)
        .values_list("credited_to_id", "day", "drive_id", "presented", "deferred")
        .iterator(chunk_size=5000)
    ):
        yield (org, day, drive), {"presented": presented_n, "deferred": deferred_n}
    for org, day, drive, code, n in (
        reasons.objects.filter(**where)
        .values_list("credited_to_id", "day", "drive_id", "code", "presentations")
        .iterator(chunk_size=5000)
    ):
        yield (org, day, drive), {tally.reason_measure(code): n}


def own_rows(organisation_id: int) -> Iterator[tuple[Key, dict[str, int]]]:
    """The rows credited to one organisation (``tally.moved`` takes them along)."""
    return day_rows(
        _model("DailyScreening"), _model("DailyDeferralReason"), credited_to_id=organisation_id
    )


def every_day_row(
    credits: Any = None, daily: Any = None, reasons: Any = None
) -> Iterator[tuple[tally.Where, dict[str, int]]]:
    """Every kept day row of both halves (donations, presentations and their reasons) as
    the measures the tree's tally adds up: what ``tally.expected`` and ``tally.rebuild``
    read (decision 0049). The models are arguments for the backfill migration."""
    from bloodline.collection import summaries as collection_summaries

    yield from collection_summaries.day_rows(credits or _collection_model("DailyCredit"))
    yield from day_rows(daily or _model("DailyScreening"), reasons or _model("DailyDeferralReason"))


def _collection_model(name: str) -> Any:
    from django.apps import apps

    return apps.get_model("collection", name)
