"""Processing recipes and component kinds in the rule sets: what a donation is made into."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from bloodline.jurisdictions.loader import Registry, RuleSetError, registry
from bloodline.jurisdictions.schema import LANGUAGE_KEYS, RuleSet

RULES = Path(settings.BLOODLINE_RULES_DIR)
ON = dt.date(2026, 1, 1)
CN = "cn-gb18467-2011.toml"
VN = "vn-tt26-2013.toml"


def _every_version() -> list[RuleSet]:
    return [v for code in registry.codes() for v in registry.versions(code)]


@pytest.mark.parametrize(
    ("code", "version", "recipes"),
    [
        ("CN-GB18467-2011", "2011",
         ["keep_whole_blood", "keep_whole_blood_cpda1", "red_cells_plasma",
          "red_cells_cryoprecipitate", "platelets_apheresis", "plasma_apheresis"]),
        ("CN-GB18467-2011", "2025-draft",
         ["keep_whole_blood", "keep_whole_blood_cpda1", "red_cells_plasma",
          "red_cells_cryoprecipitate", "platelets_apheresis", "plasma_apheresis"]),
        ("VN-TT26-2013", "2013",
         ["keep_whole_blood", "keep_whole_blood_cpda1", "red_cells_plasma",
          "platelets_apheresis", "plasma_apheresis"]),
        ("WHO-2012", "2012", []),
        ("EU-2004-33", "2004",
         ["keep_whole_blood", "red_cells_plasma", "red_cells_cryoprecipitate",
          "platelets_apheresis", "plasma_apheresis"]),
    ],
)  # fmt: skip
def test_each_rule_set_file_loads_with_its_recipes(code, version, recipes):
    rules = next(v for v in registry.versions(code) if v.version == version)
    assert [r.code for r in rules.recipes] == recipes


def test_the_five_shipped_files_load_into_five_versions():
    fresh = Registry()
    fresh.load(RULES)
    assert len([v for code in fresh.codes() for v in fresh.versions(code)]) == 5


def test_every_recipe_makes_components_of_its_own_rule_set():
    for rules in _every_version():
        for recipe in rules.recipes:
            for output in recipe.outputs:
                component = rules.component(output)
                assert component is not None, (rules.code, recipe.code, output)
                assert recipe.collection in component.made_from


def test_every_component_has_the_kind_its_code_names():
    for rules in _every_version():
        for component in rules.components:
            assert component.code.startswith(component.kind), component.code


def test_recipes_are_unverified_practice_citing_their_outputs_sources():
    for rules in _every_version():
        for recipe in rules.recipes:
            cited = []
            for output in recipe.outputs:
                component = rules.component(output)
                assert component is not None
                cited += [s for s in component.source if s not in cited]
            assert recipe.source == cited, (rules.code, recipe.code)
            assert not recipe.verified
            assert all(recipe.note[lang].strip() for lang in LANGUAGE_KEYS)
            # Real translations, not copies of the English.
            others = [recipe.note[lang] for lang in LANGUAGE_KEYS if lang != "en"]
            assert recipe.note["en"] not in others


def test_the_unverified_recipes_are_listed_for_the_deployer():
    assert "recipes.0" in registry.get("EU-2004-33", ON).unverified()


def test_a_platelet_apheresis_donation_becomes_apheresis_platelets():
    rules = registry.get("CN-GB18467-2011", ON)
    assert [r.code for r in rules.recipes_for("platelets")] == ["platelets_apheresis"]
    recipe = rules.recipe("platelets_apheresis")
    assert recipe is not None and recipe.outputs == ["platelets_apheresis"]
    assert rules.recipe("no_such_recipe") is None


def test_a_whole_blood_donation_is_kept_or_split_into_components():
    rules = registry.get("EU-2004-33", ON)
    made = {r.code: r.outputs for r in rules.recipes_for("whole_blood")}
    assert made == {
        "keep_whole_blood": ["whole_blood"],
        "red_cells_plasma": ["red_cells_additive", "plasma_fresh_frozen"],
        "red_cells_cryoprecipitate": ["red_cells_additive", "cryoprecipitate"],
    }
    assert registry.get("VN-TT26-2013", ON).recipes_for("double_red_cells") == []


def test_cryoprecipitate_is_only_made_where_the_rule_set_has_it():
    vn = registry.get("VN-TT26-2013", ON)
    assert vn.component("cryoprecipitate") is None
    assert all("cryoprecipitate" not in r.outputs for r in vn.recipes)


def test_the_draft_inherits_chinas_recipes():
    current = registry.get("CN-GB18467-2011", ON)
    draft = next(v for v in registry.versions("CN-GB18467-2011") if v.status == "draft")
    assert draft.recipes == current.recipes


def test_every_panel_groups_with_exactly_abo_and_rhd():
    for rules in _every_version():
        assert {t.code for t in rules.test_panel if t.kind == "blood_group"} == {"abo", "rhd"}


def _broken(tmp_path: Path, name: str, edit) -> Path:
    source = (RULES / name).read_text(encoding="utf-8")
    edited = edit(source)
    assert edited != source, "the edit did not apply"
    (tmp_path / name).write_text(edited, encoding="utf-8")
    return tmp_path


PLASMA_APHERESIS = 'donation_types = ["plasma"]\noutputs = ["plasma_fresh_frozen"]'
RED_CELLS_PLASMA = 'outputs = ["red_cells_additive", "plasma_fresh_frozen"]'


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        (
            CN,
            lambda s: s.replace('outputs = ["platelets_apheresis"]', 'outputs = ["platelets_x"]'),
            f"{CN}: (file): Value error, recipe platelets_apheresis: 'platelets_x' is not a "
            "component of this rule set",
        ),
        (
            CN,
            lambda s: s.replace(RED_CELLS_PLASMA,
                                'outputs = ["red_cells_additive", "red_cells_additive"]'),
            f"{CN}: recipes.2: Value error, each output may appear only once in a recipe",
        ),
        (
            CN,
            lambda s: s.replace(PLASMA_APHERESIS,
                                'donation_types = ["plasma"]\noutputs = ["cryoprecipitate"]'),
            f"{CN}: (file): Value error, recipe plasma_apheresis: cryoprecipitate is not made "
            "from apheresis",
        ),
        (
            CN,
            lambda s: s.replace('outputs = ["whole_blood"]', 'outputs = ["platelets_apheresis"]'),
            f"{CN}: (file): Value error, recipe keep_whole_blood: platelets_apheresis is not "
            "made from whole_blood",
        ),
        (
            CN,
            lambda s: s.replace('code = "keep_whole_blood_cpda1"', 'code = "keep_whole_blood"'),
            f"{CN}: (file): Value error, each recipe code may appear only once",
        ),
        (
            CN,
            lambda s: s.replace(PLASMA_APHERESIS,
                                'donation_types = ["plasma", "whole_blood"]\n'
                                'outputs = ["plasma_fresh_frozen"]'),
            f"{CN}: recipes.5: Value error, a recipe is for whole blood or for apheresis "
            "donations, not both",
        ),
        (
            CN,
            lambda s: s.replace('donation_types = ["platelets"]\noutputs',
                                'donation_types = ["platelets", "platelets"]\noutputs'),
            f"{CN}: recipes.4: Value error, each donation type may appear only once",
        ),
        (
            CN,
            lambda s: s.replace(PLASMA_APHERESIS, 'donation_types = ["plasma"]\noutputs = []'),
            f"{CN}: recipes.5.outputs: List should have at least 1 item",
        ),
        (
            CN,
            lambda s: s.replace('code = "keep_whole_blood"', 'code = "Keep whole blood"'),
            f"{CN}: recipes.0.code: String should match pattern",
        ),
        (
            CN,
            lambda s: s.replace('kind = "red_cells"\n', "", 1),
            f"{CN}: components.2.kind: Field required",
        ),
        (
            CN,
            lambda s: s.replace('kind = "whole_blood"', 'kind = "serum"', 1),
            f"{CN}: components.0.kind: Input should be 'whole_blood', 'red_cells'",
        ),
    ],
)  # fmt: skip
def test_a_broken_recipe_or_kind_is_refused(tmp_path, name, edit, message):
    with pytest.raises(RuleSetError) as caught:
        Registry().load(_broken(tmp_path, name, edit))
    assert str(caught.value).startswith(message), str(caught.value)


BLOOD_GROUP_ONLY = "Value error, the blood_group tests must be exactly abo and rhd"


@pytest.mark.parametrize(
    ("name", "edit"),
    [
        (CN, lambda s: s.replace('code = "rhd"\nkind = "blood_group"',
                                 'code = "rhd"\nkind = "serology"')),
        (CN, lambda s: s.replace('code = "alt"\nkind = "biochemistry"',
                                 'code = "alt"\nkind = "blood_group"')),
        (VN, lambda s: s.replace('code = "irregular_antibody_screen"\nkind = "antibody_screen"',
                                 'code = "irregular_antibody_screen"\nkind = "blood_group"')),
        (VN, lambda s: s.replace('code = "abo"\nkind = "blood_group"',
                                 'code = "abo_group"\nkind = "blood_group"')),
    ],
)  # fmt: skip
def test_blood_grouping_is_exactly_abo_and_rhd(tmp_path, name, edit):
    with pytest.raises(RuleSetError) as caught:
        Registry().load(_broken(tmp_path, name, edit))
    assert str(caught.value) == f"{name}: (file): {BLOOD_GROUP_ONLY}"


def test_the_report_lists_recipes_and_component_kinds(demo, login):
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"
    page = client.get("/rules/EU-2004-33/").content.decode()
    assert "Processing recipes" in page and "<code>red_cells_cryoprecipitate</code>" in page
    assert "<code>red_cells_additive</code>, <code>cryoprecipitate</code>" in page
    assert "platelet apheresis" in page  # donation types by label, not code
    assert "Assumed processing practice" in page  # the recipe's note
    assert "<td>red cells" in page and "<td>granulocytes" in page  # component kinds


def test_the_report_has_no_recipe_table_without_components(demo, login):
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"
    page = client.get("/rules/WHO-2012/").content.decode()
    assert "Processing recipes" not in page
