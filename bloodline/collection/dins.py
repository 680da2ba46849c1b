"""Allocating Donation Identification Numbers: per facility and nominal year, gap-free and
duplicate-free under concurrency (issue: ISBT 128 DIN allocation)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bloodline.collection.models import DinCounter, Facility
from bloodline.lib.isbt128 import Din, validate_din
from bloodline.organisations.models import Organisation

MAX_SEQUENCE = 999_999  # six digits [S1 §2.4.1]


def _counter(facility: Facility, year: int) -> DinCounter:
    """The locked counter row, created on first use (two first users may race to create it)."""
    for _attempt in range(2):
        found = DinCounter.objects.select_for_update().filter(facility=facility, year=year).first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                DinCounter.objects.create(facility=facility, year=year)
        except IntegrityError:
            continue  # someone else created it; lock theirs
    return DinCounter.objects.select_for_update().get(facility=facility, year=year)


def allocate(*, establishment: Organisation, on: dt.date) -> Din:
    """The next DIN of the establishment's facility for the year of ``on`` (a date in the
    establishment's own time zone). Must run inside the transaction that uses the number."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate DINs inside the transaction that records the donation")
    facility = Facility.objects.filter(establishment=establishment).first()
    if facility is None:
        raise ValidationError(
            _("This establishment has no ISBT 128 facility identification number configured.")
        )
    counter = _counter(facility, on.year % 100)
    if counter.last_sequence >= MAX_SEQUENCE:
        raise ValidationError(_("This facility has used every donation number for the year."))
    counter.last_sequence += 1
    counter.save(update_fields=["last_sequence"])
    return Din(validate_din(f"{facility.fin}{on.year % 100:02d}{counter.last_sequence:06d}"))
