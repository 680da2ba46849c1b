"""The public supply page, its widget and its JSON (issue 15 §2): no sign-in; levels only
unless the establishment chose counts; an establishment that withdrew is not there; bad input
answers a clear error in the reader's language and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from bloodline.audit.models import AuditEvent
from bloodline.inventory import public_supply, supply
from bloodline.inventory.models import SupplyPublication, SupplyShown

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published(centre: Any) -> Any:
    """Three AB RhD-negative red cells on the demo centre's shelf, their level recorded."""
    for _ in range(3):
        centre.stocked("AB", "neg")
    supply.check(centre.centre)
    return centre


def _reader(language: str) -> Client:
    client = Client()
    client.cookies["django_language"] = language
    return client


def test_anyone_sees_the_levels_without_signing_in_and_no_unit_counts(published: Any) -> None:
    page = _reader("en").get("/supply/")
    assert page.status_code == 200
    body = page.content.decode()
    assert published.centre.display_name() in body
    assert "AB RhD-negative" in body and 'class="badge level-green">Green<' in body
    assert "Units available" not in body  # levels, not counts, unless the centre chooses
    assert 'href="/donor/drives/"' in body  # the next step: book a donation


def test_the_page_speaks_the_readers_language(published: Any) -> None:
    body = _reader("fr").get(f"/supply/{published.centre.uuid}/").content.decode()
    assert "Approvisionnement en sang" in body
    assert "Vert" in body


def test_counts_appear_once_the_establishment_chooses_them_and_the_choice_is_audited(
    published: Any, login: Any
) -> None:
    admin = login("establishment_admin")
    admin.cookies["django_language"] = "en"
    answer = admin.post(
        f"/stock/supply/public/?establishment={published.centre.uuid}", {"shows": "counts"}
    )
    assert answer.status_code == 302
    assert SupplyPublication.objects.get(establishment=published.centre).shows == "counts"
    assert AuditEvent.objects.filter(action="stock.supply_publication_set").count() == 1
    body = _reader("en").get("/supply/").content.decode()
    assert "Units available" in body
    data = _reader("en").get(f"/api/v1/supply/{published.centre.uuid}").json()
    ab_negative = [g for g in data["groups"] if (g["abo"], g["rhd"]) == ("AB", "neg")]
    assert ab_negative[0]["available"] >= 3  # the demo may hold more AB− red cells


def test_an_establishment_that_withdraws_is_not_published(published: Any) -> None:
    public_supply.set_shown(
        by=published.second,
        establishment=published.centre,
        shows=SupplyShown.NOTHING,
    )
    cache.clear()
    assert published.centre.display_name() not in _reader("en").get("/supply/").content.decode()
    assert _reader("en").get(f"/supply/{published.centre.uuid}/").status_code == 404
    assert _reader("en").get(f"/supply/{published.centre.uuid}/widget/").status_code == 404
    assert _reader("en").get(f"/api/v1/supply/{published.centre.uuid}").status_code == 404


def test_the_json_gives_codes_and_no_counts_by_default(published: Any) -> None:
    answer = _reader("en").get("/api/v1/supply")
    assert answer.status_code == 200
    [place] = [p for p in answer.json() if p["uuid"] == str(published.centre.uuid)]
    assert place["shows"] == "levels"
    group = next(g for g in place["groups"] if (g["abo"], g["rhd"]) == ("AB", "neg"))
    assert group["component_kind"] == "red_cells" and group["level"] == "green"
    assert group["available"] is None and group["group"] == "AB−"


def test_the_widget_may_be_framed_by_other_sites_and_takes_its_language(published: Any) -> None:
    answer = _reader("en").get(f"/supply/{published.centre.uuid}/widget/?lang=zh-hant")
    assert answer.status_code == 200
    assert "X-Frame-Options" not in answer
    assert "frame-ancestors *" in answer["Content-Security-Policy"]
    body = answer.content.decode()
    assert '<html lang="zh-hant">' in body and "綠" in body  # green, in Traditional Chinese
    # Every other page still refuses to be framed.
    assert _reader("en").get("/supply/")["X-Frame-Options"] == "DENY"


def test_a_widget_asked_in_an_unknown_language_says_which_it_speaks(published: Any) -> None:
    answer = _reader("vi").get(f"/supply/{published.centre.uuid}/widget/?lang=klingon")
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "klingon" in body and "zh-hans" in body
    assert "Ngôn ngữ" in body  # the reader's language


def test_a_bad_choice_is_refused_in_the_readers_language_and_nothing_is_written(
    published: Any, login: Any
) -> None:
    admin = login("establishment_admin")
    admin.cookies["django_language"] = "vi"
    answer = admin.post(
        f"/stock/supply/public/?establishment={published.centre.uuid}", {"shows": "everything"}
    )
    assert answer.status_code == 400
    assert "Hãy chọn" in answer.content.decode() or "không có trong" in answer.content.decode()
    assert not SupplyPublication.objects.exists()


def test_only_stock_managers_choose_what_is_published(published: Any, login: Any) -> None:
    answer = login("lab_technician").post(
        f"/stock/supply/public/?establishment={published.centre.uuid}", {"shows": "counts"}
    )
    assert answer.status_code == 403
    assert not SupplyPublication.objects.exists()


def test_a_level_set_by_hand_shows_on_the_public_page_at_once(
    published: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    assert "level-green" in _reader("en").get("/supply/").content.decode()  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        supply.override(
            by=published.second,
            establishment=published.centre,
            component_kind="red_cells",
            abo="AB",
            rhd="neg",
            level="red",
            reason="Mass casualty event",
            until=timezone.now() + dt.timedelta(hours=6),
        )
    body = _reader("en").get("/supply/").content.decode()
    assert 'class="badge level-red">Red<' in body
