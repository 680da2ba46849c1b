"""The search box after the lookups were split from the name search (decision 0041): people
find the same donors as before, by name, identity number or phone, in six languages, in a
number of queries that does not grow with the results."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from bloodline.donors import actions
from bloodline.donors.models import DocumentKind
from bloodline.donors.search import by_name, search
from bloodline.donors.tests.conftest import vn_number

BORN = dt.date(1985, 8, 21)


@pytest.fixture
def hoa(make_donor, nurse):
    donor = make_donor(full_name="Nguyễn Thị Hoà Tìm", date_of_birth=BORN, sex="F")
    actions.add_identity_document(
        by=nurse,
        donor=donor,
        kind=DocumentKind.VN_CITIZEN_IDENTITY_CARD,
        number=vn_number(BORN, "F", tail="864200"),
    )
    return donor


@pytest.mark.parametrize(
    "typed",
    ["nguyen thi hoa", "NGUYỄN THỊ HOÀ", "thihoatim", "Hoà Tìm", "hoa tim"],
)
def test_a_name_is_found_without_case_accents_or_spaces(hoa, typed):
    assert list(search(typed)) == [hoa]


def test_an_identity_number_is_found_as_typed_and_only_exactly(hoa):
    number = vn_number(BORN, "F", tail="864200")
    assert list(search(f" {number[:6]} {number[6:]} ")) == [hoa]
    assert list(search(number[:-1])) == []  # a number is never matched in part


def test_a_phone_is_found_in_national_form_with_the_region(make_donor):
    donor = make_donor(phone="0988 765 432")
    assert list(search("0988 765 432", region="VN")) == [donor]
    assert list(search("+84988765432")) == [donor]


def test_a_text_with_digits_is_not_searched_as_a_name(make_donor):
    make_donor(full_name="Lê Văn 3")
    assert list(search("le van 3")) == []
    assert [d.full_name for d in by_name("le van")] == ["Lê Văn 3"]


@pytest.fixture
def nurse_client(demo, english):
    return english("drive_nurse")


def _page_queries(client, q: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/donors/", {"q": q})
    assert page.status_code == 200
    return len(captured), page.content.decode()


def test_the_page_search_query_count_does_not_grow_with_the_results(nurse_client, make_donor):
    make_donor(full_name="Đỗ Thị Đếm 1")
    _page_queries(nurse_client, "do thi dem")  # the session settles on the first request
    one, page = _page_queries(nurse_client, "do thi dem")
    assert "Đỗ Thị Đếm 1" in page
    for n in range(2, 12):
        make_donor(full_name=f"Đỗ Thị Đếm {n}")
    many, page = _page_queries(nurse_client, "do thi dem")
    assert "Đỗ Thị Đếm 11" in page
    assert many == one, (one, many)


@pytest.mark.parametrize("language", ["vi", "zh-hans", "zh-hant", "en", "fr", "es"])
def test_the_search_page_answers_in_six_languages(login, hoa, language):
    client = login("drive_nurse")
    client.cookies["django_language"] = language
    found = client.get("/donors/", {"q": "hoa tim"}).content.decode()
    missing = client.get("/donors/", {"q": "không có ai"}).content.decode()
    with translation.override(language):
        assert translation.gettext("Results") in found
        assert "Nguyễn Thị Hoà Tìm" in found
        assert translation.gettext("No donor matches this search.") in missing
