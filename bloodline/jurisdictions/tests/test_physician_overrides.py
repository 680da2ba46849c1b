"""Rule data marks which temporary deferrals a physician may override (decision 0015); the
loader refuses marks on permanent deferrals, recorded deferrals and codes it does not know."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from bloodline.jurisdictions.loader import Registry, RuleSetError, registry

RULES = Path(settings.BLOODLINE_RULES_DIR)


def _vn_with(tmp_path: Path, *codes: str) -> Path:
    text = (RULES / "vn-tt26-2013.toml").read_text(encoding="utf-8")
    entries = ", ".join(f'{{ code = "{c}", verified = false }}' for c in codes)
    text = text.replace("\nprovenance = ", f"\nphysician_overrides = [{entries}]\nprovenance = ", 1)
    (tmp_path / "vn.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_no_shipped_rule_set_lets_a_physician_override_anything():
    for code in registry.codes():
        assert all(not v.physician_overrides for v in registry.versions(code)), code


@pytest.mark.parametrize(
    "code",
    [
        "hb.low",
        "weight.low",
        "temperature.high",
        "interval.whole_blood_after_whole_blood",
        "deferral.tattoo",
    ],
)
def test_temporary_reasons_may_be_marked(tmp_path, code):
    loaded = Registry()
    loaded.load(_vn_with(tmp_path, code))
    rules = loaded.current("VN-TT26-2013")
    assert rules.overridable() == {code}
    assert "physician_overrides.0" in rules.unverified()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("deferral.hiv_positive", "a permanent deferral is never overridable"),
        ("deferral.recorded.confirmed_positive_hiv", "is never overridable"),
        ("age.over_max", "is not a temporary deferral reason of this rule set"),
        ("interval.double_red_cells_after_whole_blood", "is not a temporary deferral reason"),
        ("deferral.no_such_question", "is not a temporary deferral reason"),
    ],
)
def test_permanent_recorded_and_unknown_reasons_are_refused(tmp_path, code, message):
    with pytest.raises(RuleSetError) as caught:
        Registry().load(_vn_with(tmp_path, code))
    assert message in str(caught.value)


def test_a_reason_is_marked_once(tmp_path):
    with pytest.raises(RuleSetError) as caught:
        Registry().load(_vn_with(tmp_path, "hb.low", "hb.low"))
    assert "listed twice" in str(caught.value)


def test_the_engine_codes_for_measured_values_are_the_ones_the_schema_accepts():
    from bloodline.jurisdictions.schema import MEASURED_REASON_CODES
    from bloodline.screening.engine import VITAL_CHECKS

    engine_codes = {code for code, _key, _minimum in VITAL_CHECKS} | {"weight.low", "hb.low"}
    assert engine_codes == MEASURED_REASON_CODES
