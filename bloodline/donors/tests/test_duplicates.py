"""Finding people already on record: exactly by identity document, fuzzily by name, date of
birth and phone. A shared family phone alone is not a duplicate."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bloodline.donors import actions
from bloodline.donors.duplicates import candidates_for, find_candidates
from bloodline.donors.models import Donor

BORN = dt.date(1992, 5, 17)


@pytest.fixture
def hoa(make_donor):
    return make_donor(full_name="Nguyễn Thị Hoa", date_of_birth=BORN, sex="F", phone="0912 345 678")


@pytest.mark.parametrize(
    ("name", "born", "phone", "reason"),
    [
        ("NGUYEN THI HOA", BORN, "", "name_and_date_of_birth"),
        ("nguyễn thị hoa", BORN, "", "name_and_date_of_birth"),
        ("Nguyen Thihoa", BORN, "", "name_and_date_of_birth"),
        ("Nguyễn  Thị   Hoa", BORN, "", "name_and_date_of_birth"),
        ("Nguyen Thi Hoa", dt.date(1992, 5, 18), "+84912345678", "phone_and_name"),
        ("Hoa Nguyễn", BORN, "+84912345678", "phone_and_date_of_birth"),
        ("Nguyen Thi Hoa", dt.date(1992, 5, 18), "", None),  # another birthday, no phone
        ("Nguyễn Văn Nam", dt.date(1960, 1, 1), "+84912345678", None),  # family phone only
        ("Nguyễn Thị Hoa", None, "+84987654321", None),
    ],
)
def test_it_finds_the_same_person_written_differently(hoa, name, born, phone, reason):
    found = find_candidates(full_name=name, date_of_birth=born, phone=phone, registry=hoa.registry)
    assert [(c.donor, c.reason) for c in found] == ([(hoa, reason)] if reason else [])


def test_it_finds_records_whose_phone_was_stored_in_national_form(hoa):
    hoa.phone = "0912345678"  # written before normalising
    hoa.save(update_fields=["phone"])
    found = find_candidates(
        full_name="Nguyen Thi Hoa",
        date_of_birth=None,
        phone="+84912345678",
        registry=hoa.registry,
    )
    assert [c.reason for c in found] == ["phone_and_name"]


def test_an_identity_document_is_an_exact_match(nurse, hoa, make_donor):
    actions.add_identity_document(
        by=nurse, donor=hoa, kind="passport", number="C7654321", issuing_country="VN"
    )
    found = find_candidates(
        full_name="Somebody Else",
        date_of_birth=None,
        documents=[("passport", "C7654321")],
        registry=hoa.registry,
    )
    assert [(c.donor, c.reason) for c in found] == [(hoa, "identity_document")]


def test_merged_records_are_not_candidates(nurse, hoa, make_donor):
    twin = make_donor(full_name="NGUYEN THI HOA", date_of_birth=BORN, sex="F", phone="")
    actions.merge_donors(by=nurse, keep=hoa, duplicate=twin, reason="Cùng một người")
    assert [
        c.donor
        for c in find_candidates(
            full_name="Nguyen Thi Hoa", date_of_birth=BORN, registry=hoa.registry
        )
    ] == [hoa]


def test_a_donors_candidates_leave_out_the_donor(hoa, make_donor):
    twin = make_donor(full_name="NGUYEN THI HOA", date_of_birth=BORN, sex="F", phone="")
    assert [c.donor for c in candidates_for(hoa)] == [twin]


def test_creating_a_possible_duplicate_needs_a_confirmation(nurse, hoa):
    person: dict[str, Any] = {
        "full_name": "Nguyen Thi Hoa",
        "date_of_birth": BORN,
        "sex": "F",
        "region": "VN",
    }
    with pytest.raises(actions.PossibleDuplicate) as exc:
        actions.create_donor(by=nurse, **person)
    assert [c.donor for c in exc.value.candidates] == [hoa]
    assert "confirmed_distinct" in exc.value.message_dict
    assert Donor.objects.count() == 1
    actions.create_donor(by=nurse, confirmed_distinct=True, **person)
    assert Donor.objects.count() == 2
