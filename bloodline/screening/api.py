"""Donor self-check and pre-screening under /api/v1/eligibility.

Answers from the facts sent; nothing about the person is stored. Any signed-in person may use
it (the API's global session auth), so the donor self-check and staff share one engine.
"""
# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import field_validator

from bloodline.jurisdictions.loader import UnknownRuleSet
from bloodline.screening.engine import Decision, Donation, Facts, evaluate_on
from bloodline.screening.plausibility import VITALS

router = Router(tags=["eligibility"])

# Physical plausibility only: values outside these ranges are typing mistakes, not readings.
# They are not eligibility thresholds (those come from the rule sets), so they cite no source.
OLDEST_YEARS = 130


class DonationIn(Schema):
    date: dt.date
    type: Literal["whole_blood", "platelets", "plasma", "double_red_cells"]
    volume_ml: int | None = Field(default=None, gt=0, le=1000)


def _low(name: str) -> float:
    return float(VITALS[name][0])


def _high(name: str) -> float:
    return float(VITALS[name][1])


class CheckIn(Schema):
    jurisdiction: str = Field(max_length=40)
    on: dt.date
    sex: Literal["M", "F"]
    date_of_birth: dt.date
    donation_type: Literal["whole_blood", "platelets", "plasma"]
    # The same plausibility limits as the vital-signs station (screening/plausibility.py).
    weight_kg: float | None = Field(default=None, ge=_low("weight_kg"), le=_high("weight_kg"))
    temperature_c: float | None = Field(
        default=None, ge=_low("temperature_c"), le=_high("temperature_c")
    )
    systolic: int | None = Field(default=None, ge=_low("systolic"), le=_high("systolic"))
    diastolic: int | None = Field(default=None, ge=_low("diastolic"), le=_high("diastolic"))
    pulse: int | None = Field(default=None, ge=_low("pulse"), le=_high("pulse"))
    hb_g_l: float | None = Field(default=None, ge=_low("hb_g_l"), le=_high("hb_g_l"))
    history: list[DonationIn] = Field(default_factory=list, max_length=500)
    answers: dict[str, bool | None] = Field(default_factory=dict, max_length=200)
    event_dates: dict[str, dt.date] = Field(default_factory=dict, max_length=200)

    @field_validator("date_of_birth")
    @classmethod
    def _born_in_the_past(cls, value: dt.date) -> dt.date:
        today = dt.date.today()
        if value > today:
            raise ValueError(_("A date of birth cannot be in the future."))
        if value.year < today.year - OLDEST_YEARS:
            raise ValueError(_("This date of birth is not plausible."))
        return value


class ReasonOut(Schema):
    """The reason's facts (code, parameters) and its sentence in the request's language."""

    code: str
    params: dict[str, Any]
    message: str
    source: str
    verified: bool


class CheckOut(Schema):
    outcome: str
    allowed_volumes_ml: list[int]
    deferred_until: dt.date | None
    reasons: list[ReasonOut]
    rule_set: str


def _facts(data: CheckIn) -> Facts:
    return Facts(
        on=data.on,
        sex=data.sex,
        date_of_birth=data.date_of_birth,
        donation_type=data.donation_type,
        weight_kg=data.weight_kg,
        temperature_c=data.temperature_c,
        systolic=data.systolic,
        diastolic=data.diastolic,
        pulse=data.pulse,
        hb_g_l=data.hb_g_l,
        history=[Donation(d.date, d.type, d.volume_ml) for d in data.history],
        answers=dict(data.answers),
        event_dates=dict(data.event_dates),
    )


def _history_errors(data: CheckIn) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.date_of_birth > data.on:
        errors["date_of_birth"] = [_("The date of birth is after the check date.")]
    if any(d.date > data.on for d in data.history):
        errors["history"] = [_("A past donation cannot be after the check date.")]
    if any(d > data.on for d in data.event_dates.values()):
        errors["event_dates"] = [_("An event cannot be after the check date.")]
    return errors


@router.post("/check", response=CheckOut)
def check(request: HttpRequest, data: CheckIn) -> Decision:
    """Whether a donor may give blood on a date, with each reason, its source and rule version."""
    errors = _history_errors(data)
    if errors:
        raise ValidationError(errors)
    try:
        return evaluate_on(data.jurisdiction, _facts(data))
    except UnknownRuleSet as exc:
        message = _("No rule set %(code)s is in force on %(date)s.") % {
            "code": data.jurisdiction,
            "date": data.on.isoformat(),
        }
        raise ValidationError({"jurisdiction": [message]}) from exc
