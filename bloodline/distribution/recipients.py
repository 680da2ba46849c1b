"""What an order line says about its recipient, checked when the order is placed and explained
wherever a unit is refused (decision 0017, components.md §5.4).

The age limits come from the supplier's rule set in force (``recipient_rhd``, S63); the rules
themselves are in ``compatibility``. This module turns their codes into the reader's words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.distribution import compatibility
from bloodline.distribution.compatibility import AgeLimits, Recipient
from bloodline.distribution.models import MAX_RECIPIENT_AGE, OrderLine, RecipientSex
from bloodline.inventory import actions as inventory
from bloodline.jurisdictions.loader import registry
from bloodline.organisations.models import Organisation


def limits(supplier: Organisation) -> AgeLimits:
    """The recipient ages of the supplier's rule set in force today."""
    rules = registry.get(
        supplier.jurisdiction, timezone.localdate(timezone.now(), inventory.zone(supplier))
    )
    ages = rules.recipient_rhd
    return AgeLimits(
        child_max_years=ages.child_max_years.value,
        childbearing_max_years=ages.childbearing_max_years.value,
    )


def protection_labels(codes: Iterable[str], ages: AgeLimits) -> str:
    words = {
        compatibility.ANTI_D: _("known anti-D"),
        compatibility.CHRONIC_TRANSFUSION: _("chronically transfused"),
        compatibility.CHILD: _("a child (%(years)s years or younger)")
        % {"years": f"{ages.child_max_years:g}"},
        compatibility.CHILDBEARING: _("a woman of child-bearing potential"),
        compatibility.SEX_UNKNOWN: _("sex not stated"),
        compatibility.AGE_UNKNOWN: _("age not stated"),
    }
    return _(", ").join(str(words.get(code, code)) for code in codes)


@dataclass
class Facts:
    """What the hospital says of a line's recipient, as typed (page or API)."""

    component_kind: str
    abo: str
    rhd: str
    allow_rhd_shortage: bool = False
    recipient_sex: str = ""
    recipient_age: int | None = None
    childbearing_potential: bool | None = None
    anti_d: bool = False
    chronically_transfused: bool = False
    anti_d_prophylaxis: bool = False
    emergency_clinician: str = ""
    emergency_reason: str = ""

    def recipient(self) -> Recipient:
        return Recipient(
            abo=self.abo,
            rhd=self.rhd,
            sex=self.recipient_sex,
            age_years=self.recipient_age,
            childbearing_potential=self.childbearing_potential,
            anti_d=self.anti_d,
            chronically_transfused=self.chronically_transfused,
        )


def _rhd_negative(rhd: str) -> bool:
    return rhd in ("neg", "")  # an unknown RhD type counts as negative


def problem(facts: Facts, ages: AgeLimits, *, urgency: str) -> str:
    """The first thing wrong with a line's recipient facts, in words, or "" when none is."""
    if facts.recipient_sex not in ("", *RecipientSex.values):
        return _("choose the recipient's sex, or leave it empty if it is not known.")
    age = facts.recipient_age
    if age is not None and not 0 <= age <= MAX_RECIPIENT_AGE:
        return _("the recipient's age must be a whole number of years from 0 to %(max)s.") % {
            "max": MAX_RECIPIENT_AGE
        }
    if facts.childbearing_potential and facts.recipient_sex == RecipientSex.MALE:
        return _("a male recipient cannot be declared of child-bearing potential.")
    red_cells = facts.component_kind in compatibility.RED_CELL_KINDS
    protection = facts.recipient().rhd_protection(ages)
    if facts.allow_rhd_shortage and red_cells and _rhd_negative(facts.rhd) and protection:
        return _(
            "RhD-positive red cells cannot be accepted in shortage for this recipient "
            "(%(reasons)s). Only an emergency release signed by the ordering clinician "
            "allows them."
        ) % {"reasons": protection_labels(protection, ages)}
    if facts.anti_d_prophylaxis and not (
        facts.component_kind == "platelets" and _rhd_negative(facts.rhd)
    ):
        return _("anti-D prophylaxis applies only to platelets for an RhD-negative recipient.")
    return release_problem(facts, urgency=urgency)


def release_problem(facts: Facts, *, urgency: str) -> str:
    """What is wrong with an emergency release on this line, in words, or "" (also "" when
    the line has none)."""
    red_cells = facts.component_kind in compatibility.RED_CELL_KINDS
    clinician, reason = facts.emergency_clinician.strip(), facts.emergency_reason.strip()
    if not (clinician or reason):
        return ""
    if not (clinician and reason):
        return _("an emergency release needs the ordering clinician's name and the reason.")
    if not (red_cells and _rhd_negative(facts.rhd)):
        return _(
            "an emergency release applies only to red cells or whole blood "
            "for an RhD-negative recipient."
        )
    if urgency != "emergency":
        return _("an emergency release is possible only on an order of emergency urgency.")
    return ""


