"""The donor health questionnaire of each jurisdiction, read from ``questionnaires/*.toml``.

One yes/no question per deferral code of the jurisdiction's rule set, so a "yes" is read by the
engine exactly as the rule says. Texts are data (six languages each) rather than catalogue
entries, because they change with the rule set and are reviewed with it; a question's period
(``%(period)s``) is taken from the rule set so a number lives in one place. Everything is
checked when the files are loaded: a code the rule set lacks, a missing language or a period
placeholder on a rule without a period stops start-up rather than reaching a donor.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

from bloodline.jurisdictions.labels import period_text
from bloodline.jurisdictions.loader import registry
from bloodline.jurisdictions.schema import LANGUAGE_KEYS, RuleSet
from bloodline.screening.engine import FACT_QUESTIONS, PREVIOUS_REACTION

DIRECTORY = Path(__file__).resolve().parent / "questionnaires"
PERIOD = "%(period)s"
CONDITIONS = frozenset({"repeat_donor"})


class QuestionnaireError(Exception):
    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class Question:
    code: str
    order: int
    text: dict[str, str]
    sex: str = ""  # "M"/"F": asked of that sex only
    only: str = ""  # "repeat_donor": asked only of people who gave before

    def applies_to(self, sex: str, repeat_donor: bool) -> bool:
        if self.sex and sex and self.sex != sex:
            return False
        return not (self.only == "repeat_donor" and not repeat_donor)

    def wording(self, rules: RuleSet | None = None, language: str | None = None) -> str:
        """The question in ``language`` (default: the active one), its period filled in."""
        language = (language or get_language() or "en").lower()
        text = self.text.get(language) or self.text.get(language.split("-")[0]) or self.text["en"]
        if PERIOD not in text:
            return text
        rule = rules.deferral(self.code) if rules is not None else None
        period = rule.period if rule is not None else None
        if period is None:
            return text.replace(PERIOD, "…")
        return text.replace(PERIOD, period_text(period.value, period.unit))


@dataclass(frozen=True)
class Questionnaire:
    jurisdiction: str
    version: str
    questions: tuple[Question, ...]

    def for_donor(self, sex: str, repeat_donor: bool) -> list[Question]:
        return [q for q in self.questions if q.applies_to(sex, repeat_donor)]

    @property
    def label(self) -> str:
        return f"{self.jurisdiction} {self.version}"


def _question(path: Path, raw: dict[str, Any]) -> Question:
    code = str(raw.get("code", ""))
    text = raw.get("text") or {}
    missing = [lang for lang in LANGUAGE_KEYS if not str(text.get(lang, "")).strip()]
    if missing:
        raise QuestionnaireError(path, f"question {code!r} lacks the languages {missing}")
    unknown = set(raw) - {"code", "order", "text", "sex", "only"}
    if unknown:
        raise QuestionnaireError(path, f"question {code!r} has unknown keys {sorted(unknown)}")
    sex, only = str(raw.get("sex", "")), str(raw.get("only", ""))
    if sex not in ("", "M", "F") or (only and only not in CONDITIONS):
        raise QuestionnaireError(path, f"question {code!r} has a bad sex or condition")
    if not isinstance(raw.get("order"), int):
        raise QuestionnaireError(path, f"question {code!r} needs a whole-number order")
    return Question(code, raw["order"], {k: str(v) for k, v in text.items()}, sex, only)


def _check_against(path: Path, question: Question, versions: list[RuleSet]) -> None:
    """Each version of the rule set must know the code, with a period where the text has one."""
    if question.code in FACT_QUESTIONS:
        return
    for rules in versions:
        rule = rules.deferral(question.code)
        if rule is None:
            raise QuestionnaireError(
                path, f"code {question.code!r} is not in rule set {rules.code} {rules.version}"
            )
        if any(PERIOD in t for t in question.text.values()) and rule.period is None:
            raise QuestionnaireError(path, f"{question.code!r} names a period the rule lacks")


def parse(path: Path, rule_sets: Any = None) -> Questionnaire:
    source = rule_sets if rule_sets is not None else registry
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise QuestionnaireError(path, str(exc)) from exc
    jurisdiction, version = str(data.get("jurisdiction", "")), str(data.get("version", ""))
    if not jurisdiction or not version:
        raise QuestionnaireError(path, "a questionnaire needs a jurisdiction and a version")
    try:
        versions = source.versions(jurisdiction)
    except LookupError as exc:
        raise QuestionnaireError(path, f"no rule set {jurisdiction!r}") from exc
    questions = [_question(path, raw) for raw in data.get("questions", [])]
    if not questions:
        raise QuestionnaireError(path, "a questionnaire needs at least one question")
    codes = [q.code for q in questions]
    if len(set(codes)) != len(codes) or len({q.order for q in questions}) != len(questions):
        raise QuestionnaireError(path, "each code and each order may appear only once")
    for question in questions:
        _check_against(path, question, versions)
    ordered = tuple(sorted(questions, key=lambda q: q.order))
    return Questionnaire(jurisdiction, version, ordered)


@cache
def load_all(directory: Path = DIRECTORY) -> dict[str, Questionnaire]:
    found = [parse(path) for path in sorted(directory.glob("*.toml"))]
    return {q.jurisdiction: q for q in found}


def for_jurisdiction(code: str) -> Questionnaire | None:
    return load_all().get(code)


__all__ = ["PREVIOUS_REACTION", "Question", "Questionnaire", "for_jurisdiction", "parse"]
