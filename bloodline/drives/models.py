from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any, cast

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bloodline.donors.models import Donor
from bloodline.lib.isbt128 import DIN_PATTERN
from bloodline.lib.locking import Versioned
from bloodline.organisations.models import Organisation
from bloodline.programmes.models import Round


class DriveStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    CONFIRMED = "confirmed", _("confirmed")
    RUNNING = "running", _("running")
    CLOSED = "closed", _("closed")
    RECONCILED = "reconciled", _("reconciled")
    CANCELLED = "cancelled", _("cancelled")


# Allowed status changes. actions.change_status refuses anything else with a message, and a
# database trigger (migration 0003) refuses it from any writer, raw SQL included.
DRIVE_TRANSITIONS: dict[str, frozenset[str]] = {
    DriveStatus.PROPOSED: frozenset({DriveStatus.CONFIRMED, DriveStatus.CANCELLED}),
    DriveStatus.CONFIRMED: frozenset({DriveStatus.RUNNING, DriveStatus.CANCELLED}),
    DriveStatus.RUNNING: frozenset({DriveStatus.CLOSED}),
    DriveStatus.CLOSED: frozenset({DriveStatus.RECONCILED}),
    # Back to closed only through closing.reopen_drive, with a reason (decision 0022).
    DriveStatus.RECONCILED: frozenset({DriveStatus.CLOSED}),
    DriveStatus.CANCELLED: frozenset(),
}
# Statuses in which each kind of change is allowed. One place, read by actions, forms and API.
EDITABLE_STATUSES = frozenset({DriveStatus.PROPOSED, DriveStatus.CONFIRMED})
REGISTRATION_STATUSES = frozenset(
    {DriveStatus.PROPOSED, DriveStatus.CONFIRMED, DriveStatus.RUNNING}
)
PUBLIC_STATUSES = frozenset({DriveStatus.CONFIRMED, DriveStatus.RUNNING})
# Limits that keep slot generation bounded (a festival lasts days, not months).
MAX_DRIVE_DAYS = 31
MIN_SLOT_MINUTES = 5
MAX_ARRIVAL_WINDOWS = 8
MAX_DATE_OPTIONS = 3


class DriveQuerySet(models.QuerySet["Drive"]):
    def public(self) -> DriveQuerySet:
        """Drives anyone may see on the public calendar."""
        return self.filter(status__in=sorted(PUBLIC_STATUSES))

    def upcoming(self, on: dt.date) -> DriveQuerySet:
        return self.filter(ends_on__gte=on)

    def on_days(self, first: dt.date, last: dt.date) -> DriveQuerySet:
        """Drives that are held on at least one day between ``first`` and ``last``."""
        return self.filter(starts_on__lte=last, ends_on__gte=first)


class Drive(Versioned):
    """A donation day or festival at a venue, run by a blood establishment.

    Hosted by one or more organisations and usually held under a round of a plan. Its opening
    hours are cut into slots of ``slot_minutes``; each slot takes as many donors as there are
    ``beds``. ``arrival_windows`` stagger groups (schools 7–8 h, agencies 8–9 h, residents
    9–10:30 h) as ``[{"label": …, "start": "07:00", "end": "08:00"}]``. A cancelled drive keeps
    its registrations so the people can be told.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    establishment = models.ForeignKey(
        Organisation,
        verbose_name=_("collecting establishment"),
        on_delete=models.PROTECT,
        related_name="drives_run",
    )
    hosts = models.ManyToManyField(
        Organisation, verbose_name=_("host organisations"), related_name="drives_hosted"
    )
    round = models.ForeignKey(
        Round,
        verbose_name=_("plan round"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drives",
    )
    venue = models.CharField(_("venue"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=30)
    beds = models.PositiveSmallIntegerField(_("beds"), default=4)
    expected_units = models.PositiveIntegerField(_("expected units"), default=0)
    arrival_windows = models.JSONField(_("group arrival windows"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=DriveStatus.choices, default=DriveStatus.PROPOSED
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DriveQuerySet.as_manager()

    class Meta:
        verbose_name = _("drive")
        verbose_name_plural = _("drives")
        ordering = ["starts_on", "opens_at"]
        indexes = [models.Index(fields=["starts_on", "status"], name="drive_day_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="drive_days_ordered"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="drive_hours_ordered"
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gt=0, beds__gt=0), name="drive_has_capacity"
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__isnull=False) & Q(longitude__isnull=False)),
                name="drive_coordinates_paired",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="drive_cancel_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return f"{self.title} ({self.starts_on:%Y-%m-%d})"

    def time_zone(self) -> zoneinfo.ZoneInfo:
        """The zone of the collecting establishment: the drive's hours are its local hours."""
        return zoneinfo.ZoneInfo(self.establishment.effective_time_zone())

    def days(self) -> list[dt.date]:
        count = (self.ends_on - self.starts_on).days + 1
        return [self.starts_on + dt.timedelta(days=n) for n in range(count)]

    def can_become(self, status: str) -> bool:
        return status in DRIVE_TRANSITIONS.get(self.status, frozenset())

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def takes_registrations(self) -> bool:
        return self.status in REGISTRATION_STATUSES

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


