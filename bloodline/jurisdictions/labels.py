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

# The compatibility classes of components (schema.ComponentKind, components.md §5).
COMPONENT_KINDS = {
    "whole_blood": _("whole blood"),
    "red_cells": _("red cells"),
    "platelets": _("platelets"),
    "plasma": _("plasma"),
    "cryoprecipitate": _("cryoprecipitate"),
    "granulocytes": _("granulocytes"),
}

# Component types of the shipped rule sets; a code without a label here is named as unknown.
COMPONENT_TYPES = {
    "whole_blood": _("whole blood"),
    "whole_blood_cpda1": _("whole blood, CPDA-1"),
    "whole_blood_room_temperature": _("whole blood kept at room temperature"),
    "red_cells_additive": _("red cells in additive solution"),
    "red_cells_washed": _("washed red cells"),
    "red_cells_frozen": _("frozen red cells"),
    # xgettext:no-python-format
    "red_cells_frozen_glycerol_20": _("frozen red cells, 20 % glycerol"),
    # xgettext:no-python-format
    "red_cells_frozen_glycerol_40": _("frozen red cells, 40 % glycerol"),
    "red_cells_deglycerolised": _("deglycerolised red cells"),
    "platelets_apheresis": _("apheresis platelets"),
    "platelets_pooled": _("pooled platelets"),
    "platelets_unagitated": _("platelets kept without agitation"),
    "platelets_bacterial_safety": _("platelets with bacterial detection or reduction"),
    "plasma_fresh_frozen": _("fresh frozen plasma"),
    "plasma_fresh_frozen_deep": _("fresh frozen plasma, at or below −25 °C"),
    "plasma_frozen": _("frozen plasma"),
    "plasma_thawed": _("thawed plasma"),
    "cryoprecipitate": _("cryoprecipitate"),
    "granulocytes": _("granulocytes"),
}


def component_type(code: str) -> str:
    name = COMPONENT_TYPES.get(code)
    return str(name) if name else str(_("unknown component (%(code)s)") % {"code": code})


def component_kind(code: str) -> str:
    name = COMPONENT_KINDS.get(code)
    return str(name) if name else str(_("unknown component class (%(code)s)") % {"code": code})


# The tests of the shipped rule sets' panels (test_panel codes, components.md §6) and of the
# lab's records: every page, PDF and API field that names a test reads it here.
LAB_TESTS = {
    "abo": _("ABO group"),
    "rhd": _("RhD type"),
    "irregular_antibody_screen": _("irregular antibody screen"),
    "alt": _("ALT (alanine aminotransferase)"),
    "hbsag": _("HBsAg (hepatitis B surface antigen)"),
    "hbv": _("hepatitis B (HBV) marker"),
    "anti_hcv": _("anti-HCV (hepatitis C antibodies)"),
    "hcv": _("hepatitis C (HCV) marker"),
    "anti_hiv_1_2": _("anti-HIV-1/2 (HIV antibodies)"),
    "hiv_ag_ab": _("HIV antigen/antibody combined test"),
    "hiv": _("HIV marker"),
    "syphilis": _("syphilis"),
    "syphilis_anti_tp": _("syphilis (anti-Treponema pallidum antibodies)"),
    "nat_hbv_hcv_hiv": _("NAT for HBV, HCV and HIV"),
    "malaria": _("malaria"),
}


def lab_test_name(code: str) -> str:
    """A test's name in the reader's language; a code the table does not know is named as
    such, never shown bare and never an error."""
    name = LAB_TESTS.get(code)
    if name:
        return str(name)
    return str(_("unknown test (%(code)s)") % {"code": code})


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

HAEMOGLOBIN = {
    "M": _("Minimum haemoglobin, men (g/L)"),
    "F": _("Minimum haemoglobin, women (g/L)"),
}
