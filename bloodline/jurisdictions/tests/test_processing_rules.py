"""Processing rules in the rule sets: which events each jurisdiction states, on which
component types, with what period and source; and broken copies refused at load."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from bloodline.jurisdictions.loader import Registry, RuleSetError, registry

RULES = Path(settings.BLOODLINE_RULES_DIR)
ON = dt.date(2026, 1, 1)
CN = "cn-gb18467-2011.toml"


@pytest.mark.parametrize(
    ("code", "event", "component", "period", "source"),
    [
        ("CN-GB18467-2011", "open", "red_cells_additive", (24, "hours"), ["S58"]),
        ("CN-GB18467-2011", "open", "platelets_apheresis", (24, "hours"), ["S58"]),
        ("CN-GB18467-2011", "wash", "red_cells_additive", (24, "hours"), ["S51"]),
        ("CN-GB18467-2011", "thaw", "red_cells_frozen_glycerol_40", (24, "hours"), ["S56"]),
        ("VN-TT26-2013", "thaw", "plasma_fresh_frozen", (6, "hours"), ["S59"]),
        ("VN-TT26-2013", "thaw", "plasma_fresh_frozen_deep", (6, "hours"), ["S59"]),
    ],
)
def test_it_states_the_period_and_source_of_each_event(code, event, component, period, source):
    rules = registry.get(code, ON)
    rule = rules.processing_rule(event, component)
    assert rule is not None
    found = rules.processing_period(rule)
    assert (found.value, found.unit) == period
    assert rule.source == source
    assert rule.verified and found.verified


@pytest.mark.parametrize(
    ("code", "event", "component"),
    [
        # Thawing applies only to frozen units; washing only to red cells.
        ("VN-TT26-2013", "thaw", "red_cells_additive"),
        ("CN-GB18467-2011", "thaw", "red_cells_additive"),
        ("CN-GB18467-2011", "wash", "plasma_fresh_frozen"),
        ("CN-GB18467-2011", "wash", "platelets_apheresis"),
        # A frozen bag is not "opened" while frozen.
        ("CN-GB18467-2011", "open", "plasma_fresh_frozen"),
        # No source we hold states these: refused, not passed.
        ("VN-TT26-2013", "open", "red_cells_additive"),
        ("VN-TT26-2013", "wash", "red_cells_additive"),
        ("CN-GB18467-2011", "thaw", "plasma_fresh_frozen"),
        ("CN-GB18467-2011", "irradiate", "red_cells_additive"),
        ("EU-2004-33", "open", "red_cells_additive"),
        ("WHO-2012", "thaw", "plasma_fresh_frozen"),
    ],
)
def test_an_event_the_rule_set_does_not_state_has_no_rule(code, event, component):
    assert registry.get(code, ON).processing_rule(event, component) is None


def test_the_types_made_by_processing_count_from_the_event_and_no_recipe_makes_them():
    for code in ("CN-GB18467-2011", "VN-TT26-2013"):
        rules = registry.get(code, ON)
        made = {c.code for c in rules.components if c.counted_from == "processing"}
        assert made
        assert not made & {out for r in rules.recipes for out in r.outputs}
        assert made == {p.result for p in rules.processing if p.result}


def test_the_draft_inherits_chinas_processing_rules():
    current = registry.get("CN-GB18467-2011", ON)
    draft = next(v for v in registry.versions("CN-GB18467-2011") if v.status == "draft")
    assert draft.processing == current.processing


def _broken(tmp_path: Path, edit) -> Path:
    source = (RULES / CN).read_text(encoding="utf-8")
    edited = edit(source)
    assert edited != source, "the edit did not apply"
    (tmp_path / CN).write_text(edited, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda s: s.replace('applies_to = ["red_cells_additive"]',
                                'applies_to = ["red_cells_magic"]'),
            "processing wash: 'red_cells_magic' is not a component of this rule set",
        ),
        (
            lambda s: s.replace('result = "red_cells_washed"', 'result = "red_cells_additive"'),
            "processing wash: the result 'red_cells_additive' must be a component",
        ),
        (
            lambda s: s.replace('result = "red_cells_washed"\n', ""),
            "a processing rule needs either result or period",
        ),
        (
            lambda s: s.replace('applies_to = ["red_cells_additive"]',
                                'applies_to = ["red_cells_washed"]'),
            "processing wash: red_cells_washed is itself made by processing",
        ),
        (
            lambda s: s.replace('event = "wash"', 'event = "open"'),
            "processing open: red_cells_additive has two rules",
        ),
        (
            lambda s: s.replace('event = "wash"', 'event = "bake"'),
            "processing.1.event: Input should be",
        ),
        (
            lambda s: s.replace('outputs = ["red_cells_additive", "plasma_fresh_frozen"]',
                                'outputs = ["red_cells_washed", "plasma_fresh_frozen"]'),
            "recipe red_cells_plasma: red_cells_washed is made by a processing event",
        ),
    ],
)  # fmt: skip
def test_a_broken_processing_rule_is_refused(tmp_path, edit, message):
    with pytest.raises(RuleSetError) as caught:
        Registry().load(_broken(tmp_path, edit))
    assert message in str(caught.value), str(caught.value)


def test_the_report_lists_the_processing_rules_with_their_sources(demo, login):
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"
    page = client.get("/rules/VN-TT26-2013/").content.decode()
    assert "Processing and expiry" in page
    assert "<code>plasma_fresh_frozen_deep</code>" in page
    assert "the event + the shelf life of <code>plasma_thawed</code>" in page
    china = client.get("/rules/CN-GB18467-2011/").content.decode()
    assert "the event + 24 hours" in china
    assert "Processing and expiry" not in client.get("/rules/EU-2004-33/").content.decode()


def test_the_rule_data_and_the_inventory_name_the_same_processing_steps():
    from typing import get_args

    from bloodline.inventory.models import ProcessingKind
    from bloodline.jurisdictions.schema import ProcessingStep

    assert set(get_args(ProcessingStep)) == set(ProcessingKind.values)
