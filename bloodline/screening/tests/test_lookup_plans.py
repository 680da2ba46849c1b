"""Each exact lookup is one indexed query, and the name search has its trigram index on
PostgreSQL (decision 0041). The plans read the queries the lookup really runs, narrowed to
the drive nurse's registry, over a few thousand generated donors: enough that the planner
picks the index itself (nothing is forced off, unlike the small-tree plan tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet

from bloodline.demo.factories import collection as factories
from bloodline.donors import access, actions
from bloodline.donors.models import DocumentKind, Donor, IdentityDocument
from bloodline.donors.names import name_key
from bloodline.donors.search import by_identity_number, by_name, by_phone, findable
from bloodline.donors.tests.conftest import vn_number
from bloodline.screening.lookup import by_din

BORN = dt.date(1988, 3, 9)
TABLES = ("donors_donor", "donors_identitydocument", "collection_donation")


def _plan(queryset: QuerySet[Any]) -> str:
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows just inserted wait in the GIN index's pending list, which every search
            # reads in full; autovacuum moves them into the index in a live database.
            cursor.execute("SELECT gin_clean_pending_list('donor_name_key_trgm'::regclass)")
            for table in TABLES:
                cursor.execute(f"ANALYZE {table}")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


CROWD = 3000  # enough rows that the planner's own choice shows, without forcing it


def _crowd(registry: Any, centre: Any, at: dt.datetime) -> None:
    """Generated people of the same registry, each with a phone, a document and a donation,
    so the planner has a table where a scan costs what it would at full size."""
    people = Donor.objects.bulk_create(
        Donor(
            full_name=f"Người Thử {i}",
            # bulk_create skips save(), which sets the key: a bulk loader must set it too,
            # or every keyless row is read by the fallback on the name as written.
            name_key=name_key(f"Người Thử {i}"),
            phone=f"+8490{i:07d}",
            registry=registry,
            sex="M",
            date_of_birth=BORN,
        )
        for i in range(CROWD)
    )
    IdentityDocument.objects.bulk_create(
        IdentityDocument(donor=p, kind=DocumentKind.OTHER, number=f"T{i:08d}", issuing_country="VN")
        for i, p in enumerate(people)
    )
    factories.donations(people, credited_to=centre, establishment=centre, at=at)


@pytest.fixture
def world(demo: Any, users: dict[str, Any]) -> dict[str, Any]:
    nurse = users["drive_nurse"]
    donor = actions.create_donor(
        by=nurse,
        full_name="Phạm Thị Kế Hoạch",
        date_of_birth=BORN,
        sex="F",
        phone="0944 555 666",
        region="VN",
        confirmed_distinct=True,
    )
    number = vn_number(BORN, "F", tail="135791")
    actions.add_identity_document(
        by=nurse, donor=donor, kind=DocumentKind.VN_CITIZEN_IDENTITY_CARD, number=number
    )
    centre = demo.nodes["vn_centre"]
    at = dt.datetime(2026, 1, 5, 3, tzinfo=dt.UTC)
    [given] = factories.donations([donor], credited_to=centre, establishment=centre, at=at)
    _crowd(donor.registry, centre, at)
    people = access.visible(findable(), nurse)
    return {"donor": donor, "number": number, "din": given.din, "people": people}


def _uses(plan: str, index: str, table: str) -> None:
    if connection.vendor == "postgresql":
        assert index in plan and f"Seq Scan on {table}" not in plan, plan
        assert "Seq Scan on donors_donor" not in plan, plan
    else:
        assert index in plan, plan
        assert "SCAN donors_donor" not in plan.replace("SCAN donors_donor USING", ""), plan


def test_a_lookup_by_identity_number_probes_the_number_index(world):
    found = by_identity_number(world["number"].lower(), world["people"])
    assert list(found) == [world["donor"]]
    plan = _plan(found)
    print("PLAN-IDENTITY", plan)
    _uses(plan, "identity_document_number_idx", "donors_identitydocument")


def test_a_lookup_by_phone_probes_the_phone_index(world):
    found = by_phone("0944555666", "VN", world["people"])
    assert list(found) == [world["donor"]]
    plan = _plan(found)
    print("PLAN-PHONE", plan)
    _uses(plan, "donor_phone_index_idx", "donors_donor")


def test_a_lookup_by_din_probes_the_unique_din_index(world):
    found = by_din("=" + world["din"] + "00", world["people"])
    assert list(found) == [world["donor"]]
    plan = _plan(found)
    print("PLAN-DIN", plan)
    index = "collection_donation_din" if connection.vendor == "postgresql" else "(din=?)"
    _uses(plan, index, "collection_donation")


def test_the_name_search_uses_the_trigram_index_on_postgresql(world):
    found = by_name("pham thi ke", world["people"])
    assert list(found) == [world["donor"]]
    assert list(by_name("KẾ HOẠCH", world["people"])) == [world["donor"]]
    assert list(by_name("hoach", world["people"])) == [world["donor"]]
    assert list(by_name("hoạch phạm", world["people"])) == []
    plan = _plan(found)
    print("PLAN-NAME", plan)
    if connection.vendor == "postgresql":
        assert "donor_name_key_trgm" in plan and "Seq Scan on donors_donor" not in plan, plan
    else:
        # SQLite has no trigram index: the same condition, answered by a scan.
        assert "donors_donor" in plan


def test_bulk_loaded_records_without_their_key_are_still_found(world):
    Donor.objects.filter(pk=world["donor"].pk).update(name_key="")
    assert list(by_name("Kế Hoạch", world["people"])) == [world["donor"]]
