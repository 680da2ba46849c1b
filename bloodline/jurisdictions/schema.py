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


class CollectionVolume(Provenance):
    """What a bag of ``bag_ml`` nominal volume must hold: at least ``min_complete_ml`` for the
    collection to count as complete (a donation), at most ``max_ml`` (above it the entry is
    refused as a mistake)."""

    bag_ml: int = Field(gt=0)
    min_complete_ml: int = Field(gt=0)
    max_ml: int = Field(gt=0)

    @model_validator(mode="after")
    def _around_the_bag(self) -> CollectionVolume:
        if not self.min_complete_ml <= self.bag_ml <= self.max_ml:
            raise ValueError("min_complete_ml <= bag_ml <= max_ml must hold")
        return self


class LowVolumeProduct(Provenance):
    """Whether an incomplete (under-filled) collection may still be processed into a
    low-volume component. Absent means no."""

    allowed: bool


class WholeBloodVolumes(Provenance):
    values_ml: list[int] = Field(min_length=1)
    # One entry per bag size in ``values_ml``: the complete-collection minimum and the maximum.
    collection: list[CollectionVolume] = Field(min_length=1)
    low_volume_product: LowVolumeProduct | None = None

    @field_validator("values_ml")
    @classmethod
    def _positive_sorted(cls, value: list[int]) -> list[int]:
        if any(v <= 0 for v in value) or value != sorted(set(value)):
            raise ValueError("volumes must be positive, distinct and in increasing order")
        return value

    @model_validator(mode="after")
    def _one_limit_per_bag(self) -> WholeBloodVolumes:
        bags = [c.bag_ml for c in self.collection]
        if sorted(bags) != self.values_ml:
            raise ValueError("collection needs exactly one entry for each bag size in values_ml")
        return self

    def limits(self, bag_ml: int) -> CollectionVolume | None:
        """The complete-collection limits of a bag size; None for a size the rules do not know."""
        return next((c for c in self.collection if c.bag_ml == bag_ml), None)

    @property
    def low_volume_allowed(self) -> bool:
        return self.low_volume_product is not None and self.low_volume_product.allowed


class Interval(Strict):
    """Minimum time from a donation of type ``after`` to a donation of type ``before``."""

    after: DonationType
    before: DonationType
    sex: Literal["M", "F", "any"] = "any"
    period: Period


class Limit(Quantity):
    """A bound on a measured value; ``inclusive`` says whether the bound itself is allowed."""

    inclusive: bool = True


class NotJudged(Provenance):
    """The rule set states no limit for a check the engine knows: a measured value is sent to
    a physician ("not judged by this rule set — physician review"), never passed as eligible.
    ``source`` may name the text that leaves the check to the physician."""

    not_judged: Literal[True]


class BySex(Strict):
    M: Quantity | NotJudged
    F: Quantity | NotJudged


class VolumeHaemoglobin(Provenance):
    """Collections of ``from_volume_ml`` or more need at least ``min_g_l``."""

    from_volume_ml: int = Field(gt=0)
    min_g_l: float = Field(gt=0)


class Haemoglobin(Strict):
    min_g_l: BySex
    by_volume: list[VolumeHaemoglobin] = Field(default_factory=list)


class Vitals(Strict):
    """Vital-sign limits. Every limit the engine knows must be stated: a value (verified or
    flagged ``verified = false``) or ``not_judged = true`` (physician review); a file that
    leaves one out is refused. Two refinements only some standards use are optional: a
    minimum pulse pressure (China) and a lower pulse minimum for endurance athletes (China);
    without them the systolic/diastolic and pulse limits alone judge (decision 0014)."""

    systolic_min: Limit | NotJudged
    systolic_max: Limit | NotJudged
    diastolic_min: Limit | NotJudged
    diastolic_max: Limit | NotJudged
    pulse_min: Limit | NotJudged
    pulse_max: Limit | NotJudged
    temperature_max_c: Limit | NotJudged
    pulse_pressure_min: Limit | None = None
    pulse_min_endurance_athlete: Limit | None = None


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


