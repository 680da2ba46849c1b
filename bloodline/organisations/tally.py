"""Figures added up at every level of the tree (decision 0049).

The day summaries (decisions 0039, 0047) keep one row per credited organisation, day and
drive. A province's progress would still read every unit's rows: about as many as there are
donations. ``Tally`` keeps the same changes at *every node above* the credited organisation,
so a node's figures are its own tally rows plus the day rows credited to the node itself, and
a report reads the rows of the node and of its children only. (The credited organisation's
own level is not copied: its day rows already are that level.)

- ``add(changes)``: what a day-summary writer just changed, ``{(organisation, day, drive):
  {measure: amount}}``, inserted as unsettled rows for every level. Inserts never wait on one
  another, so desks recording at the same time do not queue on a province's row.
- ``settle()``: folds each key's rows into one settled row (the worker runs it every minute;
  a figure is always the sum of all its key's rows, settled or not, so reading never waits).
- ``moved(...)``: a node moved under another parent takes its figures with it.
- ``expected(...)`` / ``kept()`` / ``differences`` / ``rebuild``: what the rows must be
  given the day summaries, what they are, and the repair (``check_progress_summaries``).

Distinct donors per window (decision 0052) live in the same table under ``donors:`` measures,
at the credited organisation *and* every node above it (a unit needs its own count too):
``want_window``, ``windows_covering`` (the writers' shared lock), ``add_donors`` and
``mark_stale``. The day-row functions above leave those measures alone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import connection, transaction

from bloodline.organisations.models import (
    DONORS,
    Organisation,
    Tally,
    TallyWindow,
    path_pks,
    window_measure,
)

Where = tuple[int, dt.date, int | None]  # credited organisation, day, drive
Key = tuple[int, dt.date, int | None, str]  # node, day, drive, measure
Changes = Mapping[Where, Mapping[str, int]]
REASON = "reason:"
SETTLE_BATCH = 5000  # keys folded per transaction
SETTLE_EVERY = dt.timedelta(minutes=1)
SETTLE_JOB = "organisations.settle_tally"


def reason_measure(code: str) -> str:
    """The measure that counts deferred presentations with this reason code."""
    return REASON + code


def _spread(changes: Changes, paths: Mapping[int, str]) -> dict[Key, int]:
    """The changes at every level of the tree, from the credited organisation up."""
    spread: dict[Key, int] = defaultdict(int)
    for (org, day, drive), amounts in changes.items():
        for node in path_pks(paths[org])[:-1]:  # the levels above the credited organisation
            for measure, amount in amounts.items():
                if amount:
                    spread[(node, day, drive, measure)] += amount
    return spread


def _insert(rows: Mapping[Key, int], settled: bool, model: Any = Tally) -> None:
    model.objects.bulk_create(
        [
            model(node_id=n, day=d, drive_id=dr, measure=m, amount=a, settled=settled)
            for (n, d, dr, m), a in sorted(rows.items(), key=lambda kv: str(kv[0]))
            if a
        ],
        batch_size=1000,
    )


def add(changes: Changes) -> None:
    """Add what a day-summary writer changed to the credited organisations and every node
    above them: one query for their paths, one insert. Runs in the writer's transaction."""
    wanted = {k: v for k, v in changes.items() if any(v.values())}
    if not wanted:
        return
    paths = dict(
        Organisation.objects.filter(pk__in={k[0] for k in wanted}).values_list("pk", "path")
    )
    _insert(_spread(wanted, paths), settled=False)


# The day rows credited to one organisation, as measures: registered by the apps that keep
# day summaries (collection, screening), which sit above this one.
OwnRows = Callable[[int], Iterable[tuple[Where, Mapping[str, int]]]]
SOURCES: list[OwnRows] = []


def register_source(rows: OwnRows) -> None:
    if rows not in SOURCES:
        SOURCES.append(rows)


