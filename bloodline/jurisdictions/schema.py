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


class AgeWindow(Strict):
    min_years: Quantity
    max_years: Quantity
    max_years_repeat_donor: Quantity | None = None

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


class CountingUnit(Strict):
    base_volume_ml: Quantity
    name: dict[str, str]

    @field_validator("name")
    @classmethod
    def _name_languages(cls, value: dict[str, str]) -> dict[str, str]:
        return _all_languages(value)


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
        return self

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
