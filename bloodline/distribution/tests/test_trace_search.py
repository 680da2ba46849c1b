"""The trace search: a scanned or typed DIN opens its trace; a DIN that cannot be read or is
not on record gets a clear message on the search page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from bloodline.demo.factories import distribution as factories
from bloodline.drives.tests import conftest as drive_fixtures
from bloodline.lib import isbt128

pytestmark = pytest.mark.django_db
english = drive_fixtures.english  # a signed-in client reading the pages in English
SEARCH = reverse("trace:search")


def test_a_scanned_or_typed_din_opens_its_trace(centre: Any, english: Any) -> None:
    red, _plasma = centre.stocked("O", "pos")
    din = red.donation.din
    lab = english("lab_technician")
    trace = reverse("trace:unit", args=[din])
    for typed in (
        factories.label_scans(red)["din_scan"],
        din,
        din.lower(),
        din + isbt128.check_character(din),
    ):
        response = lab.get(SEARCH, {"q": typed})
        assert (response.status_code, response["Location"]) == (302, trace), typed


def test_an_unknown_din_gets_a_clear_message(centre: Any, english: Any) -> None:
    response = english("lab_technician").get(SEARCH, {"q": "G999926999999"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "No donation with DIN G999926999999 is on record, or you may not trace it." in page
    assert 'value="G999926999999"' in page


def test_a_din_that_cannot_be_read_says_why(centre: Any, english: Any) -> None:
    page = english("lab_technician").get(SEARCH, {"q": "=G9999"}).content.decode()
    assert "A scanned DIN has 16 characters" in page


def test_an_unknown_din_in_the_address_answers_404_with_the_message(
    centre: Any, english: Any
) -> None:
    response = english("lab_technician").get(reverse("trace:unit", args=["G999926999999"]))
    assert response.status_code == 404
    assert "is on record, or you may not trace it" in response.content.decode()


def test_the_search_page_is_for_those_who_trace_or_order(centre: Any, login: Any) -> None:
    assert login("lab_technician").get(SEARCH).status_code == 200
    assert login("hospital_user").get(SEARCH).status_code == 200
    assert login("drive_nurse").get(SEARCH).status_code == 403


def test_a_din_outside_the_readers_establishment_is_not_revealed(centre: Any, english: Any) -> None:
    red, _plasma = centre.stocked("O", "pos")
    response = english("cn_establishment_admin").get(SEARCH, {"q": red.donation.din})
    assert "is on record, or you may not trace it" in response.content.decode()
