"""ABO/RhD compatibility of blood components, donor → recipient, as ordered preference lists.

Pure data and functions; no database, no settings. Encodes domain components.md §5
[S63][S64][S65] so that allocation can suggest the best available unit and block the "never"
cells outright.

Each component kind combines an ABO table (per recipient ABO group, the acceptable donor groups
with a rank and an optional condition) and an RhD table (per recipient RhD type, the acceptable
donor types with a tier, a step and an optional condition). A donor (ABO, RhD) pair is ordered by
``(RhD tier, ABO rank, RhD step)``; its ``rank`` is the dense position of that key in the full,
unfiltered list, so a unit keeps the same rank whatever flags the caller passes: the flags only
remove the conditional entries they gate.

A recipient group may be unknown (``""``, an emergency): red cells then come from group O, plasma
from AB, and a recipient of unknown RhD type is treated as RhD-negative.

``for_recipient`` adds what the hospital knows of the recipient (sex, age, child-bearing
potential, anti-D, chronic transfusion; components.md §5.4): it decides the two RhD gates
(shortage, anti-D prophylaxis) from those facts and the rule set's age limits, so a caller cannot
open them for a recipient who must be protected. Unknown facts count as the strictest case.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal, get_args

from bloodline.lib.blood_groups import ABO_GROUPS, RHD_TYPES

ComponentKind = Literal[
    "whole_blood", "red_cells", "platelets", "plasma", "cryoprecipitate", "granulocytes"
]

KINDS: tuple[str, ...] = get_args(ComponentKind)
UNKNOWN = ""  # a recipient group not yet known (emergency)

# Condition codes carried by a Choice. The first and last are gated by a flag of choices().
LOW_TITRE = "low_titre"  # only a unit tested low-titre for anti-A/anti-B
A2_PREFERRED = "a2_preferred"  # group A2 preferred over A1 (weaker A antigen)
ANTI_D_PROPHYLAXIS = "anti_d_prophylaxis"  # RhD-pos platelets to an RhD-neg recipient
LOCAL_POLICY = "local_policy"  # acceptable only where local policy allows it
RHD_SHORTAGE_ONLY = "rhd_shortage_only"  # RhD-pos red cells to an RhD-neg recipient
# Replaces RHD_SHORTAGE_ONLY when RhD-pos red cells are opened by a signed emergency release.
EMERGENCY_RELEASE = "emergency_release"

# Why an RhD-negative recipient (or one of unknown RhD type) must receive RhD-negative red cells
# even in shortage (components.md §5.4) [S63]; unknown sex or age counts as the strictest case.
ANTI_D = "anti_d"
CHRONIC_TRANSFUSION = "chronic_transfusion"
CHILD = "child"
CHILDBEARING = "childbearing_potential"
SEX_UNKNOWN = "sex_unknown"
AGE_UNKNOWN = "age_unknown"
# The component kinds that carry a red-cell dose and so follow the red-cell RhD rules.
RED_CELL_KINDS = frozenset({"whole_blood", "red_cells", "granulocytes"})

# (donor ABO, rank, condition); entries joined by "or" in the source share a rank.
AboEntry = tuple[str, int, str]
AboTable = dict[str, tuple[AboEntry, ...]]
# (donor RhD, tier, step, condition): a higher tier comes after every lower-tier entry of every
# ABO group; a higher step comes after the lower step of the same ABO group only.
RhdEntry = tuple[str, int, int, str]
RhdTable = dict[str, tuple[RhdEntry, ...]]

# [S63] §5.1 heading: whole blood carries donor plasma and red cells, so ABO-identical only. A
# recipient of unknown group cannot be matched: give group O red cells instead.
WHOLE_BLOOD_ABO: AboTable = {group: ((group, 0, ""),) for group in ABO_GROUPS} | {UNKNOWN: ()}

# [S63] §5.1 red cells. "Also acceptable" for AB gives no order: A and B share a rank and O
# comes last, because O red cells are the only ones O and unknown recipients can receive.
RED_CELLS_ABO: AboTable = {
    "O": (("O", 0, ""),),
    "A": (("A", 0, ""), ("O", 1, "")),
    "B": (("B", 0, ""), ("O", 1, "")),
    "AB": (("AB", 0, ""), ("A", 1, ""), ("B", 1, ""), ("O", 2, "")),
    UNKNOWN: (("O", 0, ""),),
}

# [S64] §5.2 plasma, cryoprecipitate, cryo-poor plasma: "order of preference", in listed order
# (AB plasma last for an O recipient: it is the only plasma every group can receive).
PLASMA_ABO: AboTable = {
    "O": (("O", 0, ""), ("A", 1, ""), ("B", 2, ""), ("AB", 3, "")),
    "A": (("A", 0, ""), ("AB", 1, ""), ("B", 2, LOW_TITRE)),
    "B": (("B", 0, ""), ("AB", 1, ""), ("A", 2, LOW_TITRE)),
    "AB": (("AB", 0, ""), ("A", 1, ""), ("B", 2, LOW_TITRE)),
    UNKNOWN: (("AB", 0, ""), ("A", 1, LOCAL_POLICY)),
}

# [S64] §5.3 platelets: tiers separated by ";" in the source; "(low-titre)" applies to every
# group of its tier.
PLATELETS_ABO: AboTable = {
    "O": (("O", 0, ""), ("A", 1, A2_PREFERRED), ("B", 2, "")),
    "A": (("A", 0, ""), ("B", 1, LOW_TITRE), ("O", 1, LOW_TITRE), ("AB", 2, "")),
    "B": (("B", 0, ""), ("A", 1, LOW_TITRE), ("O", 1, LOW_TITRE), ("AB", 2, "")),
    "AB": (("AB", 0, ""), ("A", 1, ""), ("B", 1, ""), ("O", 2, LOW_TITRE)),
    UNKNOWN: (("A", 0, ""), ("O", 1, LOW_TITRE)),
}

# [S63] §5.4 red cells: RhD-neg (or unknown) recipients get RhD-neg; RhD-pos only in shortage,
# after every RhD-neg unit. RhD-pos recipients may get RhD-neg, after RhD-pos of the same ABO
# group, because RhD-neg units are scarce.
RED_CELLS_RHD: RhdTable = {
    "pos": (("pos", 0, 0, ""), ("neg", 0, 1, "")),
    "neg": (("neg", 0, 0, ""), ("pos", 1, 0, RHD_SHORTAGE_ONLY)),
    UNKNOWN: (("neg", 0, 0, ""), ("pos", 1, 0, RHD_SHORTAGE_ONLY)),
}

# [S64][S65] §5.4 platelets: RhD-pos platelets to an RhD-neg (or unknown) recipient are allowed
# after every RhD-neg unit, with anti-D prophylaxis.
PLATELETS_RHD: RhdTable = {
    "pos": (("pos", 0, 0, ""), ("neg", 0, 1, "")),
    "neg": (("neg", 0, 0, ""), ("pos", 1, 0, ANTI_D_PROPHYLAXIS)),
    UNKNOWN: (("neg", 0, 0, ""), ("pos", 1, 0, ANTI_D_PROPHYLAXIS)),
}

# [S64] §5.2 plasma is not RhD-matched: both types share a rank; the identical type is listed
# first only as a tie-break.
PLASMA_RHD: RhdTable = {
    "pos": (("pos", 0, 0, ""), ("neg", 0, 0, "")),
    "neg": (("neg", 0, 0, ""), ("pos", 0, 0, "")),
    UNKNOWN: (("pos", 0, 0, ""), ("neg", 0, 0, "")),
}

# Granulocyte concentrates contain many red cells (a red-cell dose), so they follow the red-cell
# ABO and RhD rules.
RULES: dict[str, tuple[AboTable, RhdTable]] = {
    "whole_blood": (WHOLE_BLOOD_ABO, RED_CELLS_RHD),
    "red_cells": (RED_CELLS_ABO, RED_CELLS_RHD),
    "granulocytes": (RED_CELLS_ABO, RED_CELLS_RHD),
    "plasma": (PLASMA_ABO, PLASMA_RHD),
    "cryoprecipitate": (PLASMA_ABO, PLASMA_RHD),
    "platelets": (PLATELETS_ABO, PLATELETS_RHD),
}


@dataclass(frozen=True)
class Choice:
    """An acceptable donor group for a recipient: 0 is the first choice (identical group)."""

    abo: str
    rhd: str
    rank: int
    # "" or a condition code; two codes (an ABO and an RhD one) are joined with "+".
    conditional: str

    @property
    def conditions(self) -> tuple[str, ...]:
        return tuple(code for code in self.conditional.split("+") if code)


def choices(
    kind: ComponentKind,
    recipient_abo: str,
    recipient_rhd: str,
    *,
    allow_rhd_shortage: bool = False,
    allow_low_titre: bool = False,
    allow_anti_d_prophylaxis: bool = False,
) -> list[Choice]:
    """Every acceptable donor (ABO, RhD) for the recipient, best first. Each flag opens the
    conditional entries it names; closed by default (the strict side)."""
    _check(kind, recipient_abo, recipient_rhd, role="recipient", unknown_allowed=True)
    gated = {
        LOW_TITRE: allow_low_titre,
        RHD_SHORTAGE_ONLY: allow_rhd_shortage,
        ANTI_D_PROPHYLAXIS: allow_anti_d_prophylaxis,
    }
    return [
        choice
        for choice in _ranked(kind, recipient_abo, recipient_rhd)
        if all(gated.get(code, True) for code in choice.conditions)
    ]


def choice_for(
    kind: ComponentKind,
    donor_abo: str,
    donor_rhd: str,
    recipient_abo: str,
    recipient_rhd: str,
    *,
    allow_rhd_shortage: bool = False,
    allow_low_titre: bool = False,
    allow_anti_d_prophylaxis: bool = False,
) -> Choice | None:
    """The Choice for this donor group, or None when it must never be given."""
    _check(kind, donor_abo, donor_rhd, role="donor", unknown_allowed=False)
    listed = choices(
        kind,
        recipient_abo,
        recipient_rhd,
        allow_rhd_shortage=allow_rhd_shortage,
        allow_low_titre=allow_low_titre,
        allow_anti_d_prophylaxis=allow_anti_d_prophylaxis,
    )
    return next((c for c in listed if (c.abo, c.rhd) == (donor_abo, donor_rhd)), None)


def rank(
    kind: ComponentKind,
    donor_abo: str,
    donor_rhd: str,
    recipient_abo: str,
    recipient_rhd: str,
    *,
    allow_rhd_shortage: bool = False,
    allow_low_titre: bool = False,
    allow_anti_d_prophylaxis: bool = False,
) -> int | None:
    """The donor group's rank for the recipient (0 = first choice), or None for never."""
    found = choice_for(
        kind,
        donor_abo,
        donor_rhd,
        recipient_abo,
        recipient_rhd,
        allow_rhd_shortage=allow_rhd_shortage,
        allow_low_titre=allow_low_titre,
        allow_anti_d_prophylaxis=allow_anti_d_prophylaxis,
    )
    return None if found is None else found.rank


