"""A donor's groups read in the reader's language, from the one blood-group helper
(decision 0027): on the page and in the API, which answers in the request's language."""

from __future__ import annotations

import pytest


@pytest.fixture
def donor(make_donor):
    return make_donor(abo_declared="B", rhd_declared="neg")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "B RhD-negative"), ("vi", "B RhD âm tính"), ("zh-hans", "B型 RhD 阴性")],
)
def test_the_api_gives_the_declared_group_in_the_requests_language(
    login, donor, language, expected
) -> None:
    client = login("drive_nurse", HTTP_ACCEPT_LANGUAGE=language)
    answer = client.get(f"/api/v1/donors/{donor.uuid}").json()
    assert (answer["rhd_declared"], answer["blood_group_declared"]) == ("neg", expected)
    assert answer["blood_group_confirmed"] == ""


def test_the_donor_page_shows_the_group_in_words(english, donor) -> None:
    page = english("drive_nurse").get(f"/donors/{donor.uuid}/").content.decode()
    assert "B RhD-negative" in page and ">neg<" not in page
