"""Every rule set names, with its source, the recipient ages that keep an RhD-negative recipient
on RhD-negative red cells (components.md §5.4, S63), and the report shows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from pydantic import ValidationError

from bloodline.jurisdictions.loader import parse_files
from bloodline.jurisdictions.schema import Quantity, RecipientRhd

RULE_SETS = parse_files(list(Path(settings.BLOODLINE_RULES_DIR).glob("*.toml")))


@pytest.mark.parametrize("rules", RULE_SETS, ids=[f"{r.code} {r.version}" for r in RULE_SETS])
def test_every_rule_set_names_the_recipient_ages_with_their_source(rules) -> None:
    ages = rules.recipient_rhd
    assert (ages.child_max_years.value, ages.childbearing_max_years.value) == (18, 50)
    assert ages.child_max_years.source == ["S63"] == ages.childbearing_max_years.source


def test_a_child_age_above_the_child_bearing_age_is_refused() -> None:
    with pytest.raises(ValidationError, match="child_max_years must not be above"):
        RecipientRhd(
            child_max_years=Quantity(value=51, source=["S63"]),
            childbearing_max_years=Quantity(value=50, source=["S63"]),
        )


@pytest.mark.parametrize("code", ["CN-GB18467-2011", "VN-TT26-2013", "WHO-2012", "EU-2004-33"])
def test_the_report_lists_the_recipient_ages(demo, login, code) -> None:
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"
    page = client.get(f"/rules/{code}/").content.decode()
    assert "RhD-negative red cells only: children up to" in page
    assert "18 years of age" in page and "50 years of age" in page
    assert "S63" in page
