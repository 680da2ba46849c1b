"""The progress page and API run as many queries for a district with 1,000 donations as for
one with 10: figures come from the day summaries (decision 0039), not from a loop or a
per-donation subquery."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from bloodline.demo.factories import collection as factories
from bloodline.lib.querycount import assert_flat, counted

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def give(demo, communes, count: int) -> None:
    """``count`` donations over the communes and over many days; half the donors come back."""
    people = factories.donors(count // 2, communes[0])
    for n in range(count):
        factories.donations(
            [people[n % len(people)]],
            credited_to=communes[n % len(communes)],
            establishment=demo.nodes["vn_centre"],
            at=dt.datetime(2026, 1 + n % 11, 1 + n % 27, 8 + n % 9, tzinfo=HCM),
            volume_ml=350,
        )


def measure(client, plan, node) -> tuple:
    with counted() as page:
        assert client.get(f"/plans/{plan.uuid}/progress/{node.uuid}/").status_code == 200
    with counted() as api:
        body = client.get(f"/api/v1/plans/{plan.uuid}/progress", {"node": str(node.uuid)})
    assert body.status_code == 200
    return page, api, body.json()


def test_progress_queries_do_not_grow_with_the_number_of_donations(plan, demo, communes, login):
    client = login("district_committee")
    district = demo.nodes["vn_dong"]
    give(demo, communes, 10)
    few_page, few_api, few = measure(client, plan, district)
    give(demo, communes, 990)
    many_page, many_api, many = measure(client, plan, district)
    assert_flat(few_page, many_page, sizes=(10, 1000))
    assert_flat(few_api, many_api, sizes=(10, 1000))
    assert (few["total"]["figures"]["bags"], many["total"]["figures"]["bags"]) == (10, 1000)
    # 5 + 495 people, each first counted once: the rest are repeat donations.
    assert many["total"]["figures"]["first_time"] == 500
    assert many["total"]["figures"]["donors"] == 500