# Reason codes the engine gives for a measured value outside a limit (screening/engine.py).
MEASURED_REASON_CODES = frozenset(
    {
        "weight.low",
        "hb.low",
        "bp.systolic_low",
        "bp.systolic_high",
        "bp.diastolic_low",
        "bp.diastolic_high",
        "bp.pulse_pressure_low",
        "pulse.low",
        "pulse.high",
        "temperature.high",
    }
)


class PhysicianOverride(Provenance):
    """A temporary deferral, named by the engine's reason code, that a physician may lift
    with a written reason. A reason not listed is not overridable; permanent deferrals and
    deferrals on the donor's record (look-back, infection markers, staff) never are
    (decision 0015)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_.]*$")


class NationalId(Provenance):
    scheme: NationalIdScheme


# --- Blood centre: components, test panel, look-back and retention (components.md, safety.md) ---

ComponentSource = Literal["whole_blood", "apheresis"]
# The compatibility class allocation matches on (components.md §5): whole blood must be
# ABO-identical, red cells follow the red-cell table, plasma and cryoprecipitate the plasma one.
ComponentKind = Literal[
    "whole_blood", "red_cells", "platelets", "plasma", "cryoprecipitate", "granulocytes"
]
# Which way a donation of each type is collected, and so which components it can yield.
DONATION_SOURCE: dict[str, ComponentSource] = {
    "whole_blood": "whole_blood",
    "platelets": "apheresis",
    "plasma": "apheresis",
    "double_red_cells": "apheresis",
}
BLOOD_GROUP_TESTS = frozenset({"abo", "rhd"})
TestKind = Literal["blood_group", "serology", "nat", "biochemistry", "antibody_screen"]
# What a result must be for the unit to pass: a language-free code, shown translated later.
Acceptable = Literal["determined", "non_reactive", "not_detected", "negative", "within_limit"]
RecordClass = Literal[
    "donation_testing_supply",
    "donor_and_testing",
    "serious_adverse_events",
    "traceability",
    "storage_temperature",
    "all_records",
    "retained_samples",
]


class StorageTemperature(Provenance):
    """Storage range in °C. A bound the source does not state is left out; a range with no
    bound at all may exist only while flagged ``verified = false`` (the deployer supplies it)."""

    min_c: float | None = None
    max_c: float | None = None
    # "< −18 °C" is max_c = -18 with max_inclusive = false.
    max_inclusive: bool = True

    @model_validator(mode="after")
    def _bounds(self) -> StorageTemperature:
        if self.min_c is None and self.max_c is None and self.verified:
            raise ValueError("a storage temperature needs min_c or max_c; else verified = false")
        if self.min_c is not None and self.max_c is not None and self.min_c > self.max_c:
            raise ValueError("min_c must not be above max_c")
        return self


class VolumeRange(Provenance):
    min_ml: float = Field(gt=0)
    max_ml: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> VolumeRange:
        if self.min_ml > self.max_ml:
            raise ValueError("min_ml must not be above max_ml")
        return self


class Component(Provenance):
    """One component type: how it is made, stored and how long it keeps."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: ComponentKind
    made_from: list[ComponentSource] = Field(min_length=1)
    storage: StorageTemperature
    # Added to the collection instant by bloodline.lib.expiry in the source's own unit.
    shelf_life: Period
    volume_ml: VolumeRange | None = None
    # The unit expires at 23:59 local time of its last day (only where the source says so).
    expires_at_end_of_day: bool = False
    # "processing": the type a unit becomes by a processing event (washed red cells, thawed
    # plasma); its shelf life counts from that event, never from collection, so no recipe
    # makes it and only a ``processing`` rule names it (components.md §4).
    counted_from: Literal["collection", "processing"] = "collection"


ProcessingStep = Literal["open", "thaw", "wash", "irradiate"]


class Processing(Provenance):
    """What a processing event does to a unit's expiry: the new expiry is the earlier of the
    old one and the event instant plus a period (components.md §4; China's open-system rule
    [S58]). The period is either the shelf life of the component type the unit becomes
    (``result``, a type counted from processing, whose storage range then applies) or a
    period of its own (``period``). Only the component types in ``applies_to`` may undergo
    the event; an event the rule set has no rule for is refused."""

    event: ProcessingStep
    applies_to: list[str] = Field(min_length=1)
    result: str | None = None
    period: Period | None = None

    @model_validator(mode="after")
    def _one_period(self) -> Processing:
        if (self.result is None) == (self.period is None):
            raise ValueError("a processing rule needs either result or period, not both")
        if len(set(self.applies_to)) != len(self.applies_to):
            raise ValueError("each component may appear only once in applies_to")
        return self


