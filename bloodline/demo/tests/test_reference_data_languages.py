"""Demo reference data is written in the jurisdiction's language with translations into the
other interface languages (decision 0027): a Vietnamese centre's fridge is "Tủ lạnh 1", a
Chinese centre's is in Chinese, and each reads in all six languages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from bloodline.demo.factories import distribution as factories
from bloodline.inventory.models import ProductCode, StorageLocation
from bloodline.jurisdictions.labels import component_type

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.fixture
def equipped(demo):
    for key in ("vn_centre", "cn_centre"):
        factories.equip(demo.nodes[key])
    return demo.nodes


def test_locations_are_named_in_the_jurisdictions_language(equipped) -> None:
    vn = StorageLocation.objects.filter(establishment=equipped["vn_centre"])
    cn = StorageLocation.objects.filter(establishment=equipped["cn_centre"])
    assert "Tủ lạnh 1" in {loc.name for loc in vn}
    assert "储血冰箱 1" in {loc.name for loc in cn}
    assert not {loc.name for loc in [*vn, *cn]} & {n["en"] for n, *_ in factories.LOCATIONS}


@pytest.mark.parametrize("key", ["vn_centre", "cn_centre"])
def test_every_location_has_a_name_in_all_six_languages(equipped, key) -> None:
    locations = list(StorageLocation.objects.filter(establishment=equipped[key]))
    assert len(locations) == len(factories.LOCATIONS)
    for location in locations:
        names = {language: location.display_name(language) for language in LANGUAGES}
        assert all(names.values())
        # Six different names: none falls back to the stored one in another language.
        assert len({names["vi"], names["zh-hans"], names["en"], names["fr"]}) == 4


def test_a_page_in_the_readers_language_shows_the_translation(equipped) -> None:
    fridge = factories.location(equipped["vn_centre"], "Fridge 1")
    with translation.override("zh-hans"):
        assert fridge.display_name() == "储血冰箱 1"
    with translation.override("vi"):
        assert fridge.display_name() == "Tủ lạnh 1"


def test_product_descriptions_are_in_the_jurisdictions_language(equipped) -> None:
    vn = ProductCode.objects.get(
        establishment=equipped["vn_centre"], component_code="red_cells_additive"
    )
    cn = ProductCode.objects.get(
        establishment=equipped["cn_centre"], component_code="red_cells_additive"
    )
    with translation.override("en"):
        english = component_type("red_cells_additive")
    assert english not in (vn.description, cn.description)
    assert vn.description != cn.description


@pytest.mark.parametrize("key", ["vn_centre", "vn_hospital", "cn_centre", "cn_hospital"])
def test_establishments_seen_on_trace_and_lab_pages_read_in_all_six_languages(
    equipped, key
) -> None:
    organisation = equipped[key]
    names = {language: organisation.display_name(language) for language in LANGUAGES}
    assert len(set(names.values())) >= 5  # zh-hans/zh-hant may coincide