def moved(node: Organisation, old_parent_path: str, new_parent_path: str) -> None:
    """``node`` moved from under one parent to another: its figures (its tally rows and the
    day rows credited to it) leave the ancestors it left and join the ones it joined. Runs in
    the move's transaction."""
    left = set(path_pks(old_parent_path)) - set(path_pks(new_parent_path))
    joined = set(path_pks(new_parent_path)) - set(path_pks(old_parent_path))
    if not left and not joined:
        return
    own: dict[tuple[dt.date, int | None, str], int] = defaultdict(int)
    # Distinct donors do not move by addition: a donor may also have given elsewhere under
    # the old or the new ancestors. The windows this node has donors in are counted again.
    mark_stale(
        TallyWindow.objects.filter(
            measure_in(
                Tally.objects.filter(node=node, measure__startswith=DONORS).values_list(
                    "measure", flat=True
                )
            )
        )
    )
    for day, drive, measure, amount in (
        Tally.objects.filter(node=node)
        .exclude(measure__startswith=DONORS)
        .values_list("day", "drive_id", "measure", "amount")
    ):
        own[(day, drive, measure)] += amount
    for source in SOURCES:
        for (_org, day, drive), amounts in source(node.pk):
            for measure, amount in amounts.items():
                own[(day, drive, measure)] += amount
    rows: dict[Key, int] = {}
    for (day, drive, measure), amount in own.items():
        for above in left:
            rows[(above, day, drive, measure)] = -amount
        for above in joined:
            rows[(above, day, drive, measure)] = amount
    _insert(rows, settled=False)


def _fold(ids: list[int]) -> dict[Key, int]:
    """Delete these rows and return what they added up to, per key. ``RETURNING`` gives
    exactly the rows this transaction deleted: a row another settle took first is not
    counted twice (PostgreSQL, and SQLite ≥ 3.35)."""
    table = connection.ops.quote_name(Tally._meta.db_table)
    sums: dict[Key, int] = defaultdict(int)
    with connection.cursor() as cursor:
        for i in range(0, len(ids), 1000):
            chunk = ids[i : i + 1000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN ({marks}) "  # noqa: S608 - our table
                "RETURNING node_id, day, drive_id, measure, amount",
                chunk,
            )
            for node, day, drive, measure, amount in cursor.fetchall():
                if isinstance(day, str):  # SQLite returns the date as text
                    day = dt.date.fromisoformat(day)
                sums[(node, day, drive, measure)] += amount
    return sums


def settle(batch: int = SETTLE_BATCH) -> int:
    """Fold up to ``batch`` unsettled rows, with the settled rows of the same keys, into one
    settled row per key (none when they add up to zero). Reads the unsettled rows from their
    partial index and only the settled rows of those exact nodes, days and measures.
    Returns how many keys were folded."""
    unsettled = list(
        Tally.objects.filter(settled=False).values_list(
            "pk", "node_id", "day", "drive_id", "measure"
        )[:batch]
    )
    if not unsettled:
        return 0
    keys = {tuple(key) for _pk, *key in unsettled}
    with transaction.atomic():
        settled = Tally.objects.filter(
            settled=True,
            node_id__in={k[0] for k in keys},
            day__in={k[1] for k in keys},
            measure__in={k[3] for k in keys},
        ).values_list("pk", "node_id", "day", "drive_id", "measure")
        ids = [pk for pk, *_key in unsettled]
        ids += [pk for pk, *key in settled if tuple(key) in keys]
        _insert(_fold(ids), settled=True)
    return len(keys)


def settle_all() -> dict[str, int]:
    """Settle until nothing is left unsettled (the worker's job; the bench after loading)."""
    folded = 0
    while n := settle():
        folded += n
    return {"keys": folded}