class Recipe(Provenance):
    """How one donation is processed into components: the outputs made from one donation.

    Recipes are processing practice rather than law, so the shipped ones are unverified until
    the deployer confirms them. A recipe serves either whole-blood donations or apheresis
    donations, never both, because each output must be makeable from that collection."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    donation_types: list[DonationType] = Field(min_length=1)
    # Component codes of the same rule set, each at most once.
    outputs: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_collection_method(self) -> Recipe:
        if len(set(self.donation_types)) != len(self.donation_types):
            raise ValueError("each donation type may appear only once in a recipe")
        if len(set(self.outputs)) != len(self.outputs):
            raise ValueError("each output may appear only once in a recipe")
        if len({DONATION_SOURCE[t] for t in self.donation_types}) > 1:
            raise ValueError("a recipe is for whole blood or for apheresis donations, not both")
        return self

    @property
    def collection(self) -> ComponentSource:
        """How the donations this recipe serves are collected."""
        return DONATION_SOURCE[self.donation_types[0]]


class DonationTest(Provenance):
    """A mandatory test on a donation; release needs every one final and acceptable."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: TestKind
    acceptable: Acceptable
    # Only for ``within_limit`` results (ALT): the upper limit in U/L.
    max_u_l: Limit | None = None
    # Every donation, or only when the donor's history calls for it (e.g. malaria areas).
    applies: Literal["every_donation", "when_indicated"] = "every_donation"
    runs_required: int = Field(default=1, ge=1)
    distinct_manufacturers: bool = False
    distinct_operators: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> DonationTest:
        if (self.acceptable == "within_limit") != (self.max_u_l is not None):
            raise ValueError("a within_limit result needs max_u_l; other results take none")
        if (self.distinct_manufacturers or self.distinct_operators) and self.runs_required < 2:
            raise ValueError("distinct manufacturers or operators need runs_required of 2 or more")
        return self


class LookbackWindow(Provenance):
    """How far back earlier donations are quarantined after a confirmed-positive result.

    ``period`` None means no window is stated in the sources: every earlier donation's
    in-date components are quarantined (the safe side); allowed only while unverified."""

    period: Duration | None = None

    @model_validator(mode="after")
    def _period_or_unverified(self) -> LookbackWindow:
        if self.period is None and self.verified:
            raise ValueError("a verified look-back window needs a period")
        return self


class Retention(Provenance):
    """Records of ``records`` are kept at least ``period`` from ``counted_from``."""

    records: RecordClass
    period: Duration
    counted_from: Literal["record_completed", "issue", "last_update"] = "record_completed"


class Lookback(Strict):
    window: LookbackWindow
    retention: list[Retention] = Field(default_factory=list)


class RecipientRhd(Strict):
    """Ages at which an RhD-negative recipient belongs to a group that must receive RhD-negative
    red cells even in shortage (components.md §5.4): children up to ``child_max_years``, and
    women up to ``childbearing_max_years``, who are taken to be of child-bearing potential
    unless the hospital declares otherwise. Ages are in completed years, bounds inclusive."""

    child_max_years: Quantity
    childbearing_max_years: Quantity

    @model_validator(mode="after")
    def _ordered(self) -> RecipientRhd:
        if self.child_max_years.value > self.childbearing_max_years.value:
            raise ValueError("child_max_years must not be above childbearing_max_years")
        return self


SupplyLevel = Literal["green", "pre_amber", "amber", "red"]


class SupplyBound(Provenance):
    """Stock below ``days`` days of supply (at or below, with ``at_or_below``) is at the level
    this bound opens. NHSBT notifies red cells "below 2 days" but platelets "at ≤ 0.5 day"
    (supply.md §1, U30), so the comparison is part of the data."""

    days: float = Field(ge=0)
    at_or_below: bool = False

    def reached(self, days: float) -> bool:
        return days <= self.days if self.at_or_below else days < self.days


