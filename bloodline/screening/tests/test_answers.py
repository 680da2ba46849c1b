from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent
from bloodline.screening import actions
from bloodline.screening.models import Step
from bloodline.screening.tests.conftest import no_answers

pytestmark = pytest.mark.django_db


def test_it_stores_every_answer_and_moves_the_donor_to_vital_signs(
    arrive: Any, nurse: User
) -> None:
    presentation = arrive()
    answers = no_answers(presentation) | {"tattoo": "yes", "pneumonia": "unknown"}
    presentation = actions.record_answers(by=nurse, presentation=presentation, answers=answers)
    assert presentation.step == Step.VITALS
    assert presentation.answers["tattoo"] is True
    assert presentation.answers["pneumonia"] is None
    assert presentation.answers["hiv_positive"] is False
    assert presentation.questionnaire_version == "VN-TT26-2013 2026.1"
    assert presentation.answered_by == nurse
    event = AuditEvent.objects.get(action="presentation.answers")
    assert "tattoo" not in str(event.changes)  # answers are health data: never in the trail


def test_women_are_asked_about_childbirth_and_men_are_not(arrive: Any) -> None:
    from bloodline.screening.assessment import questions_for

    woman, man = arrive(sex="F"), arrive(sex="M")
    assert "childbirth" in {q.code for q in questions_for(woman)}
    assert "childbirth" not in {q.code for q in questions_for(man)}


def test_it_refuses_a_missing_answer_at_that_question(arrive: Any, nurse: User) -> None:
    presentation = arrive()
    answers = no_answers(presentation)
    del answers["tattoo"]
    answers["piercing"] = "maybe"
    with pytest.raises(ValidationError) as exc:
        actions.record_answers(by=nurse, presentation=presentation, answers=answers)
    assert set(exc.value.message_dict) == {"tattoo", "piercing"}
    presentation.refresh_from_db()
    assert presentation.step == Step.QUESTIONNAIRE and presentation.answers == {}


def test_it_refuses_answers_to_questions_not_asked(arrive: Any, nurse: User) -> None:
    presentation = arrive()
    answers = no_answers(presentation) | {"msm": "no"}  # a China question
    with pytest.raises(ValidationError) as exc:
        actions.record_answers(by=nurse, presentation=presentation, answers=answers)
    assert "answers" in exc.value.message_dict
