"""A component's status, derived from the facts recorded on it (safety.md §3).

The order of the checks is the meaning: a discarded, transfused or further-processed unit is
final whatever else is true; an issued unit is at the hospital even if a look-back later
finds it unsafe (the hospital gets a notification task); an unsafe unit never becomes
available again; an expired unit cannot be reserved or issued; a unit on look-back hold is
none of quarantined, released or in stock until the hold is lifted (its other facts are
kept, so it returns to where it was).
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    QUARANTINED = "quarantined", _("quarantined")
    RELEASED = "released", _("released, label to check")
    AVAILABLE = "available", _("available")
    RESERVED = "reserved", _("reserved")
    ISSUED = "issued", pgettext_lazy("component status", "issued")
    TRANSFUSED = "transfused", _("transfused")
    PROCESSED = "processed", _("processed further")
    UNSAFE = "unsafe", _("unsafe")
    EXPIRED = "expired", _("expired")
    HELD = "held", _("look-back hold")
    DISCARDED = "discarded", _("discarded")


FINAL = frozenset({Status.TRANSFUSED, Status.PROCESSED, Status.DISCARDED})
IN_STOCK = frozenset({Status.AVAILABLE, Status.RESERVED})


class Facts(Protocol):
    expires_at: dt.datetime
    released_at: dt.datetime | None
    stocked_at: dt.datetime | None
    reserved_at: dt.datetime | None
    issued_at: dt.datetime | None
    transfused_at: dt.datetime | None
    processed_at: dt.datetime | None
    unsafe_at: dt.datetime | None
    discarded_at: dt.datetime | None
    lookback_hold_id: int | None


def derive(facts: Facts, now: dt.datetime | None = None) -> Status:
    now = now or timezone.now()
    if facts.discarded_at is not None:
        return Status.DISCARDED
    if facts.transfused_at is not None:
        return Status.TRANSFUSED
    if facts.processed_at is not None:
        return Status.PROCESSED
    if facts.issued_at is not None:
        return Status.ISSUED
    if facts.unsafe_at is not None:
        return Status.UNSAFE
    if facts.expires_at <= now:
        return Status.EXPIRED
    if facts.lookback_hold_id is not None:
        return Status.HELD
    if facts.stocked_at is not None:
        return Status.RESERVED if facts.reserved_at is not None else Status.AVAILABLE
    if facts.released_at is not None:
        return Status.RELEASED
    return Status.QUARANTINED
