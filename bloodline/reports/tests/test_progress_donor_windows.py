"""Distinct donors read from the tree's tally per plan window (decision 0052) are the
figures the live count gives, for every level, branch and round; the report reads a fixed
number of queries whatever the number of donations once the windows are counted."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from bloodline.collection import donor_windows
from bloodline.demo.factories import collection as factories
from bloodline.lib.querycount import assert_flat, counted
from bloodline.organisations.models import TallyWindow
from bloodline.reports import progress

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def give(demo, communes, count: int, people=None) -> list:
    """``count`` donations over the communes and the year; each donor gives about twice,
    in different communes and quarters."""
    people = people or factories.donors(max(1, count // 2), communes[0])
    for n in range(count):
        factories.donations(
            [people[n % len(people)]],
            credited_to=communes[(n * 7) % len(communes)],
            establishment=demo.nodes["vn_centre"],
            at=dt.datetime(2026, 1 + (n * 5) % 12, 1 + n % 27, 8 + n % 9, tzinfo=HCM),
            volume_ml=350,
        )
    return people


def donors(plan, node, round_=None) -> dict:
    r = progress.report(plan, node, round_)
    return {
        "total": r.total.figures.donors,
        "children": {c.organisation.pk: c.figures.donors for c in r.children},
        "direct": r.direct.figures.donors if r.direct else None,
        "rounds": {rd.pk: line.figures.donors for rd, line in r.by_round},
    }


def every_figure(plan, demo) -> list:
    nodes = [demo.nodes[k] for k in ("vn_province", "vn_dong", "vn_dong_c1", "vn_dong_c2")]
    figures = [donors(plan, node) for node in nodes]
    figures += [donors(plan, demo.nodes["vn_dong"], rd) for rd in plan.rounds.all()]
    return figures


def test_counted_windows_give_the_live_figures(plan, demo, communes):
    people = give(demo, communes, 60)
    assert TallyWindow.objects.filter(ready=False).count() == 5  # the year and four rounds
    live = every_figure(plan, demo)
    assert live[1]["total"] == 30 and sum(live[1]["rounds"].values()) > 30
    assert donor_windows.fill_due() == {"windows": 5}
    assert every_figure(plan, demo) == live
    # Recorded with the windows counted: the desk keeps them (repeat donors and new ones).
    give(demo, communes, 40, people=people[:10] + factories.donors(10, communes[2]))
    kept = every_figure(plan, demo)
    assert kept[1]["total"] == 40
    TallyWindow.objects.update(ready=False)  # counted live again
    assert every_figure(plan, demo) == kept


def test_progress_queries_stay_flat_with_counted_windows(plan, demo, communes, login):
    client = login("district_committee")
    district = demo.nodes["vn_dong"]

    def measure() -> tuple:
        with counted() as page:
            assert client.get(f"/plans/{plan.uuid}/progress/{district.uuid}/").status_code == 200
        with counted() as api:
            body = client.get(f"/api/v1/plans/{plan.uuid}/progress", {"node": str(district.uuid)})
        return page, api, body.json()["total"]["figures"]["donors"]

    def distinct_counts(queries) -> int:
        return sum("COUNT(DISTINCT" in sql.upper() for sql in queries.sql)

    give(demo, communes, 10)
    live_page, _api, _n = measure()
    donor_windows.fill_due()
    few_page, few_api, few = measure()
    # The total and the branches are read from the tally, not counted over donations (only
    # the page's drives still are).
    assert distinct_counts(live_page) - distinct_counts(few_page) == 2
    give(demo, communes, 990)
    many_page, many_api, many = measure()
    assert_flat(few_page, many_page, sizes=(10, 1000))
    assert_flat(few_api, many_api, sizes=(10, 1000))
    assert (few, many) == (5, 500)
