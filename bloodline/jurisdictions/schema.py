"""The shape of a rule-set file, checked field by field.

Every number is a ``Sourced`` value: the value, the id of the entry in the shared domain
sources it comes from, and whether it has been verified against the primary text. A value may
lack a source only while it is flagged ``verified = false`` (domain README, rules 1 and 2).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SOURCE_ID = r"^[SRU][0-9]{1,3}$"
DonationType = Literal["whole_blood", "platelets", "plasma", "double_red_cells"]
PeriodUnit = Literal["hours", "days", "weeks", "months", "years"]
NationalIdScheme = Literal["cn_resident_identity_card", "vn_citizen_identity_card", "none"]
LANGUAGE_KEYS = ("vi", "zh-hans", "zh-hant", "en", "fr", "es")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _all_languages(value: dict[str, str]) -> dict[str, str]:
    missing = [lang for lang in LANGUAGE_KEYS if not value.get(lang, "").strip()]
    if missing:
        raise ValueError(f"a text is needed in every language; missing: {', '.join(missing)}")
    return value


class Provenance(Strict):
    source: list[str] = Field(default_factory=list)
    verified: bool = True
    # Shown to deployers on the configuration report, so in every interface language.
    note: dict[str, str] = Field(default_factory=dict)

    @field_validator("note")
    @classmethod
    def _note_languages(cls, value: dict[str, str]) -> dict[str, str]:
        return _all_languages(value) if value else value

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("source")
    @classmethod
    def _source_ids(cls, value: list[str]) -> list[str]:
        import re

        for item in value:
            if not re.match(SOURCE_ID, item):
                raise ValueError(f"{item!r} is not a source id such as S20, R8 or U21")
        return value

    @model_validator(mode="after")
    def _verified_needs_source(self) -> Provenance:
        if self.verified and not self.source:
            raise ValueError("a verified value needs a source id; flag it verified = false")
        return self


class Quantity(Provenance):
    value: float = Field(gt=0)


class Period(Provenance):
    value: int = Field(gt=0)
    unit: PeriodUnit


class AgeReview(Provenance):
    """Above the upper age a physician may still accept ``who`` (every donor or repeat donors)."""

    who: Literal["any", "repeat"]


class AgeWindow(Strict):
    min_years: Quantity
    max_years: Quantity
    max_years_repeat_donor: Quantity | None = None
    # Above max_years the donor is not refused outright but sent to a physician.
    review_above_max: AgeReview | None = None
    # First-time donors older than this are accepted only at a physician's discretion.
    review_first_time_above_years: Quantity | None = None

    @model_validator(mode="after")
    def _ordered(self) -> AgeWindow:
        if self.min_years.value >= self.max_years.value:
            raise ValueError("min_years must be below max_years")
        return self


class WeightBand(Provenance):
    """Donors of at least ``min_weight_kg`` (of ``sex``) may give up to ``max_volume_ml``."""

    sex: Literal["M", "F", "any"] = "any"
    min_weight_kg: float = Field(gt=0)
    max_volume_ml: float = Field(gt=0)
    max_ml_per_kg: float | None = Field(default=None, gt=0)


class WholeBloodVolumes(Provenance):
    values_ml: list[int] = Field(min_length=1)

    @field_validator("values_ml")
    @classmethod
    def _positive_sorted(cls, value: list[int]) -> list[int]:
        if any(v <= 0 for v in value) or value != sorted(set(value)):
            raise ValueError("volumes must be positive, distinct and in increasing order")
        return value


class Interval(Strict):
    """Minimum time from a donation of type ``after`` to a donation of type ``before``."""

    after: DonationType
    before: DonationType
    sex: Literal["M", "F", "any"] = "any"
    period: Period


class Limit(Quantity):
    """A bound on a measured value; ``inclusive`` says whether the bound itself is allowed."""

    inclusive: bool = True


class BySex(Strict):
    M: Quantity
    F: Quantity


class VolumeHaemoglobin(Provenance):
    """Collections of ``from_volume_ml`` or more need at least ``min_g_l``."""

    from_volume_ml: int = Field(gt=0)
    min_g_l: float = Field(gt=0)


class Haemoglobin(Strict):
    min_g_l: BySex
    by_volume: list[VolumeHaemoglobin] = Field(default_factory=list)


class Vitals(Strict):
    """Vital-sign limits; a limit the rule set does not state is not judged."""

    systolic_min: Limit | None = None
    systolic_max: Limit | None = None
    diastolic_min: Limit | None = None
    diastolic_max: Limit | None = None
    pulse_pressure_min: Limit | None = None
    pulse_min: Limit | None = None
    pulse_min_endurance_athlete: Limit | None = None
    pulse_max: Limit | None = None
    temperature_max_c: Limit | None = None


class Duration(Strict):
    value: int = Field(gt=0)
    unit: PeriodUnit


class Deferral(Provenance):
    """What a "yes" to the screening question ``code`` means for the donor.

    ``temporary`` lasts ``period`` from the trigger; ``while_present`` lasts as long as the
    condition (pregnancy); ``physician`` sends the donor to a physician; ``permanent`` is final.
    """

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["temporary", "while_present", "physician", "permanent"]
    period: Duration | None = None
    trigger: Literal[
        "event", "recovery", "cure", "return", "vaccination", "last_dose", "diagnosis", "during"
    ] = "event"
    # Only these donation types are affected; empty means every type.
    donation_types: list[DonationType] = Field(default_factory=list)

    @model_validator(mode="after")
    def _period_only_when_temporary(self) -> Deferral:
        if (self.kind == "temporary") != (self.period is not None):
            raise ValueError("a temporary deferral needs a period; other kinds take none")
        return self


class AnnualMaximum(Provenance):
    """At most ``max_count`` donations of ``donation_types`` (of ``sex``) in 12 months."""

    donation_types: list[DonationType] = Field(min_length=1)
    sex: Literal["M", "F", "any"] = "any"
    max_count: int = Field(gt=0)


class CountingUnit(Strict):
    base_volume_ml: Quantity
    name: dict[str, str]

    @field_validator("name")
    @classmethod
    def _name_languages(cls, value: dict[str, str]) -> dict[str, str]:
        return _all_languages(value)


class IntervalBasis(Provenance):
    """ "most_recent": only the most recent donation counts, whatever its type."""

    rule: Literal["each_type", "most_recent"]


class NationalId(Provenance):
    scheme: NationalIdScheme


class RuleSet(Strict):
    code: str = Field(pattern=r"^[A-Z]{2,3}-[A-Za-z0-9-]+$")
    version: str = Field(min_length=1)
    status: Literal["in_force", "draft"]
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    title: dict[str, str]
    provenance: Provenance
    age: AgeWindow
    weight_bands: list[WeightBand] = Field(min_length=1)
    whole_blood_volumes: WholeBloodVolumes
    intervals: list[Interval] = Field(min_length=1)
    # Absent: every earlier donation type is checked against its own interval.
    interval_basis: IntervalBasis | None = None
    apheresis_min_weight_kg: Quantity | None = None
    haemoglobin: Haemoglobin
    vitals: Vitals = Field(default_factory=Vitals)
    annual_maxima: list[AnnualMaximum] = Field(default_factory=list)
    deferrals: list[Deferral] = Field(min_length=1)
    counting_unit: CountingUnit
    national_id: NationalId

    @field_validator("title")
    @classmethod
    def _title_languages(cls, value: dict[str, str]) -> dict[str, str]:
        return _all_languages(value)

    @model_validator(mode="after")
    def _dates(self) -> RuleSet:
        if self.status == "in_force" and self.effective_from is None:
            raise ValueError("a rule set in force needs effective_from")
        if (
            self.effective_from is not None
            and self.effective_to is not None
            and self.effective_to <= self.effective_from
        ):
            raise ValueError("effective_to must be after effective_from")
        pairs = [(i.after, i.before, i.sex) for i in self.intervals]
        if len(pairs) != len(set(pairs)):
            raise ValueError("each (after, before, sex) interval may appear only once")
        codes = [d.code for d in self.deferrals]
        if len(codes) != len(set(codes)):
            raise ValueError("each deferral question code may appear only once")
        return self

    def deferral(self, code: str) -> Deferral | None:
        return next((d for d in self.deferrals if d.code == code), None)

    def unverified(self) -> list[str]:
        """Dotted keys of every value still flagged verified = false."""
        found: list[str] = []
        _collect_unverified(self, "", found)
        return found


def _collect_unverified(node: object, prefix: str, found: list[str]) -> None:
    if isinstance(node, Provenance) and not node.verified:
        found.append(prefix.rstrip("."))
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            _collect_unverified(getattr(node, name), f"{prefix}{name}.", found)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            _collect_unverified(item, f"{prefix}{index}.", found)
