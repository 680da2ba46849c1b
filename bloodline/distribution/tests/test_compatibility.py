"""ABO/RhD compatibility, donor → recipient: every row of domain components.md §5.1–§5.4."""

from __future__ import annotations

from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bloodline.distribution.compatibility import (
    Choice,
    ComponentKind,
    choice_for,
    choices,
    is_compatible,
    rank,
)

KINDS: tuple[ComponentKind, ...] = get_args(ComponentKind)
GROUPS = ("O", "A", "B", "AB")
RHD = ("pos", "neg")
ANTIGENS = {"O": set(), "A": {"A"}, "B": {"B"}, "AB": {"A", "B"}}
ALL_FLAGS = {
    "allow_rhd_shortage": True,
    "allow_low_titre": True,
    "allow_anti_d_prophylaxis": True,
}


def tiers(kind: ComponentKind, abo: str, rhd: str, **flags: bool) -> list[set[str]]:
    """Donor ABO groups of the recipient's own RhD type (neg when unknown), grouped by rank."""
    same_rhd = rhd or "neg"
    grouped: dict[int, set[str]] = {}
    for choice in choices(kind, abo, rhd, **flags):
        if choice.rhd == same_rhd:
            grouped.setdefault(choice.rank, set()).add(choice.abo)
    return [grouped[key] for key in sorted(grouped)]


def pairs(kind: ComponentKind, abo: str, rhd: str, **flags: bool) -> list[tuple[str, str]]:
    return [(c.abo, c.rhd) for c in choices(kind, abo, rhd, **flags)]


# §5.1 red cells: (recipient, first choice, also acceptable, never).
RED_CELLS = [
    ("O", "O", set(), {"A", "B", "AB"}),
    ("A", "A", {"O"}, {"B", "AB"}),
    ("B", "B", {"O"}, {"A", "AB"}),
    ("AB", "AB", {"A", "B", "O"}, set()),
    ("", "O", set(), {"A", "B", "AB"}),
]


@pytest.mark.parametrize(("recipient", "first", "acceptable", "never"), RED_CELLS)
@pytest.mark.parametrize("kind", ["red_cells", "granulocytes"])
def test_it_follows_the_red_cell_table_for_every_recipient(
    kind: ComponentKind, recipient: str, first: str, acceptable: set[str], never: set[str]
) -> None:
    for rhd in ("pos", "neg", ""):
        listed = choices(kind, recipient, rhd, **ALL_FLAGS)
        assert listed[0].abo == first
        assert listed[0].rank == 0
        assert {c.abo for c in listed} == {first} | acceptable
        for donor_abo in never:
            for donor_rhd in RHD:
                assert not is_compatible(kind, donor_abo, donor_rhd, recipient, rhd, **ALL_FLAGS)
                assert rank(kind, donor_abo, donor_rhd, recipient, rhd, **ALL_FLAGS) is None


def test_it_never_gives_a_red_cells_to_an_o_recipient() -> None:
    assert not is_compatible("red_cells", "A", "neg", "O", "neg")
    assert not is_compatible("red_cells", "A", "pos", "O", "pos", **ALL_FLAGS)


def test_it_never_gives_ab_red_cells_to_an_a_or_b_recipient() -> None:
    assert not is_compatible("red_cells", "AB", "pos", "A", "pos")
    assert not is_compatible("red_cells", "AB", "pos", "B", "pos")
    assert not is_compatible("red_cells", "B", "neg", "A", "neg")


def test_it_gives_o_red_cells_to_an_a_recipient_after_a() -> None:
    assert rank("red_cells", "A", "pos", "A", "pos") == 0
    assert rank("red_cells", "O", "pos", "A", "pos") == 2  # after A pos and A neg


def test_it_keeps_o_red_cells_last_for_an_ab_recipient() -> None:
    assert tiers("red_cells", "AB", "neg") == [{"AB"}, {"A", "B"}, {"O"}]


@pytest.mark.parametrize("kind", ["red_cells", "granulocytes"])
def test_it_gives_an_unknown_recipient_only_o_red_cells_o_neg_first(kind: ComponentKind) -> None:
    assert pairs(kind, "", "") == [("O", "neg")]
    assert pairs(kind, "", "", allow_rhd_shortage=True) == [("O", "neg"), ("O", "pos")]


def test_it_spares_o_neg_when_only_the_abo_group_is_unknown() -> None:
    assert pairs("red_cells", "", "pos") == [("O", "pos"), ("O", "neg")]


