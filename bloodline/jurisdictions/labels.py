"""Translated labels for the words rule-set files use as codes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

DONATION_TYPES = {
    "whole_blood": _("whole blood"),
    "platelets": _("platelet apheresis"),
    "plasma": _("plasma apheresis"),
    "double_red_cells": _("double red-cell apheresis"),
}

SEXES = {"M": _("men"), "F": _("women"), "any": _("everyone")}


def period_text(value: int, unit: str) -> str:
    if unit == "hours":
        return ngettext("%(n)d hour", "%(n)d hours", value) % {"n": value}
    if unit == "days":
        return ngettext("%(n)d day", "%(n)d days", value) % {"n": value}
    if unit == "weeks":
        return ngettext("%(n)d week", "%(n)d weeks", value) % {"n": value}
    if unit == "months":
        return ngettext("%(n)d month", "%(n)d months", value) % {"n": value}
    return ngettext("%(n)d year", "%(n)d years", value) % {"n": value}


VITALS = {
    "systolic_min": _("Minimum systolic pressure (mmHg)"),
    "systolic_max": _("Maximum systolic pressure (mmHg)"),
    "diastolic_min": _("Minimum diastolic pressure (mmHg)"),
    "diastolic_max": _("Maximum diastolic pressure (mmHg)"),
    "pulse_pressure_min": _("Minimum pulse pressure (mmHg)"),
    "pulse_min": _("Minimum pulse (per minute)"),
    "pulse_min_endurance_athlete": _("Minimum pulse, endurance athletes (per minute)"),
    "pulse_max": _("Maximum pulse (per minute)"),
    "temperature_max_c": _("Maximum temperature (°C)"),
}
