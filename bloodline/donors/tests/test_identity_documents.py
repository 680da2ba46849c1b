"""Identity documents: numbers checked under their national scheme and against the donor's
date of birth and sex; the same document is never on record twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bloodline.audit.models import AuditEvent
from bloodline.donors import actions
from bloodline.donors.models import IdentityDocument
from bloodline.donors.tests.conftest import cn_number, vn_number

BORN = dt.date(1990, 3, 7)


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


@pytest.fixture
def woman(make_donor):
    return make_donor(date_of_birth=BORN, sex="F")


@pytest.fixture
def man(make_donor):
    return make_donor(date_of_birth=BORN, sex="M")


def _add(nurse, donor, kind, number, country=""):
    return actions.add_identity_document(
        by=nurse, donor=donor, kind=kind, number=number, issuing_country=country
    )


# China ---------------------------------------------------------------------------------------


def test_it_accepts_a_chinese_number_with_the_right_check_character(nurse, woman):
    number = cn_number(BORN, "F")
    spaced = f"{number[:6]} {number[6:14]} {number[14:].lower()}"
    document = _add(nurse, woman, "cn_resident_identity_card", spaced)
    assert document.number == number and document.issuing_country == "CN"
    event = AuditEvent.objects.get(action="donor.identity_document.add")
    assert number not in str(event.changes) and woman.full_name not in str(event.changes)


def test_it_refuses_a_chinese_number_with_a_wrong_check_character(nurse, woman):
    number = cn_number(BORN, "F")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        _add(nurse, woman, "cn_resident_identity_card", wrong)
    assert "check character" in _errors(exc)["number"][0]
    assert not IdentityDocument.objects.exists()


def test_it_refuses_a_chinese_number_of_the_wrong_length(nurse, woman):
    with pytest.raises(ValidationError) as exc:
        _add(nurse, woman, "cn_resident_identity_card", cn_number(BORN, "F")[:17])
    assert "17 digits" in _errors(exc)["number"][0]


def test_it_refuses_a_chinese_number_whose_date_of_birth_differs(nurse, woman):
    with pytest.raises(ValidationError) as exc:
        _add(nurse, woman, "cn_resident_identity_card", cn_number(BORN + dt.timedelta(1), "F"))
    assert _errors(exc)["number"] == ["The date of birth does not match the identity number."]


def test_it_refuses_a_chinese_number_of_the_other_sex(nurse, woman):
    with pytest.raises(ValidationError) as exc:
        _add(nurse, woman, "cn_resident_identity_card", cn_number(BORN, "M"))
    assert _errors(exc)["number"] == ["The sex does not match the identity number."]


def test_a_chinese_card_is_issued_by_china(nurse, woman):
    with pytest.raises(ValidationError) as exc:
        _add(nurse, woman, "cn_resident_identity_card", cn_number(BORN, "F"), "VN")
    assert "issuing_country" in _errors(exc)


# Vietnam -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "sex"),
    [
        (dt.date(1990, 3, 7), "M"),
        (dt.date(1990, 3, 7), "F"),
        (dt.date(2001, 1, 1), "M"),
        (dt.date(2004, 12, 31), "F"),
    ],
)
def test_it_accepts_a_vietnamese_number_matching_century_year_and_sex(nurse, make_donor, born, sex):
    donor = make_donor(date_of_birth=born, sex=sex)
    document = _add(nurse, donor, "vn_citizen_identity_card", vn_number(born, sex))
    assert document.issuing_country == "VN"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("00109012345", "12 digits"),  # 11 digits
        ("0010901234567", "12 digits"),  # 13 digits
        ("00109012345A", "12 digits"),
        ("000090123456", "province"),  # province 000
        ("097090123456", "province"),  # province 097: above the last code
    ],
)
def test_it_refuses_a_malformed_vietnamese_number(nurse, man, number, message):
    with pytest.raises(ValidationError) as exc:
        _add(nurse, man, "vn_citizen_identity_card", number)
    assert message in _errors(exc)["number"][0]


def test_the_last_province_code_is_accepted(nurse, man):
    _add(nurse, man, "vn_citizen_identity_card", vn_number(BORN, "M", province="096"))


def test_it_refuses_a_vietnamese_number_from_another_century(nurse, man):
    number = vn_number(BORN, "M")
    other_century = number[:3] + "2" + number[4:]  # 2: a man born in the 2000s
    with pytest.raises(ValidationError) as exc:
        _add(nurse, man, "vn_citizen_identity_card", other_century)
    assert _errors(exc)["number"] == ["The year of birth does not match the identity number."]


def test_it_refuses_a_vietnamese_number_of_the_other_sex(nurse, man):
    with pytest.raises(ValidationError) as exc:
        _add(nurse, man, "vn_citizen_identity_card", vn_number(BORN, "F"))
    assert _errors(exc)["number"] == ["The sex does not match the identity number."]


# Passports and others -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("C123", False),
        ("C1234", True),
        ("c 12 34", True),
        ("A" * 20, True),
        ("A" * 21, False),
        ("C12-345", False),
    ],
)
def test_a_passport_number_has_5_to_20_letters_and_digits(nurse, make_donor, number, ok):
    donor = make_donor()
    if ok:
        assert _add(nurse, donor, "passport", number, "fr").issuing_country == "FR"
    else:
        with pytest.raises(ValidationError) as exc:
            _add(nurse, donor, "passport", number, "FR")
        assert "5 to 20" in _errors(exc)["number"][0]


def test_a_passport_needs_its_issuing_country(nurse, man):
    with pytest.raises(ValidationError) as exc:
        _add(nurse, man, "passport", "C1234567", "")
    assert "issuing_country" in _errors(exc)


def test_an_unknown_kind_is_refused(nurse, man):
    with pytest.raises(ValidationError) as exc:
        _add(nurse, man, "driving_licence", "123456", "VN")
    assert "kind" in _errors(exc)


# Uniqueness ----------------------------------------------------------------------------------


def test_the_same_document_is_refused_for_another_person(nurse, make_donor):
    first, second = make_donor(), make_donor()
    _add(nurse, first, "passport", "C1234567", "VN")
    with pytest.raises(ValidationError) as exc:
        _add(nurse, second, "passport", "c123 4567", "VN")
    assert _errors(exc)["number"] == ["This document is already on record."]
    assert IdentityDocument.objects.count() == 1


def test_the_database_refuses_a_duplicate_document(nurse, make_donor):
    first, second = make_donor(), make_donor()
    IdentityDocument.objects.create(
        donor=first, kind="passport", number="C1234567", issuing_country="VN"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        IdentityDocument.objects.create(
            donor=second, kind="passport", number="C1234567", issuing_country="VN"
        )


def test_a_changed_date_of_birth_must_still_match_the_national_number(nurse, woman):
    _add(nurse, woman, "cn_resident_identity_card", cn_number(BORN, "F"))
    with pytest.raises(ValidationError) as exc:
        actions.update_donor(
            by=nurse,
            donor=woman,
            version=woman.version,
            changes={"date_of_birth": BORN - dt.timedelta(days=1), "sex": "M"},
            region="VN",
        )
    assert set(_errors(exc)) == {"date_of_birth", "sex"}