@pytest.mark.parametrize("recipient", GROUPS)
def test_it_gives_whole_blood_only_of_the_identical_abo_group(recipient: str) -> None:
    assert pairs("whole_blood", recipient, "pos") == [(recipient, "pos"), (recipient, "neg")]
    assert pairs("whole_blood", recipient, "neg") == [(recipient, "neg")]
    assert pairs("whole_blood", recipient, "neg", allow_rhd_shortage=True) == [
        (recipient, "neg"),
        (recipient, "pos"),
    ]
    for donor_abo in set(GROUPS) - {recipient}:
        for donor_rhd in RHD:
            assert not is_compatible(
                "whole_blood", donor_abo, donor_rhd, recipient, "pos", **ALL_FLAGS
            )


def test_it_never_gives_o_whole_blood_to_an_a_recipient() -> None:
    assert not is_compatible("whole_blood", "O", "neg", "A", "pos", **ALL_FLAGS)


def test_it_gives_no_whole_blood_to_a_recipient_of_unknown_group() -> None:
    for rhd in ("pos", "neg", ""):
        assert choices("whole_blood", "", rhd, **ALL_FLAGS) == []


def test_granulocytes_follow_the_red_cell_rules() -> None:
    for abo in (*GROUPS, ""):
        for rhd in ("pos", "neg", ""):
            for flags in ({}, ALL_FLAGS):
                assert choices("granulocytes", abo, rhd, **flags) == choices(
                    "red_cells", abo, rhd, **flags
                )


# §5.4 RhD rules for red cells.


def test_it_gives_an_rhd_negative_recipient_only_rhd_negative_red_cells() -> None:
    assert pairs("red_cells", "A", "neg") == [("A", "neg"), ("O", "neg")]
    assert not is_compatible("red_cells", "A", "pos", "A", "neg")


def test_it_gives_rhd_positive_red_cells_to_an_rhd_negative_recipient_only_in_shortage() -> None:
    listed = choices("red_cells", "AB", "neg", allow_rhd_shortage=True)
    negatives = [c for c in listed if c.rhd == "neg"]
    positives = [c for c in listed if c.rhd == "pos"]
    assert listed == negatives + positives  # every RhD-pos unit after every RhD-neg one
    assert max(c.rank for c in negatives) < min(c.rank for c in positives)
    assert {c.conditional for c in positives} == {"rhd_shortage_only"}
    assert {c.conditional for c in negatives} == {""}
    assert [c.abo for c in positives] == ["AB", "A", "B", "O"]


def test_it_treats_a_recipient_of_unknown_rhd_as_rhd_negative_for_red_cells() -> None:
    assert pairs("red_cells", "B", "") == [("B", "neg"), ("O", "neg")]
    assert choices("red_cells", "B", "", allow_rhd_shortage=True) == choices(
        "red_cells", "B", "neg", allow_rhd_shortage=True
    )


def test_it_gives_rhd_negative_red_cells_to_an_rhd_positive_recipient_after_positive() -> None:
    assert choices("red_cells", "A", "pos") == [
        Choice("A", "pos", 0, ""),
        Choice("A", "neg", 1, ""),
        Choice("O", "pos", 2, ""),
        Choice("O", "neg", 3, ""),
    ]


# §5.2 plasma, cryoprecipitate: (recipient, tiers without flags, tiers with low-titre).
PLASMA = [
    ("O", [{"O"}, {"A"}, {"B"}, {"AB"}], [{"O"}, {"A"}, {"B"}, {"AB"}]),
    ("A", [{"A"}, {"AB"}], [{"A"}, {"AB"}, {"B"}]),
    ("B", [{"B"}, {"AB"}], [{"B"}, {"AB"}, {"A"}]),
    ("AB", [{"AB"}, {"A"}], [{"AB"}, {"A"}, {"B"}]),
    ("", [{"AB"}, {"A"}], [{"AB"}, {"A"}]),
]


@pytest.mark.parametrize(("recipient", "plain", "low_titre"), PLASMA)
@pytest.mark.parametrize("kind", ["plasma", "cryoprecipitate"])
@pytest.mark.parametrize("rhd", ["pos", "neg", ""])
def test_it_follows_the_plasma_table_for_every_recipient(
    kind: ComponentKind,
    rhd: str,
    recipient: str,
    plain: list[set[str]],
    low_titre: list[set[str]],
) -> None:
    assert tiers(kind, recipient, rhd) == plain
    assert tiers(kind, recipient, rhd, allow_low_titre=True) == low_titre


@pytest.mark.parametrize(("recipient", "donor"), [("A", "B"), ("B", "A"), ("AB", "B")])
def test_it_gives_incompatible_plasma_only_if_low_titre(recipient: str, donor: str) -> None:
    assert not is_compatible("plasma", donor, "pos", recipient, "pos")
    found = choice_for("plasma", donor, "pos", recipient, "pos", allow_low_titre=True)
    assert found is not None
    assert found.conditional == "low_titre"


