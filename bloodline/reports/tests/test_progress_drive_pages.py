"""Progress lists the drives of the period a page at a time, newest first: a province has
thousands of drives a year, and the page and the API answer as fast with many drives as with
few (decision 0047)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from bloodline.demo.factories import collection as factories
from bloodline.drives.models import Drive, DriveStatus
from bloodline.drives.tests.conftest import make_drive, users
from bloodline.lib.querycount import assert_flat, counted
from bloodline.reports import progress

__all__ = ["make_drive", "users"]
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def drives_with_donations(demo, make_drive, count: int, first_day: int = 1) -> list[Drive]:
    """``count`` drives in March 2026, one day apart, two donations credited at each."""
    made = []
    for n in range(count):
        day = dt.date(2026, 3, first_day + n)
        drive = make_drive(DriveStatus.PROPOSED, title=f"Ngày hội {day:%d/%m}", starts_on=day)
        factories.donations(
            factories.donors(2, demo.nodes["vn_dong_c1"]),
            credited_to=demo.nodes["vn_dong_c1"],
            establishment=demo.nodes["vn_centre"],
            at=dt.datetime(2026, 3, first_day + n, 9, tzinfo=HCM),
            drive=drive,
        )
        made.append(drive)
    return made


def api(client, plan, node, **params):
    answer = client.get(f"/api/v1/plans/{plan.uuid}/progress", {"node": str(node.uuid), **params})
    return answer


def test_the_drives_come_a_page_at_a_time_newest_first(plan, demo, make_drive, login, monkeypatch):
    monkeypatch.setattr(progress, "DRIVES_PER_PAGE", 2)
    made = drives_with_donations(demo, make_drive, 3)
    client = login("district_committee")
    district = demo.nodes["vn_dong"]
    first = api(client, plan, district).json()
    assert [d["drive"] for d in first["drives"]] == [str(made[2].uuid), str(made[1].uuid)]
    assert (first["drives_total"], first["drives_page"], first["drives_per_page"]) == (3, 1, 2)
    assert first["drives"][0]["figures"]["donations"] == 2
    second = api(client, plan, district, drives_page=2).json()
    assert [d["drive"] for d in second["drives"]] == [str(made[0].uuid)]
    # Every drive is on exactly one page; the node's totals do not depend on the page.
    assert second["total"] == first["total"] and first["total"]["figures"]["donations"] == 6
    beyond = api(client, plan, district, drives_page=3).json()
    assert (beyond["drives"], beyond["drives_total"]) == ([], 3)
    assert api(client, plan, district, drives_page=0).status_code == 422

    client.cookies["django_language"] = "en"
    page = client.get(f"/plans/{plan.uuid}/progress/{district.uuid}/", {"drives": "2"})
    html = page.content.decode()
    assert "Page 2 of 2 (3 drives, newest first)" in html
    assert "drives=1" in html and "Newer drives" in html and "Older drives" not in html
    assert made[0].title in html and made[2].title not in html
    # Not a page number: the first page, not an error.
    assert (
        made[2].title
        in client.get(
            f"/plans/{plan.uuid}/progress/{district.uuid}/", {"drives": "x"}
        ).content.decode()
    )


def test_the_answer_takes_as_many_queries_for_many_drives_as_for_few(plan, demo, make_drive, login):
    client = login("district_committee")
    district = demo.nodes["vn_dong"]
    drives_with_donations(demo, make_drive, 1)

    def measure():
        with counted() as page:
            assert client.get(f"/plans/{plan.uuid}/progress/{district.uuid}/").status_code == 200
        with counted() as answer:
            assert api(client, plan, district).status_code == 200
        return page, answer

    few_page, few_api = measure()
    drives_with_donations(demo, make_drive, 10, first_day=2)
    many_page, many_api = measure()
    assert_flat(few_page, many_page, sizes=(1, 11))
    assert_flat(few_api, many_api, sizes=(1, 11))
    assert api(client, plan, district).json()["drives_total"] == 11