def drive_default(field: str) -> Any:
    """A drive field's default (slot length, beds), for forms and the API to offer."""
    return cast("models.Field[Any, Any]", Drive._meta.get_field(field)).get_default()


class Slot(models.Model):
    """One time slot of a drive. ``booked`` only ever grows by a conditional update that checks
    it stays within ``capacity``, so concurrent bookings cannot overfill a slot."""

    drive = models.ForeignKey(Drive, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["drive", "starts_at"], name="slot_unique_start"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="slot_not_overbooked"
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="slot_has_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def free(self) -> int:
        return self.capacity - self.booked


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")


class DriveRequest(models.Model):
    """A unit asking a blood establishment to hold a drive, with up to three dates to choose
    from. The establishment accepts one date (creating a proposed drive) or declines with a
    reason."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        Organisation, verbose_name=_("requesting unit"), on_delete=models.PROTECT, related_name="+"
    )
    establishment = models.ForeignKey(
        Organisation,
        verbose_name=_("blood establishment"),
        on_delete=models.PROTECT,
        related_name="drive_requests",
    )
    option_1 = models.DateField(_("first choice of date"))
    option_2 = models.DateField(_("second choice of date"), null=True, blank=True)
    option_3 = models.DateField(_("third choice of date"), null=True, blank=True)
    expected_donors = models.PositiveIntegerField(_("expected donors"))
    venue = models.CharField(_("proposed venue"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    drive = models.OneToOneField(
        Drive, on_delete=models.PROTECT, null=True, blank=True, related_name="request"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("drive request")
        verbose_name_plural = _("drive requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="drive_request_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(drive__isnull=False),
                name="drive_request_accepted_has_drive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue} ({self.option_1:%Y-%m-%d})"

    def options(self) -> list[dt.date]:
        """The offered dates, first choice first."""
        return [d for d in (self.option_1, self.option_2, self.option_3) if d is not None]

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.REQUESTED


class Channel(models.TextChoices):
    ORGANISER = "organiser", _("registered by the unit organiser")
    BULK = "bulk", _("bulk upload")
    ONLINE = "online", _("online by the donor")
    WALK_IN = "walk_in", _("walk-in")


class DayStatus(models.TextChoices):
    """Where a registration stands on the day, computed by ``drives.day_status`` (decision
    0058), never stored."""

    BOOKED = "booked", _("booked")
    ARRIVED = "arrived", _("arrived")
    DEFERRED = "deferred", _("deferred")
    DONATED = "donated", _("donated")
    NO_SHOW = "no_show", _("did not come")
    CANCELLED = "cancelled", _("cancelled")


class Registration(models.Model):
    """A person booked into a drive slot, and the organisation credited with mobilising them
    (by default the person's own unit). A cancelled registration is kept."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="registrations")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="registrations")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="registrations")
    mobilised_by = models.ForeignKey(
        Organisation,
        verbose_name=_("mobilising organisation"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["slot__starts_at", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["drive", "donor"],
                condition=Q(cancelled_at__isnull=True),
                name="registration_once_per_drive",
                violation_error_message=_("This person is already registered for this drive."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drive} — {self.slot}"

    def audit_label(self) -> str:
        """The drive, never the person (decision 0028)."""
        return self.drive.audit_label()

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None

    @property
    def day_status_label(self) -> str:
        """The ``day_status`` of ``day_status.with_day_status`` in the reader's language."""
        return str(DayStatus(getattr(self, "day_status")).label)  # noqa: B009


class VoidedDin(models.Model):
    """A donation identification number taken out of use at a drive: a pre-printed label set
    spoiled, lost or left over. A voided number is never used for a donation; the drive's
    reconciliation counts it with the numbers used."""

    din = models.CharField(_("donation identification number"), max_length=13, unique=True)
    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="voided_dins")
    reason = models.TextField(_("reason"))
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(_("voided at"))

    class Meta:
        verbose_name = _("voided donation number")
        verbose_name_plural = _("voided donation numbers")
        ordering = ["din"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="voided_din_has_reason"),
            models.CheckConstraint(
                condition=Q(din__regex=DIN_PATTERN),
                name="voided_din_shape",
            ),
        ]

    def __str__(self) -> str:
        return self.din


class LabelSet(models.Model):
    """A run of consecutive donation identification numbers reserved and pre-printed as
    blank label sets for one drive: facility ``fin``, nominal ``year`` and sequences
    ``first``–``last``. At the drive's reconciliation every number of the run is accounted
    for: used for a donation, voided, or listed as printed but unused (safety.md §3)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="label_sets")
    fin = models.CharField(_("facility identification number"), max_length=5)
    year = models.PositiveSmallIntegerField(_("nominal year"))  # two digits [S1 §2.4.1]
    first = models.PositiveIntegerField(_("first sequence number"))
    last = models.PositiveIntegerField(_("last sequence number"))
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    printed_at = models.DateTimeField(_("printed at"))

    class Meta:
        verbose_name = _("pre-printed label set")
        verbose_name_plural = _("pre-printed label sets")
        ordering = ["fin", "year", "first"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first__gte=1, last__gte=F("first"), last__lte=999_999, year__lte=99),
                name="label_set_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fin}{self.year:02d}{self.first:06d}–{self.last:06d}"

    def dins(self) -> list[str]:
        return [f"{self.fin}{self.year:02d}{n:06d}" for n in range(self.first, self.last + 1)]

    def holds(self, din13: str) -> bool:
        return (
            din13[:5] == self.fin
            and int(din13[5:7]) == self.year
            and self.first <= int(din13[7:]) <= self.last
        )


class MismatchKind(models.TextChoices):
    ACCEPTED_NOT_COLLECTED = "accepted_not_collected", _("accepted but not collected")
    DONATION_WITHOUT_PRESENTATION = (
        "donation_without_presentation",
        _("donation without a presentation"),
    )
    VOIDED_BUT_USED = "voided_but_used", _("voided number used for a donation")
    MISSING_DIN = "missing_din", _("pre-printed number neither used nor voided")


class MismatchResolution(models.Model):
    """Why a mismatch of a drive's reconciliation is acceptable, written by a person who will
    not be the one closing the drive (four eyes, decision 0022). ``subject`` names what does
    not add up: a presentation's or donation's public id, or a DIN."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="resolutions")
    kind = models.CharField(_("mismatch"), max_length=32, choices=MismatchKind.choices)
    subject = models.CharField(max_length=64)
    reason = models.TextField(_("reason"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"))

    class Meta:
        verbose_name = _("resolved mismatch")
        verbose_name_plural = _("resolved mismatches")
        ordering = ["resolved_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["drive", "kind", "subject"], name="mismatch_resolved_once"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="mismatch_resolution_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.drive}: {self.kind} {self.subject}"


class BoardLink(models.Model):
    """A secret link to a drive's live board for the host organisation: counts and hours,
    never anyone's name. Revoking it makes the link answer 404; a new one can be made."""

    drive = models.ForeignKey(Drive, on_delete=models.CASCADE, related_name="board_links")
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("board link")
        verbose_name_plural = _("board links")
        constraints = [
            models.UniqueConstraint(
                fields=["drive"],
                condition=Q(revoked_at__isnull=True),
                name="board_link_one_live_per_drive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drive} board"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class WaitStatus(models.TextChoices):
    WAITING = "waiting", _("waiting")
    OFFERED = "offered", _("place offered")
    BOOKED = "booked", _("booked")
    EXPIRED = "expired", _("offer expired")
    LEFT = "left", _("left the waiting list")
    CLOSED = "closed", _("closed")


# The entries still in the queue: waiting for a place, or holding one offered to them.
OPEN_WAIT_STATUSES = (WaitStatus.WAITING, WaitStatus.OFFERED)


class WaitlistEntry(models.Model):
    """A donor waiting for a place in a full slot (issue 13 §2). When a seat frees, the first
    waiting donor is offered it: the seat is held for them (counted in the slot's ``booked``,
    so nobody else takes it) until ``hold_until``; accepting turns the hold into their
    registration, letting it pass hands it to the next donor in line. Kept after it ends."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="waitlist")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="waitlist")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="waitlist_entries")
    status = models.CharField(
        _("status"), max_length=10, choices=WaitStatus.choices, default=WaitStatus.WAITING
    )
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    hold_until = models.DateTimeField(_("place held until"), null=True, blank=True)
    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["slot", "status", "created_at"], name="waitlist_queue_idx"),
            models.Index(fields=["status", "hold_until"], name="waitlist_hold_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "donor"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_once_per_slot",
                violation_error_message=_("You are already on the waiting list for this slot."),
            ),
            models.CheckConstraint(
                condition=~Q(status="offered")
                | (Q(offered_at__isnull=False) & Q(hold_until__isnull=False)),
                name="waitlist_offer_has_hold",
            ),
            models.CheckConstraint(
                condition=~Q(status="booked") | Q(registration__isnull=False),
                name="waitlist_booked_has_registration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drive} — {self.slot} ({self.status})"

    def audit_label(self) -> str:
        """The drive, never the person (decision 0028)."""
        return self.drive.audit_label()