def test_it_never_gives_o_plasma_to_a_non_o_recipient() -> None:
    for recipient in ("A", "B", "AB", ""):
        for kind in ("plasma", "cryoprecipitate"):
            assert not is_compatible(kind, "O", "neg", recipient, "neg", **ALL_FLAGS)


def test_it_gives_a_plasma_to_an_unknown_recipient_only_per_local_policy() -> None:
    found = choice_for("plasma", "A", "pos", "", "")
    assert found is not None
    assert (found.rank, found.conditional) == (1, "local_policy")
    assert not is_compatible("plasma", "B", "pos", "", "", **ALL_FLAGS)


def test_it_does_not_match_rhd_for_plasma() -> None:
    listed = choices("cryoprecipitate", "A", "neg")
    assert listed == [
        Choice("A", "neg", 0, ""),
        Choice("A", "pos", 0, ""),  # same rank: identical RhD first only as a tie-break
        Choice("AB", "neg", 1, ""),
        Choice("AB", "pos", 1, ""),
    ]
    assert pairs("plasma", "O", "pos")[:2] == [("O", "pos"), ("O", "neg")]


# §5.3 platelets: (recipient, tiers without flags, tiers with low-titre).
PLATELETS = [
    ("O", [{"O"}, {"A"}, {"B"}], [{"O"}, {"A"}, {"B"}]),
    ("A", [{"A"}, {"AB"}], [{"A"}, {"B", "O"}, {"AB"}]),
    ("B", [{"B"}, {"AB"}], [{"B"}, {"A", "O"}, {"AB"}]),
    ("AB", [{"AB"}, {"A", "B"}], [{"AB"}, {"A", "B"}, {"O"}]),
    ("", [{"A"}], [{"A"}, {"O"}]),
]


@pytest.mark.parametrize(("recipient", "plain", "low_titre"), PLATELETS)
@pytest.mark.parametrize("rhd", ["pos", "neg", ""])
def test_it_follows_the_platelet_table_for_every_recipient(
    rhd: str, recipient: str, plain: list[set[str]], low_titre: list[set[str]]
) -> None:
    assert tiers("platelets", recipient, rhd) == plain
    assert tiers("platelets", recipient, rhd, allow_low_titre=True) == low_titre


def test_it_never_gives_ab_platelets_to_an_o_recipient() -> None:
    assert not is_compatible("platelets", "AB", "neg", "O", "neg", **ALL_FLAGS)


def test_it_prefers_a2_platelets_for_an_o_recipient() -> None:
    found = choice_for("platelets", "A", "pos", "O", "pos")
    assert found is not None
    assert (found.rank, found.conditional) == (2, "a2_preferred")


def test_it_marks_low_titre_platelets() -> None:
    found = choice_for("platelets", "O", "pos", "AB", "pos", allow_low_titre=True)
    assert found is not None
    assert found.conditional == "low_titre"
    assert not is_compatible("platelets", "O", "pos", "AB", "pos")


def test_it_gives_rhd_positive_platelets_to_an_rhd_negative_recipient_with_anti_d() -> None:
    assert all(c.rhd == "neg" for c in choices("platelets", "A", "neg", allow_low_titre=True))
    listed = choices("platelets", "A", "neg", allow_low_titre=True, allow_anti_d_prophylaxis=True)
    negatives = [c for c in listed if c.rhd == "neg"]
    positives = [c for c in listed if c.rhd == "pos"]
    assert listed == negatives + positives
    assert [c.abo for c in positives] == ["A", "B", "O", "AB"]
    assert all("anti_d_prophylaxis" in c.conditions for c in positives)
    assert not any("anti_d_prophylaxis" in c.conditions for c in negatives)
    # An ABO and an RhD condition on the same unit are both kept.
    assert choice_for(
        "platelets", "O", "pos", "A", "neg", allow_low_titre=True, allow_anti_d_prophylaxis=True
    ) == Choice("O", "pos", 4, "low_titre+anti_d_prophylaxis")
    assert Choice("O", "pos", 4, "low_titre+anti_d_prophylaxis").conditions == (
        "low_titre",
        "anti_d_prophylaxis",
    )


def test_it_treats_a_recipient_of_unknown_rhd_as_rhd_negative_for_platelets() -> None:
    assert choices("platelets", "B", "", **ALL_FLAGS) == choices(
        "platelets", "B", "neg", **ALL_FLAGS
    )


def test_it_gives_rhd_negative_platelets_to_an_rhd_positive_recipient_after_positive() -> None:
    assert pairs("platelets", "AB", "pos")[:4] == [
        ("AB", "pos"),
        ("AB", "neg"),
        ("A", "pos"),
        ("B", "pos"),
    ]
    assert not any(c.conditional for c in choices("platelets", "AB", "pos"))


# Flags.


