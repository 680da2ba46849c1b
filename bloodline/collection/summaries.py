"""Day summaries of credited donations and first-time flags (decision 0039).

Plan progress reads ``DailyCredit`` rows, never donations. Every writer of donations keeps
them in its own transaction:

- ``recorded(donations)`` after donations are created (the recording action, the demo and
  the generated data of ``demo.factories``);
- ``tally(donations, into=)`` then ``add_to_days`` once, for a writer recording many batches
  in one transaction (the registry import, decision 0045);
- ``refresh_first_time(donor_ids)`` after donations move between donors (a merge, through
  ``Donation.objects.donors_changed``): a donor's first donation may change;
- the windows' distinct donors (decision 0052): ``recorded`` counts them; a merge takes
  ``reach_before`` and gives it back to ``reach_after``; a bulk writer calls
  ``stale_windows`` and the worker counts the windows again.

Changes are deltas applied with ``F()`` to one row per (credited organisation, day, drive),
so two desks recording at once add up instead of overwriting each other. ``recompute``
derives the same rows from raw donations, for the backfill migration and for
``manage.py check_progress_summaries``; it takes the models as arguments so the migration
can pass its historical ones.

A donation's day is its local date in the credited organisation's time zone (its own, else
its nearest ancestor's, else the deployment's). First-time: a complete donation with no
complete donation of the same donor strictly earlier — the rule progress always used.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncDate

from bloodline.organisations import tally as tree_tally
from bloodline.organisations.models import TallyWindow, path_pks

Key = tuple[int, dt.date, int | None]  # credited organisation, day, drive
Parts = tuple[int, int, int, int]  # donations, bags, mL, first-time
Deltas = dict[Key, list[int]]  # what to add to each day row, in the order of PARTS
PARTS = ("donations", "bags", "ml", "first_time")
COMPLETE = Q(outcome="complete")
WHOLE_BLOOD = Q(donation_type="whole_blood")
CHUNK = 500
FEW_ROWS = 50  # more day rows than this at once are written in bulk (see _apply)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def zones_of(org_ids: Iterable[int], organisations: Any = None) -> dict[int, zoneinfo.ZoneInfo]:
    """Each organisation's effective time zone, in two queries per chunk of organisations."""
    if organisations is None:
        from bloodline.organisations.models import Organisation as organisations
    found: dict[int, zoneinfo.ZoneInfo] = {}
    for chunk in chunks(sorted(set(org_ids))):
        chain = {
            pk: path_pks(path)
            for pk, path in organisations.objects.filter(pk__in=chunk).values_list("pk", "path")
        }
        above = sorted({p for pks in chain.values() for p in pks})
        named = dict(
            organisations.objects.filter(pk__in=above)
            .exclude(time_zone="")
            .values_list("pk", "time_zone")
        )
        for pk, pks in chain.items():
            name = next((named[p] for p in reversed(pks) if p in named), settings.TIME_ZONE)
            found[pk] = zoneinfo.ZoneInfo(name)
    return found


def _model(name: str) -> Any:
    from django.apps import apps

    return apps.get_model("collection", name)


def _kept_rows(daily: Any, keys: Sequence[Key]) -> dict[Key, int]:
    """The primary keys of the day rows kept for ``keys``, in one query per chunk of them."""
    found: dict[Key, int] = {}
    for chunk in chunks(sorted(keys, key=str)):
        days = [k[1] for k in chunk]
        rows = daily.objects.filter(
            credited_to_id__in={k[0] for k in chunk}, day__gte=min(days), day__lte=max(days)
        ).values_list("credited_to_id", "day", "drive_id", "pk")
        found.update({(o, d, dr): pk for o, d, dr, pk in rows})
    return found