def is_compatible(
    kind: ComponentKind,
    donor_abo: str,
    donor_rhd: str,
    recipient_abo: str,
    recipient_rhd: str,
    *,
    allow_rhd_shortage: bool = False,
    allow_low_titre: bool = False,
    allow_anti_d_prophylaxis: bool = False,
) -> bool:
    """Whether the donor group may be given to the recipient at all."""
    found = choice_for(
        kind,
        donor_abo,
        donor_rhd,
        recipient_abo,
        recipient_rhd,
        allow_rhd_shortage=allow_rhd_shortage,
        allow_low_titre=allow_low_titre,
        allow_anti_d_prophylaxis=allow_anti_d_prophylaxis,
    )
    return found is not None


# What the hospital knows of the recipient ------------------------------------------------------


@dataclass(frozen=True)
class AgeLimits:
    """The rule set's recipient ages (jurisdictions schema ``recipient_rhd``), inclusive."""

    child_max_years: float
    childbearing_max_years: float


@dataclass(frozen=True)
class Recipient:
    """The recipient facts an order line carries; ``""`` or None where the hospital did not
    say. ``childbearing_potential`` is the hospital's declaration; None leaves it to age."""

    abo: str
    rhd: str
    sex: str = ""  # "M", "F" or "" (not stated)
    age_years: int | None = None  # completed years
    childbearing_potential: bool | None = None
    anti_d: bool = False
    chronically_transfused: bool = False

    def may_bear_children(self, limits: AgeLimits) -> bool:
        """Of child-bearing potential as declared; else a woman (or a recipient of unknown
        sex) of unknown age or up to the rule set's age [S63]."""
        if self.childbearing_potential is not None:
            return self.childbearing_potential
        if self.sex == "M":
            return False
        return self.age_years is None or self.age_years <= limits.childbearing_max_years

    def rhd_protection(self, limits: AgeLimits) -> tuple[str, ...]:
        """Why RhD-positive red cells must not reach this recipient if RhD-negative, even in
        shortage [S63]; empty for a known man over the child age or a woman past child-bearing
        potential, with neither anti-D nor chronic transfusion."""
        found = [ANTI_D] if self.anti_d else []
        if self.chronically_transfused:
            found.append(CHRONIC_TRANSFUSION)
        if self.age_years is None:
            found.append(AGE_UNKNOWN)
        elif self.age_years <= limits.child_max_years:
            found.append(CHILD)
        if not self.sex:
            found.append(SEX_UNKNOWN)
        elif self.sex == "F" and self.may_bear_children(limits):
            found.append(CHILDBEARING)
        return tuple(found)


