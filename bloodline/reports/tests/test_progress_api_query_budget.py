"""The progress API answers in a fixed number of queries for the whole request: the session,
the person, their scope (re-read on every request), the plan, the node and the rollup, for a
district and for a commune alike (issue 14: what B4 pays on every request besides the rollup)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from bloodline.demo.factories import collection as factories
from bloodline.drives.models import DriveStatus
from bloodline.drives.tests.conftest import make_drive, users
from bloodline.lib.querycount import counted

__all__ = ["make_drive", "users"]
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

# Before the rollup, 8: the session, the person, their memberships (the scope), the time zone
# of their first membership's organisation, the plan, the node, the node's time zone and the
# plan's rounds. The rollup, 14: units and targets, summaries, kept windows, distinct donors
# (two queries while the tally does not keep the window, as here), deferrals by branch, the
# drive page (two), the node's reasons, round targets, and the page's drive figures, donors,
# deferrals and reasons.
REQUEST_QUERIES = 22


def give_at_drives(demo, make_drive, commune, days: int) -> None:
    for n in range(days):
        drive = make_drive(
            DriveStatus.PROPOSED, title=f"Drive {n}", starts_on=dt.date(2026, 3, 1 + n)
        )
        factories.donations(
            factories.donors(2, commune),
            credited_to=commune,
            establishment=demo.nodes["vn_centre"],
            at=dt.datetime(2026, 3, 1 + n, 9, tzinfo=HCM),
            drive=drive,
        )


def test_the_progress_api_answers_a_node_within_a_fixed_query_budget(
    plan, demo, make_drive, login, django_assert_max_num_queries
):
    commune = demo.nodes["vn_dong_c1"]
    give_at_drives(demo, make_drive, commune, 3)
    client = login("district_committee")
    for node in (demo.nodes["vn_dong"], commune):
        url = f"/api/v1/plans/{plan.uuid}/progress"
        client.get(url, {"node": str(node.uuid)})  # the first request may write the session
        with django_assert_max_num_queries(REQUEST_QUERIES):
            answer = client.get(url, {"node": str(node.uuid)})
        assert answer.status_code == 200
        body = answer.json()
        assert body["total"]["figures"]["donations"] == 6
        assert body["drives_total"] == 3


def test_the_progress_api_does_not_save_the_session_on_every_request(plan, demo, make_drive, login):
    give_at_drives(demo, make_drive, demo.nodes["vn_dong_c1"], 1)
    client = login("district_committee")
    url = f"/api/v1/plans/{plan.uuid}/progress"
    node = {"node": str(demo.nodes["vn_dong"].uuid)}
    client.get(url, node)
    with counted() as queries:
        assert client.get(url, node).status_code == 200
    writes = [q for q in queries.sql if q.lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert writes == []
