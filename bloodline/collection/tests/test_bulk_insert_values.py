"""``bulk.insert_values`` (decision 0045, Speed): rows COPYed from plain values get every column
a save of a new instance gives them: encrypted phone and number, their blind indexes, defaults,
``auto_now_add`` times, on PostgreSQL (COPY) and SQLite (bulk_create) alike."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import F

from bloodline.donors.models import Donor, IdentityDocument, number_index, phone_index
from bloodline.donors.search import by_identity_number
from bloodline.lib import bulk

NUMBER = "001090123456"  # generated: a man born in 1990 (vn_citizen_identity_card)


def _raw(table: str, column: str, pk: int) -> str:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_inserted_values_are_what_a_save_writes() -> None:
    saved = Donor.objects.create(full_name="Saved One", phone="+84912345678")
    pks = bulk.insert_values(
        Donor,
        [
            {"full_name": "Copied One", "phone": "+84912345678", "name_key": "copiedone"},
            {"full_name": "Copied Two", "phone": "", "name_key": "copiedtwo"},
        ],
    )
    one, two = (Donor.objects.get(pk=pk) for pk in pks)
    assert one.phone == saved.phone == "+84912345678"
    assert one.phone_index == saved.phone_index == phone_index("+84912345678") != ""
    assert _raw("donors_donor", "phone", one.pk).startswith("enc1:")
    assert (two.phone, two.phone_index) == ("", "")
    assert one.uuid != two.uuid != saved.uuid
    assert {(u.version, u.variant) for u in (one.uuid, two.uuid)} == {(4, uuid.RFC_4122)}
    assert (one.version, one.address, one.merged_into_id) == (1, "", None)


@pytest.mark.django_db
def test_rows_giving_different_columns_get_the_defaults_of_the_others() -> None:
    pks = bulk.insert_values(
        Donor,
        [
            {"full_name": "Only A Name"},
            {"full_name": "With An Address", "address": "1 Generated Street", "sex": "F"},
        ],
    )
    first, second = (Donor.objects.get(pk=pk) for pk in pks)
    assert (first.address, first.sex, first.version) == ("", "", 1)
    assert (second.address, second.sex) == ("1 Generated Street", "F")
    [document] = IdentityDocument.objects.filter(
        pk__in=bulk.insert_values(
            IdentityDocument,
            [
                {
                    "donor_id": second.pk,
                    "kind": "vn_citizen_identity_card",
                    "number": NUMBER,
                    "issuing_country": "VN",
                }
            ],
        )
    )
    assert document.number == NUMBER
    assert document.number_index == number_index(NUMBER)
    assert _raw("donors_identitydocument", "number", document.pk).startswith("enc1:")
    assert abs(document.created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert list(by_identity_number(NUMBER)) == [second]


@pytest.mark.django_db
def test_nothing_to_insert_is_no_query() -> None:
    assert bulk.insert_values(Donor, []) == []


def test_random_uuids_are_version_4_and_distinct() -> None:
    texts = bulk.uuid4_texts(5000)
    found = {uuid.UUID(text) for text in texts}
    assert len(found) == 5000
    assert {(u.version, u.variant) for u in found} == {(4, uuid.RFC_4122)}
    assert bulk.uuid4_texts(0) == []


@pytest.mark.django_db
def test_rows_sent_in_an_overlap_are_there_for_the_next_query() -> None:
    with bulk.Overlap() as overlap:
        pks = bulk.insert_values(
            Donor, [{"full_name": f"Overlap {i}", "name_key": f"overlap{i}"} for i in range(3)]
        )
        bulk.insert_values(
            IdentityDocument,
            [
                {
                    "donor_id": pks[0],
                    "kind": "vn_citizen_identity_card",
                    "number": NUMBER,
                    "issuing_country": "VN",
                }
            ],
            keys=False,
            overlap=overlap,
        )
        # The next statement waits for the COPY: the row is found, nothing is interleaved.
        assert [d.pk for d in by_identity_number(NUMBER)] == [pks[0]]
        bulk.insert_values(
            Donor, [{"full_name": "Last", "name_key": "last"}], keys=False, overlap=overlap
        )
    assert Donor.objects.filter(full_name="Last").count() == 1


@pytest.mark.django_db
def test_an_error_in_an_overlap_leaves_nothing() -> None:
    with pytest.raises(RuntimeError), transaction.atomic(), bulk.Overlap() as overlap:
        bulk.insert_values(
            Donor, [{"full_name": "Never Kept", "name_key": "neverkept"}], overlap=overlap
        )
        raise RuntimeError("the caller fails while the COPY is in flight")
    assert not Donor.objects.filter(full_name="Never Kept").exists()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_copy_refused_by_the_server_fails_the_next_statement() -> None:
    import psycopg

    same = str(uuid.uuid4())
    rows = [{"full_name": n, "name_key": n, "uuid": same} for n in ("twin", "twin")]
    with (
        pytest.raises(psycopg.errors.UniqueViolation),
        transaction.atomic(),
        bulk.Overlap() as overlap,
    ):
        bulk.insert_values(Donor, rows, keys=False, overlap=overlap)
        Donor.objects.count()  # never answered: the COPY's error comes first
    assert not Donor.objects.filter(full_name="twin").exists()


@pytest.mark.django_db
def test_any_of_finds_what_in_finds(django_assert_num_queries: Any) -> None:
    pks = bulk.insert_values(
        Donor, [{"full_name": f"Any {i}", "name_key": f"any{i}"} for i in range(5)]
    )
    keys = ["any1", "any3", "nobody", None]
    found = set(Donor.objects.filter(bulk.AnyOf(F("name_key"), keys)).values_list("pk", flat=True))
    assert found == set(Donor.objects.filter(name_key__in=keys).values_list("pk", flat=True))
    assert found == {pks[1], pks[3]}
    with django_assert_num_queries(0):
        assert not Donor.objects.filter(bulk.AnyOf(F("pk"), [])).exists()
