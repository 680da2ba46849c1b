"""The distinct-donor counts of a progress report — the one figure still read from donations,
not from the day summaries — are bounded by the covering index on complete donations
(credited organisation, time) INCLUDE (donor, drive) on PostgreSQL (decision 0046): the
planner reads the node's entries of that index, never the donation table's other rows.

On a test-sized table a sequential scan is the cheapest plan, so scans are switched off for
the EXPLAIN (as the small-tree plan tests do): what is checked is that this index, and not
the wider (credited organisation, time) one with a visit to every row, can answer each query
alone. The crowd credited elsewhere in the province keeps the node's share of rows small."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bloodline.demo.factories import collection as factories
from bloodline.reports.progress import report

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
CROWD = 300


def test_distinct_donors_are_read_from_the_covering_index(plan, demo, communes):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no covering index: it reads donation_credit_time_idx")
    elsewhere = demo.nodes["vn_university"]  # in the province, outside the plan's district
    factories.donations(
        factories.donors(CROWD, elsewhere),
        credited_to=elsewhere,
        establishment=demo.nodes["vn_centre"],
        at=dt.datetime(2026, 3, 2, 9, tzinfo=HCM),
    )
    people = factories.donors(20, communes[0])
    for n, person in enumerate(people):
        factories.donations(
            [person],
            credited_to=communes[n % len(communes)],
            establishment=demo.nodes["vn_centre"],
            at=dt.datetime(2026, 1 + n % 11, 3, 9, tzinfo=HCM),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE collection_donation")
        cursor.execute("ANALYZE organisations_organisation")
    with CaptureQueriesContext(connection) as captured:
        made = report(plan, demo.nodes["vn_dong"])
    assert made.total.figures.donors == 20
    distinct = [q["sql"] for q in captured if "COUNT(DISTINCT" in q["sql"].upper()]
    assert len(distinct) == 3, distinct  # the period with its rounds, per branch, per drive
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in distinct:
            cursor.execute("EXPLAIN " + sql)
            shown = "\n".join(row[0] for row in cursor.fetchall())
            assert "donation_credit_donor_idx" in shown, shown
            assert "Seq Scan on collection_donation" not in shown, shown
