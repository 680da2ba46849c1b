"""Allocating Donation Identification Numbers: per facility and nominal year, duplicate-free
under concurrency, never reusing a voided or already taken number (decision 0021); and
checking that a number entered by hand was issued by the establishment.

A collection station — a staff member collecting at a drive — takes its numbers from its own
block of the facility's sequence (decision 0043): the facility counter is locked only to cut
a block, so drives of one establishment no longer queue behind each other's collections."""

from __future__ import annotations

import datetime as dt
import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.collection.models import DinBlock, DinCounter, Donation, Facility
from bloodline.drives.models import Drive, LabelSet, VoidedDin
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


def _used_up() -> ValidationError:
    return ValidationError(_("This facility has used every donation number for the year."))


def _next_free(prefix: str, after: int, last: int = MAX_SEQUENCE) -> int | None:
    """The first sequence above ``after``, up to ``last``, that nothing has taken (looked up
    in batches); None when every one is taken."""
    start = after + 1
    while start <= last:
        end = min(start + 63, last)
        taken = _taken(prefix, start, end)
        for n in range(start, end + 1):
            if n not in taken:
                return n
        start = end + 1
    return None


def _facility(establishment: Organisation) -> Facility:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate DINs inside the transaction that records the donation")
    facility = Facility.objects.filter(establishment=establishment).first()
    if facility is None:
        raise ValidationError(
            _("This establishment has no ISBT 128 facility identification number configured.")
        )
    return facility


def block_size() -> int:
    """How many numbers a station reserves at a time (setting ``DIN_BLOCK_SIZE``)."""
    return max(1, int(getattr(settings, "DIN_BLOCK_SIZE", 25)))


def cut_block(*, facility: Facility, year: int, drive: Drive, holder: User) -> DinBlock:
    """Reserve the next ``block_size()`` numbers of the facility's sequence for one station.
    The counter is locked only for this: run in its own short transaction (after a
    collection used up its block) or, for a station's first number, in the collecting one."""
    counter = _counter(facility, year)
    first = counter.last_sequence + 1
    if first > MAX_SEQUENCE:
        raise _used_up()
    last = min(first + block_size() - 1, MAX_SEQUENCE)
    counter.last_sequence = last
    counter.save(update_fields=["last_sequence"])
    return DinBlock.objects.create(
        facility=facility, year=year, first=first, last=last, next=first, drive=drive, holder=holder
    )


def _open_block(facility: Facility, year: int, drive: Drive, holder: User) -> DinBlock | None:
    """The station's block with numbers left, locked (only this station waits on it)."""
    return (
        DinBlock.objects.select_for_update()
        .filter(facility=facility, year=year, drive=drive, holder=holder)
        .filter(next__lte=models.F("last"))
        .order_by("first")
        .first()
    )


def _cut_ahead(facility_id: int, year: int, drive_id: int, holder_id: int) -> None:
    """After a collection used up its station's block: cut the next one in its own short
    transaction, so the station's next collection locks nothing but its block."""
    with transaction.atomic():
        facility = Facility.objects.get(pk=facility_id)
        drive = Drive.objects.get(pk=drive_id)
        holder = User.objects.get(pk=holder_id)
        if _open_block(facility, year, drive, holder) is None:
            cut_block(facility=facility, year=year, drive=drive, holder=holder)


def _from_block(facility: Facility, year: int, prefix: str, drive: Drive, holder: User) -> int:
    while True:
        block = _open_block(facility, year, drive, holder)
        if block is None:
            block = cut_block(facility=facility, year=year, drive=drive, holder=holder)
        found = _next_free(prefix, block.next - 1, block.last)
        block.next = block.last + 1 if found is None else found + 1
        block.save(update_fields=["next"])
        if block.next > block.last:
            cut = functools.partial(_cut_ahead, facility.pk, year, drive.pk, holder.pk)
            transaction.on_commit(cut, robust=True)
        if found is not None:
            return found


def allocate(
    *,
    establishment: Organisation,
    on: dt.date,
    drive: Drive | None = None,
    holder: User | None = None,
) -> Din:
    """The next free DIN of the establishment's facility for the year of ``on`` (a date in the
    establishment's own time zone). Must run inside the transaction that uses the number.

    With ``drive`` and ``holder`` (the person collecting) the number comes from that
    station's block, whose row lock serialises only that station; a block is cut from the
    facility's counter when the station has none left. Without them (pre-printed labels,
    generated history) the counter row lock serialises allocators. Either way numbers
    already taken are skipped, and a rolled-back collection gives its number back."""
    facility = _facility(establishment)
    year = on.year % 100
    prefix = f"{facility.fin}{year:02d}"
    if drive is not None and holder is not None:
        return Din(
            validate_din(f"{prefix}{_from_block(facility, year, prefix, drive, holder):06d}")
        )
    counter = _counter(facility, year)
    found = _next_free(prefix, counter.last_sequence)
    if found is None:
        raise _used_up()
    counter.last_sequence = found
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
