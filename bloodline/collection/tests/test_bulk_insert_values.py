"""``bulk.insert_values`` (decision 0045, Speed): rows COPYed from plain values get every column
a save of a new instance gives them: encrypted phone and number, their blind indexes, defaults,
``auto_now_add`` times, on PostgreSQL (COPY) and SQLite (bulk_create) alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

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