class SupplyLevels(Strict):
    """The shortage phases of one component class (supply.md §1): green while no bound is
    reached, then pre-amber, amber and red as stock falls past each bound."""

    component_kind: ComponentKind
    pre_amber: SupplyBound
    amber: SupplyBound
    red: SupplyBound

    @model_validator(mode="after")
    def _ordered(self) -> SupplyLevels:
        if not self.red.days <= self.amber.days <= self.pre_amber.days:
            raise ValueError("the bounds must fall: red ≤ amber ≤ pre_amber days")
        return self

    @property
    def bounds(self) -> tuple[SupplyBound, SupplyBound, SupplyBound]:
        return (self.pre_amber, self.amber, self.red)

    def level(self, days: float) -> SupplyLevel:
        if self.red.reached(days):
            return "red"
        if self.amber.reached(days):
            return "amber"
        return "pre_amber" if self.pre_amber.reached(days) else "green"


class ContactCap(Strict):
    """The contact-fatigue cap of call-outs (supply.md §2): a donor receives at most
    ``messages`` call-out messages within ``within`` days, however many call-outs are open. No
    source gives figures: configuration, flagged for the deployer."""

    messages: Quantity
    within: Period

    @field_validator("messages")
    @classmethod
    def _whole(cls, value: Quantity) -> Quantity:
        if value.value != int(value.value):
            raise ValueError("the cap counts whole messages")
        return value

    @field_validator("within")
    @classmethod
    def _in_days(cls, value: Period) -> Period:
        if value.unit != "days":
            raise ValueError("the cap's period is counted in days")
        return value


