"""Where a sample stands on its test panel: pure reading of its results, no writes.

Rules (domain components.md §6, safety.md §3):
- only results that count (imported, or entered by hand and verified by a second person)
  and that no later result corrects take part;
- a test is acceptable when it has the required number of acceptable screening runs — with
  different reagent manufacturers and operators where the rule set asks for it — and no
  counting result of any stage reads unacceptable;
- the ABO and RhD results must agree with one another and with the donor's confirmed group;
- a result still waiting for its verification keeps the test open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from bloodline.lab.models import Reading, RequiredTest, Sample, Stage, TestResult

GROUP_READINGS = {"abo": {"A", "B", "AB", "O"}, "rhd": {"pos", "neg"}}
# Readings each kind of acceptable result may take, and which of them is acceptable.
READINGS: dict[str, tuple[set[str], set[str]]] = {
    "non_reactive": ({"non_reactive", "reactive", "indeterminate"}, {"non_reactive"}),
    "negative": ({"negative", "positive", "indeterminate"}, {"negative"}),
    "not_detected": ({"not_detected", "detected", "indeterminate"}, {"not_detected"}),
    "within_limit": ({"value"}, set()),
}
CONFIRMATORY_READINGS = {"positive", "negative", "indeterminate"}
# Kinds whose unacceptable result means a possible infection: the donation becomes unsafe.
INFECTIOUS_KINDS = frozenset({"serology", "nat"})


class InvalidReading(ValueError):
    pass


def allowed_readings(test: RequiredTest, stage: str) -> set[str]:
    if stage == Stage.CONFIRMATORY:
        return set(CONFIRMATORY_READINGS)
    if test.acceptable == "determined":
        return GROUP_READINGS.get(test.code, set()) | {"indeterminate"}
    return set(READINGS[test.acceptable][0])


def is_acceptable(test: RequiredTest, stage: str, reading: str, value: Decimal | None) -> bool:
    """Whether a reading lets the unit pass; raises InvalidReading for one that cannot occur."""
    if stage != Stage.SCREEN and test.kind not in INFECTIOUS_KINDS | {"antibody_screen"}:
        raise InvalidReading(_("Only infection markers and antibody screens are repeated."))
    if reading not in allowed_readings(test, stage):
        raise InvalidReading(
            _("“%(reading)s” is not a possible result of this test.") % {"reading": reading}
        )
    if stage == Stage.CONFIRMATORY:
        return reading == Reading.NEGATIVE
    if test.acceptable == "determined":
        return reading in GROUP_READINGS.get(test.code, set())
    if test.acceptable == "within_limit":
        if value is None or test.max_u_l is None:
            raise InvalidReading(_("Enter the measured value."))
        return value <= test.max_u_l
    return reading in READINGS[test.acceptable][1]


@dataclass
class TestState:
    __test__ = False

    code: str
    kind: str
    required: bool
    runs_required: int
    state: str  # pending | awaiting_verification | acceptable | unacceptable | not_required
    runs: int = 0
    readings: list[str] = field(default_factory=list)
    problem: str = ""


@dataclass
class PanelState:
    tests: list[TestState]
    abo: str = ""
    rhd: str = ""
    problems: list[str] = field(default_factory=list)
    confirmed_positive: list[TestResult] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems and all(
            t.state in ("acceptable", "not_required") for t in self.tests
        )


def current(results: Iterable[TestResult]) -> list[TestResult]:
    """Results no later result corrects."""
    rows = list(results)
    corrected = {r.corrects_id for r in rows if r.corrects_id is not None}
    return [r for r in rows if r.pk not in corrected]


def _distinct_runs(rows: Sequence[TestResult], test: RequiredTest) -> int:
    runs = len(rows)
    if test.distinct_manufacturers:
        runs = min(runs, len({r.manufacturer.strip().casefold() for r in rows if r.manufacturer}))
    if test.distinct_operators:
        runs = min(runs, len({r.operator.strip().casefold() for r in rows}))
    return runs


def test_state(test: RequiredTest, results: Sequence[TestResult]) -> TestState:
    mine = [r for r in results if r.test == test.code]
    counting = [r for r in mine if r.counts()]
    waiting = [r for r in mine if not r.counts()]
    state = TestState(test.code, test.kind, test.required, test.runs_required, "pending")
    state.readings = [r.reading for r in counting]
    if not test.required and not mine:
        state.state = "not_required"
        return state
    if any(not r.acceptable for r in counting):
        state.state, state.problem = "unacceptable", _("An unacceptable result.")
        return state
    screens = [r for r in counting if r.stage == Stage.SCREEN]
    state.runs = _distinct_runs(screens, test)
    if waiting:
        state.state = "awaiting_verification"
        state.problem = _("A result waits for a second person's verification.")
    elif state.runs >= test.runs_required:
        state.state = "acceptable"
    elif len(screens) >= test.runs_required:
        state.problem = _("The runs need different reagent manufacturers and operators.")
    return state


def evaluate(sample: Sample, confirmed_abo: str = "", confirmed_rhd: str = "") -> PanelState:
    """The sample's panel now. ``confirmed_*`` is the donor's group confirmed earlier."""
    results = current(sample.results.all())
    tests = [test_state(t, results) for t in sample.required_tests.all()]
    panel = PanelState(tests=tests)
    for code, earlier in (("abo", confirmed_abo), ("rhd", confirmed_rhd)):
        readings = {r.reading for r in results if r.test == code and r.counts() and r.acceptable}
        if len(readings) > 1:
            panel.problems.append(_("The ABO/RhD results disagree with each other."))
        elif readings:
            value = readings.pop()
            setattr(panel, code, value)
            if earlier and earlier != value:
                panel.problems.append(
                    _("The ABO/RhD result differs from the donor's confirmed group.")
                )
    panel.confirmed_positive = [
        r
        for r in results
        if r.stage == Stage.CONFIRMATORY and r.counts() and r.reading == Reading.POSITIVE
    ]
    return panel


def failed_infection_marker(sample: Sample) -> TestResult | None:
    """The first counting result showing a possible infection (or another unacceptable
    screening result); its donation's components are unsafe from then on."""
    kinds = {t.code: t.kind for t in sample.required_tests.all()}
    for result in current(sample.results.all()):
        if result.counts() and not result.acceptable and kinds.get(result.test) != "blood_group":
            return result
    return None