def test_flags_only_remove_entries_and_never_change_a_rank() -> None:
    for kind in KINDS:
        for abo in (*GROUPS, ""):
            for rhd in ("pos", "neg", ""):
                full = choices(kind, abo, rhd, **ALL_FLAGS)
                for flags in ({}, {"allow_low_titre": True}, {"allow_rhd_shortage": True}):
                    subset = choices(kind, abo, rhd, **flags)
                    assert subset == [c for c in full if c in subset]


def test_the_shortage_flag_does_not_touch_platelets_or_plasma() -> None:
    for kind in ("platelets", "plasma", "cryoprecipitate"):
        assert choices(kind, "A", "neg", allow_rhd_shortage=True) == choices(kind, "A", "neg")


def test_the_low_titre_flag_does_not_touch_red_cells() -> None:
    assert choices("red_cells", "AB", "neg", allow_low_titre=True) == choices(
        "red_cells", "AB", "neg"
    )


# Invalid input.


@pytest.mark.parametrize(
    ("kind", "abo", "rhd"),
    [
        ("red_cell", "A", "pos"),
        ("", "A", "pos"),
        ("red_cells", "C", "pos"),
        ("red_cells", "a", "pos"),
        ("red_cells", "0", "pos"),
        ("red_cells", "A", "+"),
        ("red_cells", "A", "positive"),
        ("platelets", "A", "Pos"),
    ],
)
def test_it_rejects_an_unknown_kind_or_recipient_group(kind: str, abo: str, rhd: str) -> None:
    with pytest.raises(ValueError, match="unknown"):
        choices(kind, abo, rhd)  # type: ignore[arg-type]


@pytest.mark.parametrize(("abo", "rhd"), [("", "pos"), ("A", ""), ("O-", "neg"), ("A", "D")])
def test_it_rejects_an_unknown_donor_group(abo: str, rhd: str) -> None:
    with pytest.raises(ValueError, match="donor"):
        rank("red_cells", abo, rhd, "A", "pos")
    with pytest.raises(ValueError, match="donor"):
        is_compatible("plasma", abo, rhd, "A", "pos")


def test_it_rejects_an_unknown_kind_in_the_donor_lookups() -> None:
    with pytest.raises(ValueError, match="kind"):
        is_compatible("blood", "O", "neg", "O", "neg")  # type: ignore[arg-type]


# Properties over every kind and recipient.

recipient_abo = st.sampled_from((*GROUPS, ""))
recipient_rhd = st.sampled_from((*RHD, ""))


@given(
    kind=st.sampled_from(KINDS),
    abo=recipient_abo,
    rhd=recipient_rhd,
    allow_rhd_shortage=st.booleans(),
    allow_low_titre=st.booleans(),
)
def test_every_preference_list_is_well_formed(
    kind: ComponentKind,
    abo: str,
    rhd: str,
    allow_rhd_shortage: bool,
    allow_low_titre: bool,
) -> None:
    flags = {"allow_rhd_shortage": allow_rhd_shortage, "allow_low_titre": allow_low_titre}
    listed = choices(kind, abo, rhd, **flags)
    donors = [(c.abo, c.rhd) for c in listed]
    assert len(donors) == len(set(donors))
    assert [c.rank for c in listed] == sorted(c.rank for c in listed)
    if abo and rhd:
        assert listed[0] == Choice(abo, rhd, 0, "")
    for choice in listed:
        assert rank(kind, choice.abo, choice.rhd, abo, rhd, **flags) == choice.rank
        assert is_compatible(kind, choice.abo, choice.rhd, abo, rhd, **flags)
        if "low_titre" in choice.conditions:
            assert allow_low_titre
        if "rhd_shortage_only" in choice.conditions:
            assert allow_rhd_shortage
    for donor_abo in GROUPS:
        for donor_rhd in RHD:
            if (donor_abo, donor_rhd) not in donors:
                assert rank(kind, donor_abo, donor_rhd, abo, rhd, **flags) is None


@given(
    kind=st.sampled_from(["red_cells", "whole_blood", "granulocytes"]),
    abo=recipient_abo,
    rhd=recipient_rhd,
    allow_rhd_shortage=st.booleans(),
)
def test_red_cells_never_carry_an_abo_antigen_the_recipient_lacks(
    kind: ComponentKind, abo: str, rhd: str, allow_rhd_shortage: bool
) -> None:
    recipient_antigens = ANTIGENS[abo] if abo else set()  # unknown: assume group O
    listed = choices(kind, abo, rhd, allow_rhd_shortage=allow_rhd_shortage, allow_low_titre=True)
    for choice in listed:
        assert ANTIGENS[choice.abo] <= recipient_antigens
        if choice.rhd == "pos" and rhd != "pos":
            assert allow_rhd_shortage
            assert choice.conditional == "rhd_shortage_only"
