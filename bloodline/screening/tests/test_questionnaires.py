from __future__ import annotations

from pathlib import Path

import pytest

from bloodline.jurisdictions.loader import registry
from bloodline.jurisdictions.schema import LANGUAGE_KEYS
from bloodline.screening.questionnaire import (
    DIRECTORY,
    QuestionnaireError,
    for_jurisdiction,
    load_all,
    parse,
)

GOOD = """
jurisdiction = "VN-TT26-2013"
version = "t1"
[[questions]]
order = 10
code = "tattoo"
[questions.text]
en = "Have you had a tattoo in the last %(period)s?"
vi = "x"
"zh-hans" = "x"
"zh-hant" = "x"
fr = "x"
es = "x"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "q.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_shipped_questionnaire_loads_for_its_rule_set() -> None:
    loaded = load_all()
    assert set(loaded) == {"CN-GB18467-2011", "VN-TT26-2013", "WHO-2012", "EU-2004-33"}
    for code, questionnaire in loaded.items():
        rules = registry.current(code)
        for question in questionnaire.questions:
            assert set(LANGUAGE_KEYS) <= set(question.text)
            assert rules.deferral(question.code) or question.code == "previous_donation_reaction"


@pytest.mark.parametrize("code", ["CN-GB18467-2011", "VN-TT26-2013", "EU-2004-33"])
def test_it_covers_the_main_deferral_codes(code: str) -> None:
    questionnaire = for_jurisdiction(code)
    assert questionnaire is not None and len(questionnaire.questions) >= 12


def test_who_asks_every_deferral_its_rule_set_has() -> None:
    questionnaire = for_jurisdiction("WHO-2012")
    assert questionnaire is not None
    rules = registry.current("WHO-2012")
    assert {q.code for q in questionnaire.questions} == {d.code for d in rules.deferrals}


def test_questions_come_in_order_and_fill_in_the_rule_sets_period() -> None:
    questionnaire = for_jurisdiction("VN-TT26-2013")
    assert questionnaire is not None
    orders = [q.order for q in questionnaire.questions]
    assert orders == sorted(orders)
    tattoo = next(q for q in questionnaire.questions if q.code == "tattoo")
    rules = registry.current("VN-TT26-2013")
    assert tattoo.wording(rules, "en") == "Have you had a tattoo in the last 6 months?"
    cn = for_jurisdiction("CN-GB18467-2011")
    assert cn is not None
    cn_tattoo = next(q for q in cn.questions if q.code == "tattoo")
    assert "1 year" in cn_tattoo.wording(registry.current("CN-GB18467-2011"), "en")


def test_china_asks_repeat_donors_about_reactions_and_women_about_pregnancy() -> None:
    questionnaire = for_jurisdiction("CN-GB18467-2011")
    assert questionnaire is not None
    first_time_man = {q.code for q in questionnaire.for_donor("M", repeat_donor=False)}
    repeat_woman = {q.code for q in questionnaire.for_donor("F", repeat_donor=True)}
    assert "previous_donation_reaction" not in first_time_man
    assert "pregnancy" not in first_time_man and "msm" in first_time_man
    assert {"previous_donation_reaction", "pregnancy"} <= repeat_woman
    assert "msm" not in repeat_woman


def test_a_valid_file_parses(tmp_path: Path) -> None:
    questionnaire = parse(write(tmp_path, GOOD))
    assert questionnaire.label == "VN-TT26-2013 t1"


def test_it_refuses_a_code_the_rule_set_lacks(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match="not in rule set"):
        parse(write(tmp_path, GOOD.replace('"tattoo"', '"moon_travel"')))


def test_it_refuses_a_missing_language(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match="lacks the languages"):
        parse(write(tmp_path, GOOD.replace('es = "x"\n', "")))


def test_it_refuses_an_unknown_jurisdiction(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match="no rule set"):
        parse(write(tmp_path, GOOD.replace("VN-TT26-2013", "XX-1")))


def test_it_refuses_a_period_on_a_rule_without_one(tmp_path: Path) -> None:
    text = GOOD.replace('"tattoo"', '"hiv_positive"')
    with pytest.raises(QuestionnaireError, match="period"):
        parse(write(tmp_path, text))


def test_it_refuses_duplicate_codes(tmp_path: Path) -> None:
    body = GOOD.split("[[questions]]")[1]
    text = GOOD + "[[questions]]" + body.replace("order = 10", "order = 20")
    with pytest.raises(QuestionnaireError, match="only once"):
        parse(write(tmp_path, text))


def test_the_shipped_directory_is_next_to_the_loader() -> None:
    assert len(list(DIRECTORY.glob("*.toml"))) == 4
