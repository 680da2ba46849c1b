"""The contact-fatigue cap of call-outs as rule data (issue 15 §3, decision 0062): whole
messages within a number of days, flagged as configuration in the China and Vietnam rule
sets, listed on the rule-set page; a rule set without one says call-outs message no one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from bloodline.jurisdictions.loader import registry
from bloodline.jurisdictions.schema import ContactCap

NOTE = dict.fromkeys(("en", "vi", "zh-hans", "zh-hant", "fr", "es"), "configuration")


def cap(messages: float, within: int, unit: str = "days") -> ContactCap:
    return ContactCap.model_validate(
        {
            "messages": {"value": messages, "verified": False, "note": NOTE},
            "within": {"value": within, "unit": unit, "verified": False, "note": NOTE},
        }
    )


def test_a_cap_counts_whole_messages_within_days() -> None:
    found = cap(2, 30)
    assert (found.messages.value, found.within.value) == (2, 30)
    with pytest.raises(ValidationError, match="whole messages"):
        cap(1.5, 30)
    with pytest.raises(ValidationError, match="counted in days"):
        cap(2, 4, unit="weeks")
    with pytest.raises(ValidationError):
        cap(0, 30)  # at least one message, or call-outs could never reach anyone


@pytest.mark.parametrize("code", ["CN-GB18467-2011", "VN-TT26-2013"])
def test_china_and_vietnam_ship_a_cap_flagged_as_configuration(code: str) -> None:
    rules = registry.get(code, dt.date(2026, 12, 7)).supply
    assert rules is not None and rules.contact_cap is not None
    assert (rules.contact_cap.messages.value, rules.contact_cap.within.value) == (2, 30)
    assert not rules.contact_cap.messages.verified and not rules.contact_cap.within.verified


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("VN-TT26-2013", "au plus 2 messages par donneur en 30 jours"),
        ("WHO-2012", "Pas de niveaux d'approvisionnement"),
    ],
)
def test_the_rule_set_page_lists_the_cap(demo: Any, login: Any, code: str, expected: str) -> None:
    client = login("drive_nurse")
    client.cookies["django_language"] = "fr"
    assert expected in client.get(f"/rules/{code}/").content.decode()
