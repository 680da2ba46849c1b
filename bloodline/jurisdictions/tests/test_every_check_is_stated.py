"""Every rule set states each check the engine knows: a limit (verified or flagged), or "not
judged by this rule set — physician review" (decision 0014). A file that leaves one out is
refused at load, so a missing rule can never pass silently."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from bloodline.jurisdictions.loader import Registry, RuleSetError, registry
from bloodline.jurisdictions.schema import Limit, NotJudged, Quantity

RULES = Path(settings.BLOODLINE_RULES_DIR)
REQUIRED = (
    "systolic_min",
    "systolic_max",
    "diastolic_min",
    "diastolic_max",
    "pulse_min",
    "pulse_max",
    "temperature_max_c",
)


def _vn_without(tmp_path: Path, edit) -> Path:
    text = (RULES / "vn-tt26-2013.toml").read_text(encoding="utf-8")
    (tmp_path / "vn.toml").write_text(edit(text), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("key", REQUIRED)
def test_it_refuses_a_rule_set_that_leaves_a_vital_sign_unstated(tmp_path, key):
    folder = _vn_without(tmp_path, lambda s: re.sub(rf"(?m)^{key} = .*\n", "", s))
    with pytest.raises(RuleSetError) as caught:
        Registry().load(folder)
    assert str(caught.value).startswith(f"vn.toml: vitals.{key}: Field required")


def test_it_refuses_a_rule_set_without_vital_signs_at_all(tmp_path):
    folder = _vn_without(
        tmp_path, lambda s: re.sub(r"(?m)^(\[vitals\]|(" + "|".join(REQUIRED) + r") = .*)\n", "", s)
    )
    with pytest.raises(RuleSetError) as caught:
        Registry().load(folder)
    assert str(caught.value).startswith("vn.toml: vitals: Field required")


def test_not_judged_must_say_so_explicitly(tmp_path):
    folder = _vn_without(
        tmp_path,
        lambda s: re.sub(
            r"(?m)^pulse_min = .*$", "pulse_min = { not_judged = false, verified = false }", s
        ),
    )
    with pytest.raises(RuleSetError) as caught:
        Registry().load(folder)
    assert "vitals.pulse_min" in str(caught.value)


def test_optional_refinements_may_be_left_out():
    vitals = registry.current("VN-TT26-2013").vitals
    assert vitals.pulse_pressure_min is None and vitals.pulse_min_endurance_athlete is None


@pytest.mark.parametrize("code", registry.codes())
def test_every_shipped_rule_set_states_every_vital_and_hb_check(code):
    for rules in registry.versions(code):
        for key in REQUIRED:
            assert isinstance(getattr(rules.vitals, key), Limit | NotJudged), key
        for sex in ("M", "F"):
            assert isinstance(getattr(rules.haemoglobin.min_g_l, sex), Quantity | NotJudged)


def test_vietnam_has_every_vital_sign_limit_flagged_with_its_secondary_source():
    rules = registry.current("VN-TT26-2013")
    flagged = set(rules.unverified())
    for key in REQUIRED:
        limit = getattr(rules.vitals, key)
        assert isinstance(limit, Limit) and not limit.verified and limit.source, key
        assert f"vitals.{key}" in flagged
    v = rules.vitals
    assert (v.systolic_min.value, v.systolic_max.value) == (90, 180)  # S41
    assert (v.diastolic_min.value, v.diastolic_max.value) == (50, 100)  # S41
    assert (v.pulse_max.value, v.pulse_max.inclusive) == (100, False)  # S41: < 100/min
    assert v.systolic_min.source == ["S41"]


def test_the_report_lists_vietnams_limits_as_unverified(demo, login):
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"
    page = client.get("/rules/VN-TT26-2013/").content.decode()
    for label in (
        "Minimum systolic pressure (mmHg)",
        "Maximum diastolic pressure (mmHg)",
        "Minimum pulse (per minute)",
        "Maximum temperature (°C)",
    ):
        row = re.search(rf"<tr><td>{re.escape(label)}</td>.*?</tr>", page, re.S)
        assert row and "unverified" in row.group(0), label
    assert "None: no deferral may be overridden under these rules." in page


def test_the_report_says_what_a_rule_set_does_not_judge(demo, login):
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"
    page = client.get("/rules/EU-2004-33/").content.decode()
    assert page.count("not judged by these rules — physician review") == len(REQUIRED)
