"""Subtree queries are bounded by the path index on SQLite and on PostgreSQL.

docs/decisions/0002-organisation-tree.md shows the plans these tests read.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from bloodline.organisations.kinds import Kind
from bloodline.organisations.models import Organisation, segment


def _wide_tree() -> Organisation:
    country = Organisation.objects.create(kind=Kind.COUNTRY, name="Plan land", path=segment(1))
    rows = []
    for p in range(20):
        province = segment(1) + segment(1000 + p)
        rows.append(
            Organisation(kind=Kind.PROVINCE, name=f"P{p}", parent=country, path=province, depth=1)
        )
        rows += [
            Organisation(
                kind=Kind.DISTRICT,
                name=f"D{p}-{d}",
                parent=country,
                path=province + segment(5000 + d),
                depth=2,
            )
            for d in range(150)
        ]
    Organisation.objects.bulk_create(rows)
    return Organisation.objects.get(name="P7")


def _plan(sql: str, params: list[Any], small_table: bool = False) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE organisations_organisation")
            if small_table:
                # On a table of a few dozen rows a scan is cheapest; forbid it to show that
                # the index can bound the query, as it must on a full-size tree.
                cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


@pytest.mark.django_db
def test_a_subtree_query_uses_the_path_index_and_not_a_table_scan():
    root = _wide_tree()
    sql, params = Organisation.objects.subtree(root).values("pk").query.sql_with_params()
    # 3,020 rows: PostgreSQL's planner may still find a scan cheapest (seen after the
    # registry's fields were added); the index must be able to bound the query.
    plan = _plan(sql, list(params), small_table=True)
    print("PLAN-SUBTREE", plan)
    assert "path" in plan.lower(), plan
    if connection.vendor == "postgresql":
        assert "Index" in plan and "Seq Scan" not in plan, plan
    else:
        assert (
            "USING" in plan and "INDEX" in plan and "SCAN organisations_organisation" not in plan
        ), plan
    assert Organisation.objects.subtree(root).count() == 151


def test_an_ancestor_query_uses_the_primary_key_index(demo):
    leaf = demo.nodes["vn_garment_union"]
    sql, params = Organisation.objects.ancestors_of(leaf).values("pk").query.sql_with_params()
    plan = _plan(sql, list(params), small_table=True)
    print("PLAN-ANCESTORS", plan)
    if connection.vendor == "postgresql":
        assert "Index" in plan and "Seq Scan" not in plan, plan
    else:
        assert "PRIMARY KEY" in plan, plan
    names = [o.name for o in Organisation.objects.ancestors_of(leaf)]
    assert names == [
        "Việt Nam",
        "Tỉnh Bình Minh",
        "Huyện Đông Giang",
        "Công ty TNHH May mặc Đông Giang",
    ]