def for_recipient(
    kind: ComponentKind,
    recipient: Recipient,
    limits: AgeLimits,
    *,
    shortage: bool = False,
    anti_d_prophylaxis: bool = False,
    emergency_release: bool = False,
    allow_low_titre: bool = False,
) -> list[Choice]:
    """Every acceptable donor group for this recipient, best first.

    RhD-positive red cells reach an RhD-negative recipient only in ``shortage`` and only when
    no protection applies [S63], or under a signed ``emergency_release`` (their condition is
    then EMERGENCY_RELEASE). RhD-positive platelets reach an RhD-negative recipient who may
    bear children only when the order carries ``anti_d_prophylaxis`` [S65]."""
    protected = bool(recipient.rhd_protection(limits))
    listed = choices(
        kind,
        recipient.abo,
        recipient.rhd,
        allow_rhd_shortage=emergency_release or (shortage and not protected),
        allow_low_titre=allow_low_titre,
        allow_anti_d_prophylaxis=anti_d_prophylaxis or not recipient.may_bear_children(limits),
    )
    if not emergency_release or (shortage and not protected):
        return listed
    return [_released(choice) for choice in listed]


def refusal(
    kind: ComponentKind,
    donor_abo: str,
    donor_rhd: str,
    recipient: Recipient,
    limits: AgeLimits,
    **gates: bool,
) -> str:
    """Why this donor group may not go to the recipient, as a code: "" when it may,
    ``"abo"`` for the ABO table (or a low-titre or local-policy condition), RHD_SHORTAGE_ONLY
    when the order does not accept RhD-positive red cells in shortage, ``"rhd_protected"``
    when the recipient must never receive them, ANTI_D_PROPHYLAXIS when the order lacks the
    prophylaxis flag."""
    _check(kind, donor_abo, donor_rhd, role="donor", unknown_allowed=False)
    listed = for_recipient(kind, recipient, limits, **gates)
    if any((c.abo, c.rhd) == (donor_abo, donor_rhd) for c in listed):
        return ""
    opened = choices(
        kind,
        recipient.abo,
        recipient.rhd,
        allow_rhd_shortage=True,
        allow_anti_d_prophylaxis=True,
        allow_low_titre=gates.get("allow_low_titre", False),
    )
    found = next((c for c in opened if (c.abo, c.rhd) == (donor_abo, donor_rhd)), None)
    if found is None:
        return "abo"
    if ANTI_D_PROPHYLAXIS in found.conditions:
        return ANTI_D_PROPHYLAXIS
    if recipient.rhd_protection(limits):
        return "rhd_protected"
    return RHD_SHORTAGE_ONLY