def expected(
    day_rows: Iterable[tuple[Where, Mapping[str, int]]], organisations: Any = Organisation
) -> dict[Key, int]:
    """What the rows must add up to, from the day summaries' rows as kept. (The models are
    arguments so the backfill migration can pass its historical ones.)"""
    changes: dict[Where, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for where, amounts in day_rows:
        for measure, amount in amounts.items():
            changes[where][measure] += amount
    paths = dict(organisations.objects.values_list("pk", "path"))
    return {k: v for k, v in _spread(changes, paths).items() if v}


def kept() -> dict[Key, int]:
    """What the rows add up to, per key (keys adding up to zero count as absent)."""
    sums: dict[Key, int] = defaultdict(int)
    for node, day, drive, measure, amount in (
        Tally.objects.exclude(measure__startswith=DONORS)
        .values_list("node_id", "day", "drive_id", "measure", "amount")
        .iterator(chunk_size=5000)
    ):
        sums[(node, day, drive, measure)] += amount
    return {k: v for k, v in sums.items() if v}


def differences(expect: dict[Key, int], have: dict[Key, int]) -> list[tuple[Key, Any, Any]]:
    """(key, kept, expected) for every key that differs, in a stable order."""
    keys = sorted(set(expect) | set(have), key=str)
    return [(k, have.get(k), expect.get(k)) for k in keys if have.get(k) != expect.get(k)]


def rebuild(
    day_rows: Iterable[tuple[Where, Mapping[str, int]]],
    organisations: Any = Organisation,
    model: Any = Tally,
) -> None:
    """Replace every row with settled rows computed from the day summaries (the backfill,
    and the check's ``--repair``)."""
    rows = expected(day_rows, organisations)
    model.objects.exclude(measure__startswith=DONORS).delete()
    _insert(rows, settled=True, model=model)


# Distinct donors per window (decision 0052).

DonorKey = tuple[int, int]  # window, node
FILL_EVERY = dt.timedelta(minutes=1)
FILL_JOB = "collection.fill_donor_windows"


def want_window(start: dt.date, end: dt.date) -> TallyWindow:
    """Keep the distinct donors of this period from now on (a plan or a round was made or
    its dates changed). A new window is filled by the worker; reports count live until then."""
    window, _created = TallyWindow.objects.get_or_create(start=start, end=end)
    return window


def measure_in(measures: Iterable[str]) -> Any:
    """The windows whose donor measures are among ``measures``."""
    from django.db.models import Q

    where = Q(pk__in=[])
    for measure in set(measures):
        start, end = measure[len(DONORS) :].split("/")
        where |= Q(start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end))
    return where


def windows_covering(first: dt.date, last: dt.date) -> list[TallyWindow]:
    """The windows that overlap ``first``–``last``, locked against a fill for the rest of
    the writer's transaction (``FOR SHARE`` on PostgreSQL: writers do not wait on one
    another, only on a fill or a ``mark_stale`` of the same window; SQLite has one writer at a
    time anyway). A writer adds its donors only to the windows that are ready."""
    windows = TallyWindow.objects.filter(start__lte=last, end__gte=first).order_by("pk")
    if connection.features.has_select_for_update:
        table = connection.ops.quote_name(TallyWindow._meta.db_table)
        return list(
            TallyWindow.objects.raw(
                f'SELECT id, start, "end", ready FROM {table} '  # noqa: S608 - our table
                'WHERE start <= %s AND "end" >= %s ORDER BY id FOR SHARE',
                [last, first],
            )
        )
    return list(windows)


def add_donors(changes: Mapping[DonorKey, int], windows: Mapping[int, TallyWindow]) -> None:
    """Add distinct-donor changes ``{(window, node): amount}`` as unsettled rows."""
    rows: dict[Key, int] = {}
    for (window, node), amount in changes.items():
        w = windows[window]
        rows[(node, w.start, None, window_measure(w.start, w.end))] = amount
    _insert(rows, settled=False)


def mark_stale(windows: Any) -> int:
    """These windows' donor counts must be counted again (a bulk import, a moved node): the
    worker fills them, and reports count live until it has."""
    return int(windows.filter(ready=True).update(ready=False))