class Supply(Strict):
    """Days of supply = units available ÷ average daily issues over ``window`` (supply.md §1;
    the window length is configuration), judged against the levels of each component class.
    A class without levels here has no level: the stock page says so (README rule 3)."""

    window: Period
    levels: list[SupplyLevels] = Field(default_factory=list)
    # Call-outs (issue 15 §3, decision 0062): without a cap, no call-out messages anyone.
    contact_cap: ContactCap | None = None

    @field_validator("window")
    @classmethod
    def _in_days(cls, value: Period) -> Period:
        if value.unit != "days":
            raise ValueError("the averaging window is counted in days")
        return value

    @field_validator("levels")
    @classmethod
    def _one_per_kind(cls, value: list[SupplyLevels]) -> list[SupplyLevels]:
        kinds = [levels.component_kind for levels in value]
        if len(kinds) != len(set(kinds)):
            raise ValueError("one set of levels per component class")
        return value

    def levels_of(self, component_kind: str) -> SupplyLevels | None:
        return next((x for x in self.levels if x.component_kind == component_kind), None)


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
    vitals: Vitals
    annual_maxima: list[AnnualMaximum] = Field(default_factory=list)
    deferrals: list[Deferral] = Field(min_length=1)
    counting_unit: CountingUnit
    national_id: NationalId
    # Blood centre (components.md §1, §6; safety.md §2). Required; may be empty only where
    # the domain records nothing for the jurisdiction (a deployer supplies it before use).
    components: list[Component]
    test_panel: list[DonationTest] = Field(min_length=1)
    lookback: Lookback
    # How donations are processed into the components above; empty when there are none.
    recipes: list[Recipe] = Field(default_factory=list)
    # Temporary deferral reasons a physician may override; empty: none (decision 0015).
    physician_overrides: list[PhysicianOverride] = Field(default_factory=list)
    # Processing events (open, thaw, wash, irradiate) and how they shorten expiry; an event
    # with no rule here is refused (components.md §4).
    processing: list[Processing] = Field(default_factory=list)
    # Which RhD-negative recipients never receive RhD-positive red cells (components.md §5.4).
    recipient_rhd: RecipientRhd
    # Days-of-supply levels (supply.md §1); absent: the deployer has set none, so no level.
    supply: Supply | None = None

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
        for label, items in (("component", self.components), ("test", self.test_panel)):
            item_codes = [c.code for c in items]
            if len(item_codes) != len(set(item_codes)):
                raise ValueError(f"each {label} code may appear only once")
        return self

    @model_validator(mode="after")
    def _blood_group_tests(self) -> RuleSet:
        # Allocation and labelling need both groups on every donation, and nothing else may
        # pose as a grouping result.
        found = {t.code for t in self.test_panel if t.kind == "blood_group"}
        if found != BLOOD_GROUP_TESTS:
            raise ValueError("the blood_group tests must be exactly abo and rhd")
        return self

    @model_validator(mode="after")
    def _recipes_make_known_components(self) -> RuleSet:
        codes = [r.code for r in self.recipes]
        if len(codes) != len(set(codes)):
            raise ValueError("each recipe code may appear only once")
        for recipe in self.recipes:
            for output in recipe.outputs:
                component = self.component(output)
                if component is None:
                    raise ValueError(
                        f"recipe {recipe.code}: {output!r} is not a component of this rule set"
                    )
                if recipe.collection not in component.made_from:
                    raise ValueError(
                        f"recipe {recipe.code}: {output} is not made from {recipe.collection}"
                    )
                if component.counted_from == "processing":
                    raise ValueError(
                        f"recipe {recipe.code}: {output} is made by a processing event"
                    )
        return self

    @model_validator(mode="after")
    def _processing_names_known_components(self) -> RuleSet:
        seen: set[tuple[str, str]] = set()
        for rule in self.processing:
            for code in rule.applies_to:
                component = self.component(code)
                if component is None:
                    raise ValueError(
                        f"processing {rule.event}: {code!r} is not a component of this rule set"
                    )
                if component.counted_from == "processing":
                    raise ValueError(
                        f"processing {rule.event}: {code} is itself made by processing"
                    )
                if (rule.event, code) in seen:
                    raise ValueError(f"processing {rule.event}: {code} has two rules")
                seen.add((rule.event, code))
            if rule.result is not None:
                result = self.component(rule.result)
                if result is None or result.counted_from != "processing":
                    raise ValueError(
                        f"processing {rule.event}: the result {rule.result!r} must be a "
                        "component of this rule set counted from processing"
                    )
        return self

    @model_validator(mode="after")
    def _overrides_lift_temporary_deferrals_only(self) -> RuleSet:
        kinds = {f"deferral.{d.code}": d.kind for d in self.deferrals}
        allowed = {
            *MEASURED_REASON_CODES,
            "annual.max_reached",
            *(f"interval.{i.before}_after_{i.after}" for i in self.intervals),
            *(code for code, kind in kinds.items() if kind in ("temporary", "while_present")),
        }
        seen: set[str] = set()
        for item in self.physician_overrides:
            if item.code in seen:
                raise ValueError(f"physician override {item.code} is listed twice")
            seen.add(item.code)
            if item.code.startswith("deferral.recorded."):
                raise ValueError(
                    f"{item.code}: a deferral on the donor's record (look-back, infection "
                    "marker, staff) is never overridable"
                )
            if kinds.get(item.code) == "permanent":
                raise ValueError(f"{item.code}: a permanent deferral is never overridable")
            if item.code not in allowed:
                raise ValueError(
                    f"{item.code} is not a temporary deferral reason of this rule set; only "
                    "measured values, intervals, annual maxima and temporary questions may be "
                    "overridable"
                )
        return self

    def overridable(self) -> frozenset[str]:
        """Reason codes a physician may override under this rule set."""
        return frozenset(o.code for o in self.physician_overrides)

    def component(self, code: str) -> Component | None:
        return next((c for c in self.components if c.code == code), None)

    def recipe(self, code: str) -> Recipe | None:
        return next((r for r in self.recipes if r.code == code), None)

    def processing_rule(self, event: str, component_code: str) -> Processing | None:
        """The rule for ``event`` on a unit of ``component_code``; None: the event is refused."""
        return next(
            (p for p in self.processing if p.event == event and component_code in p.applies_to),
            None,
        )

    def processing_period(self, rule: Processing) -> Period:
        """The period a processing rule adds to the event instant."""
        if rule.period is not None:
            return rule.period
        result = self.component(rule.result or "")
        assert result is not None  # checked when the rule set is loaded
        return result.shelf_life

    def recipes_for(self, donation_type: str) -> list[Recipe]:
        """The recipes a donation of ``donation_type`` may be processed with."""
        return [r for r in self.recipes if donation_type in r.donation_types]

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