def _apply(deltas: dict[Key, list[int]]) -> None:
    """Add the deltas to their day rows with ``F()``, so concurrent writers add up. A few
    rows (a desk recording a donation) are got or created one by one, which is safe against a
    desk creating the same row at the same moment. Many (a registry import's chunk brings
    thousands of past days at once) are read in one query and the missing ones created in one
    bulk insert: a row created meanwhile by another writer fails the whole import, which is
    then rolled back, never half-applied (decision 0045)."""
    daily = _model("DailyCredit")
    changes = {k: v for k, v in deltas.items() if any(v)}
    # The same changes at every level of the tree (decision 0049).
    tree_tally.add({k: dict(zip(PARTS, v, strict=True)) for k, v in changes.items()})
    if len(changes) <= FEW_ROWS:
        for (org, day, drive), change in sorted(changes.items(), key=lambda kv: str(kv[0])):
            row, _created = daily.objects.get_or_create(credited_to_id=org, day=day, drive_id=drive)
            daily.objects.filter(pk=row.pk).update(
                **{name: F(name) + amount for name, amount in zip(PARTS, change, strict=True)}
            )
        return
    kept = _kept_rows(daily, list(changes))
    daily.objects.bulk_create(
        [
            daily(credited_to_id=org, day=day, drive_id=drive, **dict(zip(PARTS, v, strict=True)))
            for (org, day, drive), v in sorted(changes.items(), key=lambda kv: str(kv[0]))
            if (org, day, drive) not in kept
        ],
        batch_size=1000,
    )
    _add_to_rows(daily, [(kept[k], *v) for k, v in changes.items() if k in kept])


