"""Physical plausibility of measurements typed at the vital-signs station.

A value outside these ranges is a typing mistake (a weight of 7 kg, a temperature of 73 °C),
refused at the field. They are not eligibility thresholds: those come from the rule set and
are applied by the engine. Forms and the station action both read this table.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

VITALS: dict[str, tuple[Decimal, Decimal, Promise]] = {
    "weight_kg": (Decimal(30), Decimal(250), _("kg")),
    "temperature_c": (Decimal(34), Decimal(42), _("°C")),
    "systolic": (Decimal(60), Decimal(250), _("mmHg")),
    "diastolic": (Decimal(30), Decimal(150), _("mmHg")),
    "pulse": (Decimal(30), Decimal(200), _("per minute")),
    "hb_g_l": (Decimal(50), Decimal(220), _("g/L")),
}
