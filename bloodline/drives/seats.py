"""The seats of a slot: taken and freed by conditional updates in the database, never by
reading ``booked`` first, so concurrent bookings cannot overfill a slot (the database check
``booked <= capacity`` backs that up). ``booked`` counts registrations and the places held
for a waiting-list offer (decision 0057)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from bloodline.drives.models import Drive, Slot


def local_time(slot: Slot, drive: Drive) -> str:
    return f"{slot.starts_at.astimezone(drive.time_zone()):%H:%M}"


def slot_full(slot: Slot, drive: Drive) -> str:
    return _("The slot at %(time)s is full. Choose another slot.") % {
        "time": local_time(slot, drive)
    }


def take_seat(slot: Slot, drive: Drive) -> None:
    """One seat of ``slot``, or a ``ValidationError`` at ``slot`` with code ``full``."""
    taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise ValidationError({"slot": [ValidationError(slot_full(slot, drive), code="full")]})
    slot.refresh_from_db(fields=["booked"])


def try_take_seat(slot_id: int) -> bool:
    return bool(
        Slot.objects.filter(pk=slot_id, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    )


def free_seat(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)
