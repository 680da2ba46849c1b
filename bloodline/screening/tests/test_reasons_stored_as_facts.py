"""Engine reasons are kept as codes and parameters and worded in the reader's language when
shown (decision 0026); rows written as sentences before are read back into facts by the
data migration, or kept as a legacy sentence shown as it is."""

from __future__ import annotations

import importlib
from typing import Any

from django.utils import translation

from bloodline.jurisdictions.reasons import reason_label
from bloodline.screening.reasons import describe, render_row

migration = importlib.import_module("bloodline.screening.migrations.0003_engine_reasons_as_facts")


def _weight_reason(presentation: Any) -> dict[str, Any]:
    [row] = [r for r in presentation.engine_reasons if r["code"] == "weight.low"]
    return row


def test_it_stores_the_code_and_parameters_not_a_sentence(at_physician: Any) -> None:
    with translation.override("vi"):
        presentation = at_physician(weight_kg="40")
    row = _weight_reason(presentation)
    assert "message" not in row
    assert row["params"]["weight"] == 40
    assert isinstance(row["params"]["minimum"], int | float)


def test_it_words_a_stored_reason_in_the_readers_language(at_physician: Any) -> None:
    with translation.override("vi"):
        presentation = at_physician(weight_kg="40")
    row = _weight_reason(presentation)
    with translation.override("en"):
        english = render_row(row, presentation.rule_set)
    with translation.override("fr"):
        french = render_row(row, presentation.rule_set)
    assert english.startswith("Weight 40 kg is below the minimum of ")
    assert french != english and "40" in french


def test_the_presentation_gives_each_reason_as_a_sentence_and_its_source(
    at_physician: Any,
) -> None:
    presentation = at_physician(weight_kg="40")
    with translation.override("en"):
        words = dict(presentation.reasons_in_words())
    assert any(s.startswith("Weight 40 kg") for s in words)
    assert all(source for source in words.values())


def test_it_names_a_questionnaire_deferral_by_its_question() -> None:
    with translation.override("vi"):
        label = reason_label("deferral.tattoo", "VN-TT26-2013")
        sentence = describe(
            "deferral.tattoo",
            {"kind": "period", "period": [12, "months"], "date": "2027-01-05"},
            "VN-TT26-2013 2013",
        )
    assert label.startswith("Anh/chị có xăm mình")
    assert "deferral" not in sentence and "xăm mình" in sentence


def test_it_never_shows_a_bare_code() -> None:
    with translation.override("vi"):
        for code in (
            "physician",
            "hb.low",
            "deferral.tattoo",
            "deferral.recorded.hb.low",
            "no_rule.temperature_max_c",
            "answer.unknown.tattoo",
            "made.up",
        ):
            assert code not in reason_label(code, "VN-TT26-2013")


def test_an_unconfirmed_limit_says_a_physician_must_decide() -> None:
    with translation.override("en"):
        sentence = describe("hb.low", {"value": 118, "minimum": 120, "unconfirmed": True})
    assert sentence.startswith("Haemoglobin 118 g/L is below the minimum of 120 g/L.")
    assert sentence.endswith("a physician must decide.")


def test_the_migration_reads_an_english_sentence_back_into_facts() -> None:
    old = {
        "code": "weight.low",
        "message": "Weight 40 kg is below the minimum of 42 kg.",
        "severity": "temporary",
        "until": None,
    }
    row = migration.facts_of(old)
    assert row["params"] == {"weight": 40, "minimum": 42} and "message" not in row
    with translation.override("vi"):
        assert "40" in render_row(row) and "Weight" not in render_row(row)


def test_the_migration_reads_a_vietnamese_sentence_with_a_decimal_comma() -> None:
    with translation.override("vi"):
        written = describe("weight.low", {"weight": 40.5, "minimum": 42})
    row = migration.facts_of({"code": "weight.low", "message": written, "severity": "temporary"})
    assert row["params"] == {"weight": 40.5, "minimum": 42}


def test_the_migration_reads_dates_from_the_stored_end_and_kinds_from_the_severity() -> None:
    aged = migration.facts_of(
        {
            "code": "age.under_min",
            "message": "Donors must be at least 18 years old; eligible from 5 May 2027.",
            "severity": "temporary",
            "until": "2027-05-05",
        }
    )
    lifelong = migration.facts_of(
        {"code": "deferral.hiv", "message": "“…”: permanently deferred.", "severity": "permanent"}
    )
    assert aged["params"] == {"years": 18, "date": "2027-05-05"}
    assert lifelong["params"] == {"kind": "permanent"}


def test_a_sentence_it_cannot_read_is_kept_and_shown_as_it_is() -> None:
    old = {
        "code": "interval.whole_blood_after_whole_blood",
        "message": "12 tuần phải trôi qua sau máu toàn phần; đủ điều kiện từ 05/01/2027.",
        "severity": "temporary",
        "until": "2027-01-05",
    }
    row = migration.facts_of(old)
    assert row["legacy_text"] == old["message"] and "params" not in row
    with translation.override("en"):
        assert render_row(row) == old["message"]


def test_the_migration_leaves_rows_already_stored_as_facts_alone() -> None:
    row = {"code": "hb.low", "params": {"value": 110, "minimum": 120}, "severity": "temporary"}
    assert migration.facts_of(row) is row


def test_the_migration_rewrites_stored_rows_in_the_database(at_physician: Any) -> None:
    from django.apps import apps

    from bloodline.screening.models import Presentation

    presentation = at_physician(weight_kg="40")
    old = [
        {"code": "weight.low", "message": "Cân nặng 40 kg thấp hơn mức tối thiểu 42 kg."},
        {"code": "interval.x", "message": "Một câu không đọc lại được.", "severity": "temporary"},
    ]
    Presentation.objects.filter(pk=presentation.pk).update(engine_reasons=old)
    with translation.override("vi"):
        old[0]["message"] = describe("weight.low", {"weight": 40, "minimum": 42})
    Presentation.objects.filter(pk=presentation.pk).update(engine_reasons=old)
    migration.forwards(apps, None)
    presentation.refresh_from_db()
    read, kept = presentation.engine_reasons
    assert read["params"] == {"weight": 40, "minimum": 42} and "message" not in read
    assert kept["legacy_text"] == "Một câu không đọc lại được."
