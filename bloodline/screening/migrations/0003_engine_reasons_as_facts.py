"""Engine reasons stored before decision 0026 carry a sentence (``message``) in the language
of the nurse who took the vital signs. This migration turns each into facts where it can: the
code was always stored, and the numbers are read back out of the sentence by matching it
against the sentence's template in every language the product speaks; dates come from the
stored ``until``. A sentence that cannot be read back (a period, a wording since changed) is
kept as ``legacy_text`` and shown as it is. Reversing puts a sentence back in English."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import migrations
from django.utils import translation

# The templates as they were when the sentences were written (frozen: later wording changes
# must not change what this migration reads). Parameters without a template slot (dates)
# come from the row's ``until``.
NUMBERS = {
    "weight.low": "Weight %(weight)s kg is below the minimum of %(minimum)s kg.",
    "hb.low": "Haemoglobin %(value)s g/L is below the minimum of %(minimum)s g/L.",
    "bp.systolic_low": "Systolic pressure %(value)s mmHg is below the limit %(limit)s.",
    "bp.systolic_high": "Systolic pressure %(value)s mmHg is above the limit %(limit)s.",
    "bp.diastolic_low": "Diastolic pressure %(value)s mmHg is below the limit %(limit)s.",
    "bp.diastolic_high": "Diastolic pressure %(value)s mmHg is above the limit %(limit)s.",
    "bp.pulse_pressure_low": "Pulse pressure %(value)s mmHg is below the limit %(limit)s.",
    "pulse.low": "Pulse %(value)s/min is below the limit %(limit)s.",
    "pulse.high": "Pulse %(value)s/min is above the limit %(limit)s.",
    "temperature.high": "Temperature %(value)s °C is above the limit %(limit)s.",
    "age.under_min": "Donors must be at least %(years)s years old; eligible from %(date)s.",
    "age.first_time_over_limit": (
        "A first-time donor over %(years)s years needs a physician's approval."
    ),
    "age.repeat_donor_reaction_unknown": (
        "Repeat donors may give blood up to %(years)s years only if they never had a "
        "reaction to a donation; that answer is missing."
    ),
    "age.over_max_review": (
        "Donors over %(years)s years may give blood only with a physician's approval."
    ),
    "age.over_max": "Donors may give blood up to the age of %(years)s years.",
    "annual.max_reached": "At most %(count)s such donations in 12 months; eligible from %(date)s.",
    "no_rule.": (
        "These rules set no “%(rule)s”, so the measured %(value)s is not judged; a physician "
        "must decide."
    ),
}
UNCONFIRMABLE = {"hb.low", *(c for c in NUMBERS if c.startswith(("bp.", "pulse.", "temp")))}
SLOT = re.compile(r"%\((\w+)\)s")


def _number(text: str) -> int | float | None:
    digits = re.sub(r"[\s\u00a0\u202f]", "", text)
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", digits) and not re.fullmatch(r"\d+[.,]\d{1,2}", digits):
        digits = re.sub(r"[.,]", "", digits)
    digits = digits.replace(",", ".")
    try:
        value = float(digits)
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def _pattern(template: str) -> re.Pattern[str]:
    parts = SLOT.split(template)
    regex = ""
    for i, part in enumerate(parts):
        regex += f"(?P<{part}>.+?)" if i % 2 else re.escape(part)
    return re.compile(regex)


def _template_key(code: str) -> str | None:
    if code in NUMBERS:
        return code
    return "no_rule." if code.startswith("no_rule.") else None


def _numbers(code: str, message: str) -> dict | None:
    key = _template_key(code)
    if key is None:
        return None
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            found = _pattern(translation.gettext(NUMBERS[key])).search(message)
        if found is None:
            continue
        params = {}
        for name, text in found.groupdict().items():
            if name in ("date", "rule"):
                continue
            value = _number(text)
            if value is None:
                return None
            params[name] = value
        return params
    return None


def facts_of(row: dict) -> dict:
    """The row with ``params`` in place of its sentence, or with the sentence kept as
    ``legacy_text`` when it cannot be read back."""
    if "params" in row or "message" not in row:
        return row
    code, message = str(row.get("code", "")), str(row.get("message", ""))
    severity, until = row.get("severity"), row.get("until")
    params = _numbers(code, message)
    dated = code in ("age.under_min", "annual.max_reached")
    if params is not None and dated:
        params = {**params, "date": until} if until else None
    if params is not None and code in UNCONFIRMABLE and severity == "review":
        params["unconfirmed"] = True
    if params is None and code.startswith(("answer.unknown.", "answer.no_rule.")):
        params = {}
    if params is None and code.startswith("deferral.recorded."):
        params = {"permanent": True} if severity == "permanent" else {}
    if params is None and code.startswith("deferral."):
        kind = {"permanent": "permanent", "review": "physician"}.get(str(severity))
        if kind is None and severity == "temporary" and not until:
            kind = "while_present"
        params = {"kind": kind} if kind else None
    if params is None and code == "donation_type.not_covered":
        params = {"type": "whole_blood"}  # presentations are whole-blood screenings
    rest = {k: v for k, v in row.items() if k != "message"}
    if params is None:
        return {**rest, "legacy_text": message}
    return {**rest, "params": params}


def forwards(apps, schema_editor):
    Presentation = apps.get_model("screening", "Presentation")
    for presentation in Presentation.objects.exclude(engine_reasons=[]).iterator():
        rows = presentation.engine_reasons or []
        converted = [facts_of(r) if isinstance(r, dict) else r for r in rows]
        if converted != rows:
            Presentation.objects.filter(pk=presentation.pk).update(engine_reasons=converted)


def backwards(apps, schema_editor):
    from bloodline.screening.reasons import render_row

    Presentation = apps.get_model("screening", "Presentation")
    with translation.override("en"):
        for presentation in Presentation.objects.exclude(engine_reasons=[]).iterator():
            rows = [
                {
                    **{k: v for k, v in r.items() if k not in ("params", "legacy_text")},
                    "message": render_row(r, presentation.rule_set),
                }
                for r in presentation.engine_reasons or []
                if isinstance(r, dict)
            ]
            Presentation.objects.filter(pk=presentation.pk).update(engine_reasons=rows)


class Migration(migrations.Migration):
    dependencies = [("screening", "0002_station_steps")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
