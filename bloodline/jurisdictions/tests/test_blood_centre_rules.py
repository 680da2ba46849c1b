"""Components, test panels and look-back in the rule sets: values, flags and broken copies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from bloodline.jurisdictions.loader import Registry, RuleSetError, registry

RULES = Path(settings.BLOODLINE_RULES_DIR)
ON = dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("code", "component", "storage", "shelf_life"),
    [
        ("CN-GB18467-2011", "whole_blood", (2, 6), (21, "days")),
        ("CN-GB18467-2011", "red_cells_additive", (2, 6), (35, "days")),
        ("CN-GB18467-2011", "platelets_apheresis", (20, 24), (5, "days")),
        ("CN-GB18467-2011", "platelets_unagitated", (20, 24), (24, "hours")),
        ("CN-GB18467-2011", "plasma_fresh_frozen", (None, -18), (1, "years")),
        ("CN-GB18467-2011", "red_cells_frozen_glycerol_20", (None, -120), (10, "years")),
        ("VN-TT26-2013", "whole_blood", (2, 6), (21, "days")),
        ("VN-TT26-2013", "plasma_fresh_frozen", (-25, -18), (12, "months")),
        ("VN-TT26-2013", "plasma_fresh_frozen_deep", (None, -25), (24, "months")),
        ("VN-TT26-2013", "plasma_thawed", (2, 6), (6, "hours")),
        ("EU-2004-33", "platelets_pooled", (20, 24), (5, "days")),
        ("EU-2004-33", "platelets_bacterial_safety", (20, 24), (7, "days")),
        ("EU-2004-33", "red_cells_frozen", (None, None), (30, "years")),
    ],
)
def test_components_carry_storage_and_shelf_life(code, component, storage, shelf_life):
    rule = registry.get(code, ON).component(component)
    assert rule is not None
    assert (rule.storage.min_c, rule.storage.max_c) == storage
    assert (rule.shelf_life.value, rule.shelf_life.unit) == shelf_life
    assert not rule.expires_at_end_of_day  # no source says so


def test_who_records_no_components_and_the_draft_inherits_chinas():
    assert registry.get("WHO-2012", ON).components == []
    current = registry.get("CN-GB18467-2011", ON)
    draft = next(v for v in registry.versions("CN-GB18467-2011") if v.status == "draft")
    assert draft.components == current.components
    assert draft.test_panel == current.test_panel
    assert draft.lookback == current.lookback


@pytest.mark.parametrize(
    ("code", "tests"),
    [
        (
            "CN-GB18467-2011",
            {"abo", "rhd", "alt", "hbsag", "anti_hcv", "hiv_ag_ab", "syphilis_anti_tp",
             "nat_hbv_hcv_hiv"},
        ),
        (
            "VN-TT26-2013",
            {"abo", "rhd", "irregular_antibody_screen", "hiv", "hbv", "hcv", "syphilis",
             "malaria"},
        ),
        ("WHO-2012", {"abo", "rhd", "hiv", "hbv", "hcv", "syphilis"}),
        ("EU-2004-33", {"abo", "rhd", "hbsag", "anti_hcv", "anti_hiv_1_2"}),
    ],
)  # fmt: skip
def test_each_rule_set_has_its_test_panel(code, tests):
    assert {t.code for t in registry.get(code, ON).test_panel} == tests


def test_chinese_serology_runs_twice_with_two_manufacturers():
    panel = registry.get("CN-GB18467-2011", ON).test_panel
    serology = [t for t in panel if t.kind == "serology"]
    assert len(serology) == 4
    assert all(t.runs_required == 2 and t.distinct_manufacturers for t in serology)
    alt = next(t for t in panel if t.code == "alt")
    assert alt.max_u_l is not None and alt.max_u_l.value == 50 and not alt.max_u_l.verified


def test_vietnam_tests_malaria_only_when_indicated():
    panel = registry.get("VN-TT26-2013", ON).test_panel
    assert [t.code for t in panel if t.applies == "when_indicated"] == ["malaria"]


def test_unverified_blood_centre_values_are_listed():
    eu = set(registry.get("EU-2004-33", ON).unverified())
    assert {"components.0.shelf_life", "components.2.storage", "test_panel.0"} <= eu
    assert "lookback.window" in eu
    vn = set(registry.get("VN-TT26-2013", ON).unverified())
    assert {"components.3", "components.3.shelf_life"} <= vn
    cn = set(registry.get("CN-GB18467-2011", ON).unverified())
    assert {"test_panel.2.max_u_l", "lookback.window"} <= cn


def test_lookback_windows_are_unset_and_retention_is_sourced():
    for code in ("CN-GB18467-2011", "VN-TT26-2013", "WHO-2012", "EU-2004-33"):
        window = registry.get(code, ON).lookback.window
        assert window.period is None and not window.verified
    eu = registry.get("EU-2004-33", ON).lookback.retention
    assert [(r.records, r.period.value, r.period.unit, r.source) for r in eu] == [
        ("traceability", 30, "years", ["R12"]),
        ("donor_and_testing", 15, "years", ["R12"]),
        ("serious_adverse_events", 15, "years", ["R12"]),
    ]
    cn = registry.get("CN-GB18467-2011", ON).lookback.retention
    assert [(r.records, r.period.value) for r in cn] == [
        ("donation_testing_supply", 10),
        ("storage_temperature", 1),
    ]


def _broken(tmp_path: Path, name: str, edit) -> Path:
    source = (RULES / name).read_text(encoding="utf-8")
    edited = edit(source)
    assert edited != source, "the edit did not apply"
    (tmp_path / name).write_text(edited, encoding="utf-8")
    return tmp_path


CN = "cn-gb18467-2011.toml"
WB_21_DAYS = '{ value = 21, unit = "days", source = ["S51"] }'
WINDOW = "[lookback.window]"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda s: s.replace(f"shelf_life = {WB_21_DAYS}\n", "", 1),
            f"{CN}: components.0.shelf_life: Field required",
        ),
        (
            lambda s: s.replace('{ value = 21, unit = "days", source = ["S51"] }',
                                '{ value = 21, unit = "fortnights", source = ["S51"] }', 1),
            f"{CN}: components.0.shelf_life.unit: Input should be 'hours', 'days'",
        ),
        (
            lambda s: s.replace('code = "whole_blood_cpda1"', 'code = "whole_blood"'),
            f"{CN}: (file): Value error, each component code may appear only once",
        ),
        (
            lambda s: s.replace('code = "anti_hcv"', 'code = "hbsag"'),
            f"{CN}: (file): Value error, each test code may appear only once",
        ),
        (
            lambda s: s.replace("runs_required = 2", "runs_required = 0", 1),
            f"{CN}: test_panel.3.runs_required: Input should be greater than or equal to 1",
        ),
        (
            lambda s: s.replace("runs_required = 2", "runs_required = 1", 1),
            f"{CN}: test_panel.3: Value error, distinct manufacturers or operators need",
        ),
        (
            lambda s: s.replace('kind = "serology"', 'kind = "guesswork"', 1),
            f"{CN}: test_panel.3.kind: Input should be",
        ),
        (
            lambda s: s.replace('max_c = -120, source = ["S56"]', 'source = ["S56"]'),
            f"{CN}: components.4.storage: Value error, a storage temperature needs min_c or max_c",
        ),
        (
            lambda s: s.replace("min_c = 20, max_c = 24", "min_c = 24, max_c = 20", 1),
            f"{CN}: components.7.storage: Value error, min_c must not be above max_c",
        ),
        (
            lambda s: s.replace('storage = { min_c = 2, max_c = 6, source = ["S51"] }',
                                'storage = { min_c = 2, max_c = 6 }', 1),
            f"{CN}: components.0.storage: Value error, a verified value needs a source id",
        ),
        (
            lambda s: s.replace('made_from = ["apheresis"]', 'made_from = []', 1),
            f"{CN}: components.7.made_from: List should have at least 1 item",
        ),
        (
            lambda s: s.replace('acceptable = "within_limit"', 'acceptable = "non_reactive"'),
            f"{CN}: test_panel.2: Value error, a within_limit result needs max_u_l",
        ),
        (
            lambda s: s.replace(f"{WINDOW}\nverified = false", f'{WINDOW}\nsource = ["R17"]'),
            f"{CN}: lookback.window: Value error, a verified look-back window needs a period",
        ),
        (
            lambda s: s.replace('period = { value = 10, unit = "years" }',
                                'period = { value = 10, unit = "decades" }'),
            f"{CN}: lookback.retention.0.period.unit: Input should be",
        ),
        (
            lambda s: s[: s.index("\n[[test_panel]]")],
            f"{CN}: test_panel: Field required",
        ),
    ],
)  # fmt: skip
def test_a_broken_blood_centre_section_is_refused(tmp_path, edit, message):
    with pytest.raises(RuleSetError) as caught:
        Registry().load(_broken(tmp_path, CN, edit))
    assert str(caught.value).startswith(message), str(caught.value)