def _add_to_rows(daily: Any, rows: list[tuple[int, ...]]) -> None:
    """Add (pk, donations, bags, mL, first-time) to existing day rows, one UPDATE … FROM
    VALUES per chunk (PostgreSQL and SQLite ≥ 3.33 both read it)."""
    from django.db import connection

    quote = connection.ops.quote_name
    table = quote(daily._meta.db_table)
    sets = ", ".join(f"{quote(p)} = {table}.{quote(p)} + v.{quote(p)}" for p in PARTS)
    names = ", ".join(quote(n) for n in ("id", *PARTS))
    for chunk in chunks(sorted(rows)):
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
        # Names from the model's own metadata, quoted; every value is a parameter.
        sql = (
            f"WITH v({names}) AS (VALUES {values}) "  # noqa: S608
            f"UPDATE {table} SET {sets} FROM v WHERE {table}.{quote('id')} = v.{quote('id')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [x for row in chunk for x in row])


def _key(credited_to_id: int, collected_at: dt.datetime, drive_id: int | None, zones: Any) -> Key:
    return (credited_to_id, collected_at.astimezone(zones[credited_to_id]).date(), drive_id)


def tally(donations: Iterable[Any], into: dict[Key, list[int]] | None = None) -> Deltas:
    """What new donations (with their primary keys) add to their day rows, added to ``into``
    when given: a caller recording many batches in one transaction (a registry import) adds
    them up and writes the day rows once with ``add_to_days``."""
    complete = [d for d in donations if d.outcome == "complete"]
    zones = zones_of(d.credited_to_id for d in complete)
    deltas: Deltas = defaultdict(lambda: [0, 0, 0, 0]) if into is None else into
    for d in complete:
        whole = d.donation_type == "whole_blood"
        change = (1, int(whole), (d.bag_volume_ml or 0) if whole else 0, int(d.first_time))
        key = _key(d.credited_to_id, d.collected_at, d.drive_id, zones)
        row = deltas.get(key) or [0, 0, 0, 0]
        deltas[key] = [a + b for a, b in zip(row, change, strict=True)]
    return deltas


def add_to_days(deltas: Deltas) -> None:
    """Write what ``tally`` (and ``refresh_first_time(…, into=)``) added up."""
    _apply(deltas)


def recorded(donations: Iterable[Any]) -> None:
    """New donations (saved, with their primary keys): add the complete ones to their day's
    row, settle their donors' first-time flags and count them in the windows' donors."""
    made = list(donations)
    _apply(tally(made))
    refresh_first_time({d.donor_id for d in made})
    _donors_joined([d for d in made if d.outcome == "complete"])


def refresh_first_time(donor_ids: Iterable[int], into: Deltas | None = None) -> None:
    """Set each donation's first-time flag from its donor's complete donations and move the
    first-time count between day rows where a flag changed (added to ``into`` instead, when
    given, for ``add_to_days`` to write with the rest)."""
    donation = _model("Donation")
    ids = sorted(set(donor_ids))
    rows = list(
        donation.objects.filter(donor_id__in=ids)
        .filter(COMPLETE | Q(first_time=True))
        .values_list(
            "pk", "donor_id", "collected_at", "first_time", "outcome", "credited_to_id", "drive_id"
        )
    )
    earliest: dict[int, dt.datetime] = {}
    for _pk, donor, at, _first, outcome, _org, _drive in rows:
        if outcome == "complete" and (donor not in earliest or at < earliest[donor]):
            earliest[donor] = at
    flips = [
        row for row in rows if (row[4] == "complete" and row[2] == earliest.get(row[1])) != row[3]
    ]
    if not flips:
        return
    zones = zones_of(row[5] for row in flips)
    deltas: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for _pk, _donor, at, was_first, outcome, org, drive in flips:
        if outcome == "complete":
            deltas[_key(org, at, drive, zones)][3] += -1 if was_first else 1
    donation.objects.filter(pk__in=[r[0] for r in flips if not r[3]]).update(first_time=True)
    donation.objects.filter(pk__in=[r[0] for r in flips if r[3]]).update(first_time=False)
    if into is None:
        _apply(deltas)
    else:
        for key, change in deltas.items():
            row = into.get(key) or [0, 0, 0, 0]
            into[key] = [a + b for a, b in zip(row, change, strict=True)]


# Distinct donors per window (decision 0052). A donor's *reach* is the (window, node) pairs
# their complete donations cover: a change adds its donors' reach after it less their reach
# before it. A writer locks the windows it adds to (``tally.windows_covering``) so that a
# fill (``donor_windows.fill``) never runs between its reading of a window and its commit.

Reach = Counter[tuple[int, int]]  # (window, node) -> donors
SLACK = dt.timedelta(days=1)  # a UTC date is within a day of any local date


def _dates(instants: Iterable[dt.datetime]) -> tuple[dt.date, dt.date] | None:
    days = [at.date() for at in instants]
    if not days:
        return None
    return min(days) - SLACK, max(days) + SLACK


def _locked(first_last: tuple[dt.date, dt.date] | None) -> dict[int, TallyWindow]:
    """The ready windows over these days, locked against a fill until the writer commits."""
    if first_last is None:
        return {}
    return {w.pk: w for w in tree_tally.windows_covering(*first_last) if w.ready}


def reach(
    donor_ids: Iterable[int], windows: Mapping[int, TallyWindow], exclude: Iterable[int] = ()
) -> Reach:
    """How many of these donors each (window, node) counts, from their complete donations
    (less ``exclude``, donations not yet counted), in one query and the zones' two."""
    ids = sorted(set(donor_ids))
    if not windows or not ids:
        return Counter()
    rows = list(
        _model("Donation")
        .objects.filter(COMPLETE, donor_id__in=ids)
        .exclude(pk__in=list(exclude))
        .values_list("donor_id", "credited_to_id", "collected_at", "credited_to__path")
    )
    zones = zones_of({r[1] for r in rows})
    spans = [(pk, w.start, w.end) for pk, w in windows.items()]
    covered: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for donor, org, at, path in rows:
        day = at.astimezone(zones[org]).date()
        nodes = path_pks(path)
        for pk, start, end in spans:
            if start <= day <= end:
                covered[donor].update((pk, node) for node in nodes)
    return Counter(pair for pairs in covered.values() for pair in pairs)


def _add(before: Reach, after: Reach, windows: Mapping[int, TallyWindow]) -> None:
    change = {k: after[k] - before[k] for k in set(before) | set(after) if after[k] != before[k]}
    if change:
        tree_tally.add_donors(change, windows)


def _donors_joined(complete: list[Any]) -> None:
    """New complete donations (saved): their donors join the windows' distinct-donor counts
    where they had not given yet."""
    windows = _locked(_dates(d.collected_at for d in complete))
    if not windows:
        return
    donors = {d.donor_id for d in complete}
    new = [d.pk for d in complete]
    _add(reach(donors, windows, exclude=new), reach(donors, windows), windows)


Before = tuple[list[int], dict[int, TallyWindow], Reach]


def reach_before(donor_ids: Iterable[int]) -> Before:
    """Before donations move between these donors (a merge): their reach as it stands."""
    ids = sorted(set(donor_ids))
    instants = (
        _model("Donation")
        .objects.filter(COMPLETE, donor_id__in=ids)
        .values_list("collected_at", flat=True)
    )
    windows = _locked(_dates(instants))
    return ids, windows, reach(ids, windows)


def reach_after(before: Before) -> None:
    """After the move: the counts follow the donors' reach as it now is."""
    ids, windows, was = before
    _add(was, reach(ids, windows), windows)


def stale_windows(first: dt.date, last: dt.date) -> int:
    """A bulk writer touched these days: their windows are counted again by the worker."""
    return tree_tally.mark_stale(
        TallyWindow.objects.filter(start__lte=last + SLACK, end__gte=first - SLACK)
    )


def _earlier(donations: Any) -> Any:
    return donations.objects.filter(
        COMPLETE, donor=OuterRef("donor"), collected_at__lt=OuterRef("collected_at")
    )


def recompute(donations: Any, organisations: Any) -> dict[Key, Parts]:
    """The day rows as raw donations give them, first-time by the raw rule (not the flags)."""
    credited = donations.objects.filter(COMPLETE).values_list("credited_to_id", flat=True)
    zones = zones_of(credited.distinct().order_by(), organisations)
    by_zone: dict[str, list[int]] = defaultdict(list)
    for org, zone in zones.items():
        by_zone[zone.key].append(org)
    found: dict[Key, Parts] = {}
    for name, orgs in sorted(by_zone.items()):
        for chunk in chunks(orgs):
            rows = (
                donations.objects.filter(COMPLETE, credited_to_id__in=chunk)
                .annotate(day=TruncDate("collected_at", tzinfo=zoneinfo.ZoneInfo(name)))
                .values("credited_to_id", "day", "drive_id")
                .annotate(
                    n=Count("id"),
                    bags=Count("id", filter=WHOLE_BLOOD),
                    ml=Coalesce(Sum("bag_volume_ml", filter=WHOLE_BLOOD), 0),
                    first=Count("id", filter=~Q(Exists(_earlier(donations)))),
                )
                .order_by()
            )
            for r in rows:
                key = (r["credited_to_id"], r["day"], r["drive_id"])
                found[key] = (r["n"], r["bags"], r["ml"], r["first"])
    return found


def stored(daily: Any) -> dict[Key, Parts]:
    """The day rows as kept (rows left at zero by a merge count as absent)."""
    return {
        (r[0], r[1], r[2]): (r[3], r[4], r[5], r[6])
        for r in daily.objects.exclude(donations=0).values_list(
            "credited_to_id", "day", "drive_id", *PARTS
        )
    }


def wrong_flags(donations: Any) -> list[tuple[str, bool]]:
    """Donations whose stored first-time flag is not what the raw rule gives: (DIN, stored)."""
    rows = donations.objects.annotate(earlier=Exists(_earlier(donations))).filter(
        Q(COMPLETE, earlier=False, first_time=False)
        | Q(first_time=True) & (~COMPLETE | Q(earlier=True))
    )
    return list(rows.order_by("pk").values_list("din", "first_time"))


def differences(
    expected: dict[Key, Parts], kept: dict[Key, Parts]
) -> list[tuple[Key, Parts | None, Parts | None]]:
    """(key, kept, expected) for every row that differs, in a stable order."""
    keys = sorted(set(expected) | set(kept), key=lambda k: (k[0], k[1], k[2] or 0))
    return [(k, kept.get(k), expected.get(k)) for k in keys if kept.get(k) != expected.get(k)]


def rebuild(donations: Any, organisations: Any, daily: Any) -> None:
    """Set every flag and every day row from raw donations (the backfill; the check's
    ``--repair``). Batched so it runs on a large history."""
    last = donations.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    step = 5000
    for low in range(0, last + 1, step):
        window = donations.objects.filter(pk__gte=low, pk__lt=low + step)
        first = list(
            window.filter(COMPLETE)
            .annotate(earlier=Exists(_earlier(donations)))
            .filter(earlier=False)
            .values_list("pk", flat=True)
        )
        window.filter(first_time=True).update(first_time=False)
        for chunk in chunks(first):
            donations.objects.filter(pk__in=chunk).update(first_time=True)
    daily.objects.all().delete()
    daily.objects.bulk_create(
        (
            daily(credited_to_id=k[0], day=k[1], drive_id=k[2], **dict(zip(PARTS, v, strict=True)))
            for k, v in recompute(donations, organisations).items()
        ),
        batch_size=1000,
    )


def day_rows(daily: Any, **where: Any) -> Iterator[tuple[Key, dict[str, int]]]:
    """The kept day rows (those ``where`` selects) as the measures the tree's tally adds up
    (decision 0049)."""
    for org, day, drive, *parts in (
        daily.objects.filter(**where)
        .values_list("credited_to_id", "day", "drive_id", *PARTS)
        .iterator(chunk_size=5000)
    ):
        yield (org, day, drive), dict(zip(PARTS, parts, strict=True))


def own_rows(organisation_id: int) -> Iterator[tuple[Key, dict[str, int]]]:
    """The day rows credited to one organisation (``tally.moved`` takes them along)."""
    return day_rows(_model("DailyCredit"), credited_to_id=organisation_id)
