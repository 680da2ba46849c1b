"""The live board of a drive: counts for the host organisation behind a secret, revocable
link. Counts and hours only — never a name, a phone number or an identity number.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.drives import reconciliation
from bloodline.drives.models import BoardLink, Drive
from bloodline.organisations import access
from bloodline.organisations.access import AnyUser
from bloodline.organisations.roles import Perm

TOKEN_BYTES = 24  # secrets.token_urlsafe(24): 32 characters, 192 random bits


@dataclass(frozen=True)
class Hour:
    starts: dt.datetime  # local, on the hour
    arrivals: int
    collections: int


@dataclass(frozen=True)
class Board:
    registered: int
    arrived: int
    deferred: int
    collected: int
    expected: int
    hours: list[Hour]

    @property
    def percent(self) -> int:
        """Collected as a share of the expected units, capped for the bar."""
        if not self.expected:
            return 0
        return min(100, round(100 * self.collected / self.expected))

    @property
    def peak(self) -> int:
        return max([1, *(max(h.arrivals, h.collections) for h in self.hours)])


def _local_hours(moments: Iterable[dt.datetime], zone: dt.tzinfo) -> Counter[dt.datetime]:
    return Counter(m.astimezone(zone).replace(minute=0, second=0, microsecond=0) for m in moments)


def hours(drive: Drive) -> list[Hour]:
    """Arrivals and collections per hour in the establishment's time zone, every hour from
    the first to the last with activity shown (empty ones too)."""
    zone = drive.time_zone()
    arrived = _local_hours(drive.presentations.values_list("arrived_at", flat=True), zone)
    # Only complete collections are donations (an incomplete one is a presentation).
    complete = drive.donations.filter(outcome="complete")
    collected = _local_hours(complete.values_list("collected_at", flat=True), zone)
    seen = sorted(set(arrived) | set(collected))
    if not seen:
        return []
    result, at = [], seen[0]
    while at <= seen[-1]:
        result.append(Hour(at, arrived.get(at, 0), collected.get(at, 0)))
        at = (at.astimezone(dt.UTC) + dt.timedelta(hours=1)).astimezone(zone)
    return result


def board(drive: Drive) -> Board:
    figures = reconciliation.figures(drive)
    return Board(
        registered=figures.registered,
        arrived=figures.arrived,
        deferred=figures.deferred,
        collected=figures.collected,
        expected=figures.expected,
        hours=hours(drive),
    )


# Links --------------------------------------------------------------------------------------


def live_link(drive: Drive) -> BoardLink | None:
    return drive.board_links.filter(revoked_at__isnull=True).first()


def drive_for_token(token: str) -> Drive:
    """The drive of a live link; 404 for an unknown or revoked token."""
    link = (
        BoardLink.objects.select_related("drive", "drive__establishment")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if link is None:
        raise Http404
    return link.drive


def can_see_link(user: AnyUser, drive: Drive) -> bool:
    """Managers of the drive and organisers of a host organisation."""
    if not user.is_authenticated:
        return False
    if access.has_perm(user, Perm.DRIVE_MANAGE, drive.establishment):
        return True
    return any(access.has_perm(user, Perm.REGISTRATION_MANAGE, h) for h in drive.hosts.all())


@transaction.atomic
def share_board(*, by: User, drive: Drive) -> BoardLink:
    """The drive's live board link, made if there is none."""
    access.require(by, Perm.DRIVE_MANAGE, drive.establishment)
    Drive.objects.select_for_update().filter(pk=drive.pk).first()
    existing = live_link(drive)
    if existing is not None:
        return existing
    link = BoardLink.objects.create(
        drive=drive, token=secrets.token_urlsafe(TOKEN_BYTES), created_by=by
    )
    record(by=by, action="drive.board_share", obj=drive)
    return link


@transaction.atomic
def revoke_board(*, by: User, drive: Drive) -> int:
    """Stop the live link working (a new one can be shared afterwards)."""
    access.require(by, Perm.DRIVE_MANAGE, drive.establishment)
    revoked = drive.board_links.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        record(by=by, action="drive.board_revoke", obj=drive)
    return revoked
