"""The registry search API counts its matches once: the answer's ``count`` and the search's
read-log record (decision 0030) share the same count query, and the number of queries does
not grow with the number of matches."""

from __future__ import annotations

from bloodline.audit.models import AuditEvent
from bloodline.donors.reads import SEARCH
from bloodline.lib.querycount import assert_flat, counted


def _count_queries(sql: list[str]) -> list[str]:
    return [q for q in sql if "COUNT(" in q.upper()]


def _search(client, q: str, **query: object):
    with counted() as queries:
        response = client.get("/api/v1/donors", {"q": q, **query})
    assert response.status_code == 200, response.content
    return response.json(), queries


def test_a_search_counts_its_matches_once_at_any_size(english, make_donor, demo):
    client = english("physician")
    for n in range(2):
        make_donor(full_name=f"Đỗ Văn Đếm {n}")
    for n in range(20):
        make_donor(full_name=f"Lê Thị Đếm {n}")
    small, few = _search(client, "do van dem")
    large, many = _search(client, "le thi dem")
    assert (small["count"], large["count"]) == (2, 20)
    assert len(_count_queries(few.sql)) == 1
    assert len(_count_queries(many.sql)) == 1
    assert_flat(few, many, sizes=(2, 20))
    logged = AuditEvent.objects.filter(action=SEARCH).order_by("pk")
    assert [e.changes["results"] for e in logged] == [[None, 2], [None, 20]]


def test_the_logged_total_is_all_matches_not_the_page(english, make_donor, demo):
    for n in range(3):
        make_donor(full_name=f"Phan Văn Trang {n}")
    answer, _ = _search(english("physician"), "phan van trang", limit=1)
    assert answer["count"] == 3 and len(answer["items"]) == 1
    assert AuditEvent.objects.get(action=SEARCH).changes["results"] == [None, 3]


def test_a_list_without_words_logs_no_search(english, demo):
    answer, queries = _search(english("physician"), "  ")
    assert answer == {"items": [], "count": 0}
    assert len(_count_queries(queries.sql)) <= 1
    assert not AuditEvent.objects.filter(action=SEARCH).exists()