def can_release(line: OrderLine) -> bool:
    """Whether an emergency release could open anything on this line."""
    return (
        not line.emergency_release
        and line.component_kind in compatibility.RED_CELL_KINDS
        and _rhd_negative(line.rhd)
    )


def line_choices(line: OrderLine, ages: AgeLimits) -> list[compatibility.Choice]:
    """The donor groups the line may receive, best first (local-policy entries left out)."""
    found = compatibility.for_recipient(
        line.component_kind,  # type: ignore[arg-type]
        line.recipient(),
        ages,
        shortage=line.allow_rhd_shortage,
        anti_d_prophylaxis=line.anti_d_prophylaxis,
        emergency_release=line.emergency_release,
    )
    return [c for c in found if compatibility.LOCAL_POLICY not in c.conditions]


def refusal(line: OrderLine, donor_abo: str, donor_rhd: str, ages: AgeLimits) -> str:
    """Why a unit of this group may not go to the line, in words; "" if it may, or if the
    reason is not the recipient's RhD (the caller then says what it says of ABO)."""
    if donor_abo not in compatibility.ABO_GROUPS or donor_rhd not in compatibility.RHD_TYPES:
        return ""
    recipient = line.recipient()
    code = compatibility.refusal(
        line.component_kind,  # type: ignore[arg-type]
        donor_abo,
        donor_rhd,
        recipient,
        ages,
        shortage=line.allow_rhd_shortage,
        anti_d_prophylaxis=line.anti_d_prophylaxis,
        emergency_release=line.emergency_release,
    )
    if code == "rhd_protected":
        return _(
            "RhD-positive red cells must not be given to this RhD-negative recipient "
            "(%(reasons)s); only an emergency release signed by the ordering clinician "
            "allows them."
        ) % {"reasons": protection_labels(recipient.rhd_protection(ages), ages)}
    if code == compatibility.RHD_SHORTAGE_ONLY:
        return _(
            "RhD-positive red cells reach this RhD-negative recipient only if the order "
            "accepts them in shortage."
        )
    if code == compatibility.ANTI_D_PROPHYLAXIS:
        return _(
            "RhD-positive platelets for an RhD-negative recipient who may bear children need "
            "the anti-D prophylaxis flag on the order line."
        )
    return ""


def restrictions(line: OrderLine, ages: AgeLimits) -> list[str]:
    """What the recipient's facts close or open on this line, in words, for the order page,
    the pick list and the API."""
    if not _rhd_negative(line.rhd):
        return []
    recipient = line.recipient()
    said: list[str] = []
    if line.component_kind in compatibility.RED_CELL_KINDS:
        protection = recipient.rhd_protection(ages)
        if line.emergency_release:
            said.append(
                _(
                    "Emergency release signed by %(clinician)s: RhD-positive red cells may be "
                    "given. Reason: %(reason)s"
                )
                % {"clinician": line.emergency_clinician, "reason": line.emergency_reason}
            )
        elif protection:
            said.append(
                _(
                    "RhD-negative red cells only (%(reasons)s), even in shortage; RhD-positive "
                    "red cells need an emergency release signed by the ordering clinician."
                )
                % {"reasons": protection_labels(protection, ages)}
            )
    elif line.component_kind == "platelets" and recipient.may_bear_children(ages):
        if line.anti_d_prophylaxis:
            said.append(
                _(
                    "Anti-D prophylaxis: the recipient may bear children; RhD-positive "
                    "platelets may be given only with anti-D prophylaxis."
                )
            )
        else:
            said.append(
                _(
                    "RhD-negative platelets only: the recipient may bear children and the "
                    "order does not confirm anti-D prophylaxis."
                )
            )
    return said


def described(line: OrderLine) -> str:
    """The recipient facts of a line in words, for the order page and the pick list."""
    parts = [
        str(line.get_recipient_sex_display()) if line.recipient_sex else _("sex not stated"),
        _("%(years)s years") % {"years": line.recipient_age}
        if line.recipient_age is not None
        else _("age not stated"),
    ]
    if line.childbearing_potential is not None:
        parts.append(
            _("declared of child-bearing potential")
            if line.childbearing_potential
            else _("declared without child-bearing potential")
        )
    if line.anti_d:
        parts.append(_("known anti-D"))
    if line.chronically_transfused:
        parts.append(_("chronically transfused"))
    if line.anti_d_prophylaxis:
        parts.append(_("anti-D prophylaxis will be given"))
    return _(", ").join(str(p) for p in parts)