def _released(choice: Choice) -> Choice:
    if RHD_SHORTAGE_ONLY not in choice.conditions:
        return choice
    codes = [EMERGENCY_RELEASE if c == RHD_SHORTAGE_ONLY else c for c in choice.conditions]
    return Choice(choice.abo, choice.rhd, choice.rank, _join(*codes))


def _check(kind: str, abo: str, rhd: str, *, role: str, unknown_allowed: bool) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown component kind {kind!r}")
    extra = (UNKNOWN,) if unknown_allowed else ()
    if abo not in (*ABO_GROUPS, *extra):
        raise ValueError(f"unknown {role} ABO group {abo!r}")
    if rhd not in (*RHD_TYPES, *extra):
        raise ValueError(f"unknown {role} RhD type {rhd!r}")


@cache
def _ranked(kind: str, recipient_abo: str, recipient_rhd: str) -> tuple[Choice, ...]:
    """The full list before flags, ordered by (RhD tier, ABO rank, RhD step), then table order."""
    abo_table, rhd_table = RULES[kind]
    rows = sorted(
        ((tier, abo_rank, step), abo_index, rhd_index, abo, rhd, _join(abo_code, rhd_code))
        for abo_index, (abo, abo_rank, abo_code) in enumerate(abo_table[recipient_abo])
        for rhd_index, (rhd, tier, step, rhd_code) in enumerate(rhd_table[recipient_rhd])
    )
    keys = sorted({row[0] for row in rows})
    return tuple(Choice(abo, rhd, keys.index(key), code) for key, _, _, abo, rhd, code in rows)


def _join(*codes: str) -> str:
    return "+".join(code for code in codes if code)
