"""Allocating Donation Identification Numbers: per facility and nominal year, duplicate-free
under concurrency, never reusing a voided or already taken number (decision 0021); and
checking that a number entered by hand was issued by the establishment."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bloodline.collection.models import DinCounter, Donation, Facility
from bloodline.drives.models import LabelSet, VoidedDin
from bloodline.drives.reconciliation import was_issued
from bloodline.lib.isbt128 import Din, DinError, parse_entered, validate_din
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


def _taken(prefix: str, first: int, last: int) -> set[int]:
    """Sequences between ``first`` and ``last`` already used for a donation, voided or
    printed on a label set: numbers typed by hand before the range check existed, or
    written by another path, must not jam the allocator."""
    numbers = [f"{prefix}{n:06d}" for n in range(first, last + 1)]
    used = set(Donation.objects.filter(din__in=numbers).values_list("din", flat=True))
    used |= set(VoidedDin.objects.filter(din__in=numbers).values_list("din", flat=True))
    taken = {int(d[7:13]) for d in used}
    fin, year = prefix[:5], int(prefix[5:7])
    for s in LabelSet.objects.filter(fin=fin, year=year, first__lte=last, last__gte=first):
        taken.update(range(max(s.first, first), min(s.last, last) + 1))
    return taken


def _next_free(prefix: str, after: int) -> int:
    """The first sequence above ``after`` that nothing has taken (looked up in batches)."""
    start = after + 1
    while start <= MAX_SEQUENCE:
        end = min(start + 63, MAX_SEQUENCE)
        taken = _taken(prefix, start, end)
        for n in range(start, end + 1):
            if n not in taken:
                return n
        start = end + 1
    raise ValidationError(_("This facility has used every donation number for the year."))


def allocate(*, establishment: Organisation, on: dt.date) -> Din:
    """The next free DIN of the establishment's facility for the year of ``on`` (a date in the
    establishment's own time zone). Must run inside the transaction that uses the number.
    The counter row lock serialises allocators; numbers already taken are skipped and the
    counter moves past them."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate DINs inside the transaction that records the donation")
    facility = Facility.objects.filter(establishment=establishment).first()
    if facility is None:
        raise ValidationError(
            _("This establishment has no ISBT 128 facility identification number configured.")
        )
    counter = _counter(facility, on.year % 100)
    prefix = f"{facility.fin}{on.year % 100:02d}"
    if counter.last_sequence >= MAX_SEQUENCE:
        raise ValidationError(_("This facility has used every donation number for the year."))
    counter.last_sequence = _next_free(prefix, counter.last_sequence)
    counter.save(update_fields=["last_sequence"])
    return Din(validate_din(f"{prefix}{counter.last_sequence:06d}"))


def entered(text: str, *, establishment: Organisation) -> str:
    """The 13 characters of a DIN entered by hand or scanned at collection: scanned, or typed
    with its check character, and issued by the establishment — pre-printed on a label set of
    one of its drives or reached by its allocator. Anything else is a typo, another
    centre's number, or a number the allocator will hand out later (decision 0021)."""
    din13 = parse_entered(text).din
    if not was_issued(establishment=establishment, din13=din13):
        raise DinError(
            "not_issued",
            _(
                "This donation number was not issued by this establishment: use a "
                "pre-printed label of the drive, or leave the number empty to allocate one."
            ),
        )
    return din13
