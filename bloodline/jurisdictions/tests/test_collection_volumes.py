"""Per bag size, the minimum of a complete collection and the maximum a bag may hold
(issue 10, "Why" 1; decision 0019). None of the shipped values has a primary source for this
use, so every one is flagged for the deployer."""

from __future__ import annotations

from pathlib import Path

import pytest

from bloodline.jurisdictions.loader import Registry, RuleSetError, registry

RULES = Path(__file__).resolve().parents[1] / "rules"


@pytest.mark.parametrize(
    ("code", "limits"),
    [
        # ± 10 % of the label: 90 % and 110 % of each bag (calc.)
        ("VN-TT26-2013", [(250, 225, 275), (350, 315, 385), (450, 405, 495)]),
        ("CN-GB18467-2011", [(200, 180, 220), (300, 270, 330), (400, 360, 440)]),
        ("WHO-2012", [(350, 315, 385), (450, 405, 495)]),
        ("EU-2004-33", [(450, 405, 495)]),
    ],
)
def test_each_bag_size_has_its_complete_collection_limits(code, limits):
    volumes = registry.current(code).whole_blood_volumes
    assert [(c.bag_ml, c.min_complete_ml, c.max_ml) for c in volumes.collection] == limits
    assert all(not c.verified for c in volumes.collection)
    assert not volumes.low_volume_allowed  # absent means not allowed


def test_vietnam_cites_its_qc_rule_and_china_has_no_source():
    vn = registry.current("VN-TT26-2013").whole_blood_volumes.limits(350)
    cn = registry.current("CN-GB18467-2011").whole_blood_volumes.limits(400)
    assert vn is not None and vn.source == ["S52"]
    assert cn is not None and cn.source == []
    assert cn.note["en"].startswith("No value in the sources")
    assert registry.current("VN-TT26-2013").whole_blood_volumes.limits(300) is None


def _load(tmp_path: Path, old: str, new: str) -> None:
    text = (RULES / "vn-tt26-2013.toml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "vn.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    Registry().load(tmp_path)


def test_a_bag_size_without_limits_is_refused(tmp_path):
    with pytest.raises(RuleSetError) as caught:
        # The 450 mL entry becomes a second 350 mL one: 450 has no limits.
        old = "bag_ml = 450\nmin_complete_ml = 405\nmax_ml = 495"
        _load(tmp_path, old, "bag_ml = 350\nmin_complete_ml = 315\nmax_ml = 385")
    assert "one entry for each bag size" in str(caught.value)


def test_a_minimum_above_the_bag_is_refused(tmp_path):
    with pytest.raises(RuleSetError) as caught:
        _load(tmp_path, "min_complete_ml = 315", "min_complete_ml = 360")
    assert "min_complete_ml <= bag_ml <= max_ml" in str(caught.value)


def test_the_report_shows_the_limits_flagged_for_the_deployer(demo, login):
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"
    page = client.get("/rules/VN-TT26-2013/").content.decode()
    row = page.split('data-rule="collection-350"')[1].split("</tr>")[0]
    assert "Complete collection in a 350 mL bag (mL)" in row
    assert "at least 315, at most 385" in row
    assert "S52" in row and "unverified" in row
    low = page.split('data-rule="low-volume-product"')[1].split("</tr>")[0]
    assert "not allowed" in low
