"""One person, one donor record: people already on record are found, not added again."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from bloodline.accounts.system import system_actor
from bloodline.donors.models import Donor
from bloodline.drives import actions
from bloodline.organisations.actions import create_organisation
from bloodline.organisations.kinds import Kind
from bloodline.organisations.models import Organisation


def _person(**values):
    person: dict[str, Any] = {
        "full_name": "Nguyễn Thị Hoa",
        "date_of_birth": dt.date(1992, 7, 14),
        "sex": "F",
        "phone": "0912 345 678",
    }
    person.update(values)
    country = Organisation.objects.filter(kind=Kind.COUNTRY, official_code="VN").first()
    if country is None:
        country = create_organisation(
            by=system_actor(), parent=None, kind=Kind.COUNTRY, name="Việt Nam", official_code="VN"
        )
    return actions.find_or_create_donor(by=system_actor(), region="VN", registry=country, **person)


def test_the_same_name_and_date_of_birth_reuse_the_donor(db):
    first = _person()
    again = _person(phone="")
    assert first.created and not again.created
    assert again.is_duplicate and again.matched_on == "identity"
    assert again.donor == first.donor and Donor.objects.count() == 1


def test_the_same_phone_and_date_of_birth_reuse_the_donor(db):
    first = _person()
    again = _person(full_name="Nguyễn T. Hoa", phone="0912-345-678")
    assert again.matched_on == "phone" and again.donor == first.donor
    assert first.donor.phone == "+84912345678"  # E.164, read in the establishment's country


def test_a_shared_family_phone_alone_is_not_a_duplicate(db):
    first = _person()
    sister = _person(
        full_name="Nguyễn Thị Lan", date_of_birth=dt.date(1999, 2, 3), phone="0912-345-678"
    )
    assert sister.created and sister.donor != first.donor


def test_a_different_person_gets_a_record_of_their_own(db):
    first = _person()
    other = _person(full_name="Nguyễn Thị Hoa", date_of_birth=dt.date(1993, 7, 14), phone="")
    assert other.created and other.donor != first.donor


def test_names_are_kept_as_written_in_one_unicode_form(db):
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Thị Hoa")
    first = _person(full_name=decomposed, phone="")
    assert first.donor.full_name == "Nguyễn Thị Hoa"
    assert _person(phone="").donor == first.donor


def test_registering_someone_already_on_record_warns_the_organiser(demo, make_drive, register):
    drive = make_drive()
    register(drive, full_name="Hoàng Văn Dũng", date_of_birth=dt.date(1985, 2, 2))
    other = make_drive()
    result = register(other, full_name="Hoàng Văn Dũng", date_of_birth=dt.date(1985, 2, 2))
    assert result.match.is_duplicate
    assert "already on record" in actions.duplicate_warning(result)
    assert Donor.objects.filter(full_name="Hoàng Văn Dũng").count() == 1


def test_accents_and_case_do_not_make_a_new_person(db):
    first = _person()
    again = _person(full_name="NGUYEN THI HOA", phone="")
    assert not again.created and again.donor == first.donor


def test_an_unreadable_phone_is_refused_at_the_field(db):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        _person(phone="12")
    assert "phone" in caught.value.message_dict
    assert not Donor.objects.exists()
