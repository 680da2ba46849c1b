"""Distinct donors per plan window, counted from raw donations (decision 0052).

For each window (``organisations.TallyWindow``: a plan's period or a round) and each node of
the tree, the tally keeps how many distinct donors gave at least one complete donation
credited in the node's subtree on a day of the window — the node's own credits included, so
a unit has its count too. A donation's day is its local day in the credited organisation's
zone, as for the day summaries (0039).

Writers keep the counts in their own transaction (``collection.summaries``: each donor's
reach before and after the change). This module counts them from raw donations: ``fill``
(the worker, for a new window or one a bulk change made stale), ``counted`` / ``kept`` /
``differences`` (``check_progress_summaries`` and the tests) and ``refill_all`` (its
``--repair``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from bloodline.collection.models import Donation
from bloodline.collection.summaries import COMPLETE, zones_of
from bloodline.organisations import tally as tree_tally
from bloodline.organisations.models import DONORS, Organisation, Tally, TallyWindow

# Counting from raw donations: the fill, the check and the tests.

LEVELS = 16  # deeper than any tree (country, province, district, commune, unit…)


def _pairs_sql(window: TallyWindow) -> tuple[str, list[Any]]:
    """(credited organisation, donor) of the window's complete donations, each pair once, as
    SQL: the window's instants differ by the credited organisation's zone."""

    by_zone: dict[str, list[int]] = defaultdict(list)
    credited = Organisation.objects.values_list("pk", flat=True)
    for org, zone in zones_of(credited).items():
        by_zone[zone.key].append(org)
    if not by_zone:
        return "SELECT 1 AS org, 1 AS donor WHERE 1 = 0", []
    ordered = sorted(by_zone.items(), key=lambda kv: (-len(kv[1]), kv[0]))

    def span(name: str) -> Q:
        zone = zoneinfo.ZoneInfo(name)
        since = dt.datetime.combine(window.start, dt.time.min, tzinfo=zone)
        until = dt.datetime.combine(window.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return Q(collected_at__gte=since, collected_at__lt=until)

    (most, _orgs), others = ordered[0], ordered[1:]
    others_ids = [org for _name, orgs in others for org in orgs]
    where = span(most) & ~Q(credited_to_id__in=others_ids) if others_ids else span(most)
    for name, orgs in others:
        where |= span(name) & Q(credited_to_id__in=orgs)
    query = (
        Donation.objects.filter(COMPLETE)
        .filter(where)
        .values_list("credited_to_id", "donor_id")
        .distinct()
        .order_by()
    )
    sql, params = query.query.sql_with_params()
    return sql, list(params)


def _counts_sql(window: TallyWindow) -> tuple[str, list[Any]]:
    """Per node: how many distinct donors gave under it in the window. Each pair is spread
    to the credited organisation and every node above it by the path's segments."""
    pairs, params = _pairs_sql(window)
    org = connection.ops.quote_name(Organisation._meta.db_table)
    return (
        # Our tables, our columns; every value is a parameter.
        f"WITH RECURSIVE lv(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM lv WHERE k < {LEVELS}), "  # noqa: S608
        f"pairs(org, donor) AS ({pairs}) "
        f"SELECT anc.id, COUNT(DISTINCT p.donor) FROM pairs p "
        f"JOIN {org} o ON o.id = p.org "
        f"JOIN lv ON lv.k * 8 <= LENGTH(o.path) "
        f"JOIN {org} anc ON anc.path = SUBSTR(o.path, 1, lv.k * 8) "
        f"GROUP BY anc.id",
        params,
    )


def counted(window: TallyWindow) -> dict[int, int]:
    """{node: distinct donors} of the window, from raw donations."""
    sql, params = _counts_sql(window)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {node: n for node, n in cursor.fetchall() if n}


def kept(window: TallyWindow) -> dict[int, int]:
    """{node: distinct donors} of the window, as the tally keeps them."""
    sums: dict[int, int] = defaultdict(int)
    for node, amount in Tally.objects.filter(day=window.start, measure=window.measure).values_list(
        "node_id", "amount"
    ):
        sums[node] += amount
    return {k: v for k, v in sums.items() if v}


def fill(window_pk: int) -> bool:
    """Count one window again from raw donations, holding it against writers meanwhile.
    False when the window is already ready or gone."""
    with transaction.atomic():
        window = TallyWindow.objects.select_for_update().filter(pk=window_pk, ready=False).first()
        if window is None:
            return False
        Tally.objects.filter(day=window.start, measure=window.measure).delete()
        tree_tally._insert(
            {(node, window.start, None, window.measure): n for node, n in counted(window).items()},
            settled=True,
        )
        TallyWindow.objects.filter(pk=window.pk).update(ready=True)
    return True


def fill_due() -> dict[str, int]:
    """The worker's job: fill every window that is not ready."""
    done = 0
    for pk in TallyWindow.objects.filter(ready=False).order_by("pk").values_list("pk", flat=True):
        done += fill(pk)
    return {"windows": done}


def differences() -> list[tuple[str, int, int | None, int | None]]:
    """(window, node, kept, counted) for every ready window's count that differs."""
    found = []
    for window in TallyWindow.objects.filter(ready=True).order_by("start", "end"):
        have, want = kept(window), counted(window)
        for node in sorted(set(have) | set(want)):
            if have.get(node) != want.get(node):
                found.append((window.measure, node, have.get(node), want.get(node)))
    return found


def refill_all() -> int:
    """Count every window again (the check's ``--repair``), and drop rows of windows that
    are no longer kept."""
    known = {w.measure for w in TallyWindow.objects.all()}
    Tally.objects.filter(measure__startswith=DONORS).exclude(measure__in=known).delete()
    TallyWindow.objects.update(ready=False)
    return fill_due()["windows"]


def register() -> None:
    from bloodline.jobs import queue

    queue.register(tree_tally.FILL_JOB, fill_due, every=tree_tally.FILL_EVERY)
