"""Rule-set files: each shipped one loads, and a broken copy is refused precisely."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from bloodline.jurisdictions.loader import Registry, RuleSetError, UnknownRuleSet, registry

RULES = Path(settings.BLOODLINE_RULES_DIR)


@pytest.mark.parametrize(
    ("code", "age", "volumes", "base_ml", "wb_interval"),
    [
        ("CN-GB18467-2011", (18, 55), [200, 300, 400], 200, (6, "months")),
        ("VN-TT26-2013", (18, 60), [250, 350, 450], 250, (12, "weeks")),
        ("WHO-2012", (18, 65), [350, 450], 450, (12, "weeks")),
        ("EU-2004-33", (18, 65), [450], 450, (12, "weeks")),
    ],
)
def test_each_shipped_rule_set_loads_with_its_values(code, age, volumes, base_ml, wb_interval):
    rules = registry.get(code, dt.date(2026, 1, 1))
    assert (rules.age.min_years.value, rules.age.max_years.value) == age
    assert rules.whole_blood_volumes.values_ml == volumes
    assert rules.counting_unit.base_volume_ml.value == base_ml
    wb = next(i for i in rules.intervals if i.after == i.before == "whole_blood")
    assert (wb.period.value, wb.period.unit) == wb_interval


def test_vietnam_limits_light_donors_to_250_ml():
    bands = registry.current("VN-TT26-2013").weight_bands
    assert [(b.sex, b.min_weight_kg, b.max_volume_ml, b.max_ml_per_kg) for b in bands] == [
        ("F", 42, 250, None),
        ("any", 45, 500, 9),
    ]


def test_unverified_values_are_listed():
    assert "national_id" in registry.current("CN-GB18467-2011").unverified()
    assert "intervals.0.period" in registry.current("EU-2004-33").unverified()


def test_the_chinese_draft_is_loaded_but_never_applied():
    versions = registry.versions("CN-GB18467-2011")
    draft = next(v for v in versions if v.status == "draft")
    assert draft.age.max_years.value == 65
    assert registry.get("CN-GB18467-2011", dt.date(2030, 1, 1)).version == "2011"


def test_a_revision_applies_from_its_effective_date_without_code_changes(tmp_path):
    for f in RULES.glob("*.toml"):
        shutil.copy(f, tmp_path)
    draft = tmp_path / "cn-gb18467-2011-draft-2025.toml"
    text = draft.read_text(encoding="utf-8").replace(
        'status = "draft"', 'status = "in_force"\neffective_from = 2027-01-01'
    )
    draft.write_text(text, encoding="utf-8")
    revised = Registry()
    revised.load(tmp_path)
    before = revised.get("CN-GB18467-2011", dt.date(2026, 12, 31))
    after = revised.get("CN-GB18467-2011", dt.date(2027, 1, 1))
    assert (before.version, before.age.max_years.value) == ("2011", 55)
    assert (after.version, after.age.max_years.value) == ("2025-draft", 65)
    wb = next(i for i in after.intervals if i.after == i.before == "whole_blood")
    assert (wb.period.value, wb.period.unit) == (90, "days")
    assert after.whole_blood_volumes.values_ml == [200, 300, 400]  # inherited unchanged


def test_no_rule_set_applies_before_it_took_effect():
    with pytest.raises(UnknownRuleSet):
        registry.get("VN-TT26-2013", dt.date(2013, 11, 14))


def _broken(tmp_path: Path, edit) -> Path:
    source = (RULES / "vn-tt26-2013.toml").read_text(encoding="utf-8")
    (tmp_path / "vn.toml").write_text(edit(source), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda s: s.replace('max_years = { value = 60, source = ["S34"] }\n', ""),
            "vn.toml: age.max_years: Field required",
        ),
        (
            lambda s: s.replace("max_years = { value = 60,", 'max_years = { value = "sixty",'),
            "vn.toml: age.max_years.value: Input should be a valid number",
        ),
        (
            lambda s: s.replace(
                'min_years = { value = 18, source = ["S34"] }', "min_years = { value = 18 }"
            ),
            "vn.toml: age.min_years: Value error, a verified value needs a source id",
        ),
        (
            lambda s: s.replace('source = ["S35"]', 'source = ["X35"]'),
            "vn.toml: whole_blood_volumes.source: Value error, 'X35' is not a source id",
        ),
        (
            lambda s: s.replace("values_ml = [250, 350, 450]", "values_ml = [450, 250]"),
            "vn.toml: whole_blood_volumes.values_ml: Value error, volumes must be positive",
        ),
        (lambda s: s.replace("[age]", "[age\n"), "vn.toml: (file): not valid TOML"),
        (
            lambda s: s.replace("[haemoglobin.min_g_l]", "[unused_table]").replace(
                "[[haemoglobin.by_volume]]", "[[unused_list]]"
            ),
            "vn.toml: haemoglobin: Field required",
        ),
        (
            lambda s: s.replace(
                "F = { value = 120, verified = false,", "X = { value = 120, verified = false,"
            ),
            "vn.toml: haemoglobin.min_g_l.F: Field required",
        ),
        (
            lambda s: s.replace(
                '{ code = "tattoo", kind = "temporary", period = { value = 6, unit = "months" },',
                '{ code = "tattoo", kind = "temporary",',
            ),
            "vn.toml: deferrals.9: Value error, a temporary deferral needs a period",
        ),
        (
            lambda s: s.replace(
                'unit = "months" }, source = ["S37"] },',
                'unit = "fortnights" }, source = ["S37"] },',
                1,
            ),
            "vn.toml: deferrals.",
        ),
        (
            lambda s: s.replace('{ code = "piercing",', '{ code = "tattoo",'),
            "vn.toml: (file): Value error, each deferral question code may appear only once",
        ),
        (
            lambda s: s.replace('status = "in_force"', 'status = "in_force"\nmystery = 1'),
            "vn.toml: mystery: Extra inputs are not permitted",
        ),
        (
            lambda s: s.replace(
                'min_years = { value = 18, source = ["S34"] }',
                'min_years = { value = 18, source = ["S34"], note = { en = "x" } }',
            ),
            "vn.toml: age.min_years.note: Value error, a text is needed in every language",
        ),
    ],
)
def test_a_broken_rule_file_is_refused_with_file_key_and_reason(tmp_path, edit, message):
    with pytest.raises(RuleSetError) as caught:
        Registry().load(_broken(tmp_path, edit))
    assert str(caught.value).startswith(message), str(caught.value)


def test_a_broken_rule_file_stops_start_up(tmp_path):
    broken = _broken(
        tmp_path, lambda s: s.replace('max_years = { value = 60, source = ["S34"] }\n', "")
    )
    env = {**os.environ, "BLOODLINE_RULES_DIR": str(broken), "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Jurisdiction rule sets: vn.toml: age.max_years: Field required" in done.stderr


@pytest.mark.parametrize(
    ("code", "hb_m", "hb_f", "deferral", "period"),
    [
        ("CN-GB18467-2011", 120, 115, "tattoo", (1, "years")),
        ("VN-TT26-2013", 120, 120, "tattoo", (6, "months")),
        ("WHO-2012", 130, 120, "tattoo", (6, "months")),
        ("EU-2004-33", 135, 125, "west_nile_area", (28, "days")),
    ],
)
def test_each_rule_set_carries_haemoglobin_and_deferrals(code, hb_m, hb_f, deferral, period):
    rules = registry.get(code, dt.date(2026, 1, 1))
    assert (rules.haemoglobin.min_g_l.M.value, rules.haemoglobin.min_g_l.F.value) == (hb_m, hb_f)
    rule = rules.deferral(deferral)
    assert rule is not None and rule.period is not None
    assert (rule.period.value, rule.period.unit) == period


def test_unverified_thresholds_are_flagged():
    vn = registry.current("VN-TT26-2013").unverified()
    assert {"haemoglobin.min_g_l.M", "haemoglobin.min_g_l.F", "haemoglobin.by_volume.0"} <= set(vn)
    assert "vitals.temperature_max_c" in registry.current("CN-GB18467-2011").unverified()


def test_the_chinese_draft_inherits_the_new_thresholds():
    draft = next(v for v in registry.versions("CN-GB18467-2011") if v.status == "draft")
    assert draft.vitals.pulse_pressure_min is not None
    assert draft.vitals.pulse_pressure_min.value == 30
    assert draft.deferral("hiv_positive") is not None
