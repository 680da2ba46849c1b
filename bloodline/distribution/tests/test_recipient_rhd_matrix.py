"""The full donor × recipient matrix (ABO × RhD of both) for red cells, whole blood, plasma and
platelets, for recipients of every kind the hospital can describe, with and without each flag.

The expected answer is written here from domain components.md §5 [S63][S64][S65], not read from
the compatibility tables: ABO by antigens (red cells), identity (whole blood) or the listed
preferences (plasma, platelets); RhD by §5.4 — RhD-positive red cells reach an RhD-negative
recipient only in shortage for a known man over 18 or woman over 50 without anti-D or chronic
transfusion, or under a signed emergency release; RhD-positive platelets reach an RhD-negative
recipient who may bear children only with anti-D prophylaxis.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from bloodline.distribution.compatibility import (
    AgeLimits,
    Choice,
    ComponentKind,
    Recipient,
    choices,
    for_recipient,
    refusal,
)

LIMITS = AgeLimits(child_max_years=18, childbearing_max_years=50)  # S63, as in the rule sets
DONORS = [(abo, rhd) for abo in ("O", "A", "B", "AB") for rhd in ("pos", "neg")]
RECIPIENT_GROUPS = [(abo, rhd) for abo in ("O", "A", "B", "AB", "") for rhd in ("pos", "neg", "")]
ANTIGENS = {"O": set(), "A": {"A"}, "B": {"B"}, "AB": {"A", "B"}, "": {"?"}}

# components.md §5.2 and §5.3: recipient → donor groups without and with low-titre units.
PLASMA = {
    "O": ({"O", "A", "B", "AB"}, set()),
    "A": ({"A", "AB"}, {"B"}),
    "B": ({"B", "AB"}, {"A"}),
    "AB": ({"AB", "A"}, {"B"}),
    "": ({"AB", "A"}, set()),  # A only per local policy
}
PLATELETS = {
    "O": ({"O", "A", "B"}, set()),
    "A": ({"A", "AB"}, {"B", "O"}),
    "B": ({"B", "AB"}, {"A", "O"}),
    "AB": ({"AB", "A", "B"}, {"O"}),
    "": ({"A"}, {"O"}),
}

# (name, facts, protected from RhD-positive red cells, may bear children)
PROFILES: list[tuple[str, dict[str, Any], bool, bool]] = [
    ("man of 40", {"sex": "M", "age_years": 40}, False, False),
    ("man of 19", {"sex": "M", "age_years": 19}, False, False),
    ("boy of 18", {"sex": "M", "age_years": 18}, True, False),
    ("boy of 3", {"sex": "M", "age_years": 3}, True, False),
    ("woman of 51", {"sex": "F", "age_years": 51}, False, False),
    ("woman of 50", {"sex": "F", "age_years": 50}, True, True),
    ("woman of 30", {"sex": "F", "age_years": 30}, True, True),
    ("girl of 12", {"sex": "F", "age_years": 12}, True, True),
    (
        "woman of 30 declared without child-bearing potential",
        {"sex": "F", "age_years": 30, "childbearing_potential": False},
        False,
        False,
    ),
    (
        "woman of 55 declared of child-bearing potential",
        {"sex": "F", "age_years": 55, "childbearing_potential": True},
        True,
        True,
    ),
    ("man of 40 with anti-D", {"sex": "M", "age_years": 40, "anti_d": True}, True, False),
    (
        "man of 40 chronically transfused",
        {"sex": "M", "age_years": 40, "chronically_transfused": True},
        True,
        False,
    ),
    (
        "woman of 60 chronically transfused",
        {"sex": "F", "age_years": 60, "chronically_transfused": True},
        True,
        False,
    ),
    ("sex not stated, 40", {"age_years": 40}, True, True),
    ("sex not stated, 60", {"age_years": 60}, True, False),
    ("man, age not stated", {"sex": "M"}, True, False),
    ("woman, age not stated", {"sex": "F"}, True, True),
    ("nothing stated", {}, True, True),
]
GATES: list[dict[str, Any]] = [
    dict(
        zip(
            ("shortage", "anti_d_prophylaxis", "emergency_release", "allow_low_titre"),
            v,
            strict=True,
        )
    )
    for v in itertools.product((False, True), repeat=4)
]
KINDS: tuple[ComponentKind, ...] = ("red_cells", "whole_blood", "plasma", "platelets")


def abo_allowed(kind: str, donor: str, recipient: str, low_titre: bool) -> bool:
    if kind == "red_cells":
        return ANTIGENS[donor] <= ANTIGENS[recipient] or (recipient == "" and donor == "O")
    if kind == "whole_blood":
        return donor == recipient
    plain, titre = (PLASMA if kind == "plasma" else PLATELETS)[recipient]
    return donor in plain or (low_titre and donor in titre)


def rhd_allowed(
    kind: str, donor: str, recipient: str, protected: bool, bears: bool, g: dict[str, bool]
) -> bool:
    if kind == "plasma" or recipient == "pos" or donor == "neg":
        return True
    if kind == "platelets":
        return g["anti_d_prophylaxis"] or not bears
    return g["emergency_release"] or (g["shortage"] and not protected)


def expected_refusal(
    kind: str, donor: tuple[str, str], recipient: tuple[str, str], ok_abo: bool, protected: bool
) -> str:
    if not ok_abo:
        return "abo"
    if kind == "platelets":
        return "anti_d_prophylaxis"
    return "rhd_protected" if protected else "rhd_shortage_only"


@pytest.mark.parametrize(
    ("name", "facts", "protected", "bears"), PROFILES, ids=[p[0] for p in PROFILES]
)
@pytest.mark.parametrize(("recipient_abo", "recipient_rhd"), RECIPIENT_GROUPS)
@pytest.mark.parametrize("kind", KINDS)
def test_it_allows_exactly_the_donor_groups_the_domain_allows_in_preference_order(
    kind: ComponentKind,
    recipient_abo: str,
    recipient_rhd: str,
    name: str,
    facts: dict[str, object],
    protected: bool,
    bears: bool,
) -> None:
    recipient = Recipient(recipient_abo, recipient_rhd, **facts)  # type: ignore[arg-type]
    assert bool(recipient.rhd_protection(LIMITS)) is protected
    assert recipient.may_bear_children(LIMITS) is bears
    everything = choices(
        kind,
        recipient_abo,
        recipient_rhd,
        allow_rhd_shortage=True,
        allow_low_titre=True,
        allow_anti_d_prophylaxis=True,
    )
    for gates in GATES:
        got = for_recipient(kind, recipient, LIMITS, **gates)
        allowed = {
            donor
            for donor in DONORS
            if abo_allowed(kind, donor[0], recipient_abo, gates["allow_low_titre"])
            and rhd_allowed(kind, donor[1], recipient_rhd or "neg", protected, bears, gates)
        }
        assert {(c.abo, c.rhd) for c in got} == allowed, gates
        # Preference order and ranks are those of the full list: flags only remove entries.
        assert [(c.abo, c.rhd, c.rank) for c in got] == [
            (c.abo, c.rhd, c.rank) for c in everything if (c.abo, c.rhd) in allowed
        ]
        for donor in DONORS:
            why = refusal(kind, *donor, recipient, LIMITS, **gates)
            if donor in allowed:
                assert why == ""
            else:
                ok_abo = abo_allowed(kind, donor[0], recipient_abo, gates["allow_low_titre"])
                assert why == expected_refusal(
                    kind, donor, (recipient_abo, recipient_rhd), ok_abo, protected
                ), (donor, gates)


def test_rhd_negative_units_come_before_every_rhd_positive_one_for_an_rhd_negative_recipient() -> (
    None
):
    man = Recipient("AB", "neg", sex="M", age_years=40)
    for kind in ("red_cells", "platelets"):
        got = for_recipient(kind, man, LIMITS, shortage=True, allow_low_titre=True)
        rhd = [c.rhd for c in got]
        assert "pos" in rhd
        assert rhd == sorted(rhd)  # "neg" < "pos": every negative first


def test_an_emergency_release_marks_the_rhd_positive_red_cells_it_opens() -> None:
    girl = Recipient("O", "neg", sex="F", age_years=12)
    got = for_recipient("red_cells", girl, LIMITS, shortage=True, emergency_release=True)
    assert got == [Choice("O", "neg", 0, ""), Choice("O", "pos", 1, "emergency_release")]


def test_the_shortage_flag_alone_keeps_its_own_condition_for_an_unprotected_recipient() -> None:
    man = Recipient("O", "neg", sex="M", age_years=40)
    got = for_recipient("red_cells", man, LIMITS, shortage=True, emergency_release=True)
    assert got[-1] == Choice("O", "pos", 1, "rhd_shortage_only")


def test_the_age_limits_come_from_the_rule_set_not_the_code() -> None:
    woman = Recipient("O", "neg", sex="F", age_years=45)
    assert woman.rhd_protection(AgeLimits(child_max_years=18, childbearing_max_years=50))
    assert not woman.rhd_protection(AgeLimits(child_max_years=16, childbearing_max_years=44))
