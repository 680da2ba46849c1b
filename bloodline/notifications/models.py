"""The outbox and its templates: what is said to donors, in which words, and whether it went."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bloodline.lib.crypto import EncryptedTextField
from bloodline.lib.locking import Versioned


class Event(models.TextChoices):
    BOOKING_CONFIRMED = "booking_confirmed", _("Booking confirmed")
    BOOKING_CHANGED = "booking_changed", _("Booking changed")
    BOOKING_CANCELLED = "booking_cancelled", _("Booking cancelled")
    REMINDER_DAY_BEFORE = "reminder_day_before", _("Reminder the day before")
    THANK_YOU = "thank_you", _("Thank you after donating")
    ELIGIBLE_AGAIN = "eligible_again", _("Eligible to give again")
    RESULT_READY = "result_ready", _("Test result ready")
    WAITLIST_OFFER = "waitlist_offer", _("Waiting-list place offered")
    DRIVE_CANCELLED = "drive_cancelled", _("Drive cancelled")
    SIGN_IN_CODE = "sign_in_code", _("Sign-in code")
    DONATION_HELPED = "donation_helped", _("Your donation helped a patient")


# Messages an establishment may choose not to send (``SwitchedOff``): the ones that thank,
# remind or inform. Those a donor needs to act on (bookings, sign-in codes, offers, a
# cancelled drive) are always sent.
SWITCHABLE = (
    Event.THANK_YOU,
    Event.DONATION_HELPED,
    Event.ELIGIBLE_AGAIN,
    Event.RESULT_READY,
    Event.REMINDER_DAY_BEFORE,
)


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    ZALO = "zalo", _("Zalo")
    WECHAT = "wechat", _("WeChat")


class Template(Versioned):
    """The words of one event's message in one language on one channel. A row without an
    establishment is the house default; an establishment's own row replaces it for the
    messages that establishment sends. Placeholders are Django template variables, checked
    against the event's list when the template is saved (``bloodline.notifications.rendering``).
    ``version`` guards edits made at the same time by two administrators."""

    establishment = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("blood establishment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="message_templates",
    )
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "event", "language", "channel"],
                name="template_one_per_establishment",
            ),
            # NULLs are distinct in a unique constraint: the house default needs its own.
            models.UniqueConstraint(
                fields=["event", "language", "channel"],
                condition=Q(establishment__isnull=True),
                name="template_one_house_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.language} {self.channel}"

    def clean(self) -> None:
        from bloodline.notifications.rendering import check_template

        check_template(self.event, self.subject, self.body)


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Message(models.Model):
    """One message in the outbox: written in the same transaction as the event it tells of,
    rendered in the recipient's language at that moment, and sent later by the worker.

    ``key`` is the idempotency key: the same event for the same person gives the same key, so
    it is queued once, and the gateways receive it with every attempt, so a retry after a lost
    answer is not delivered twice. The address and the text are encrypted at rest like donors'
    phones. ``time_zone`` is the recipient's, for quiet hours. ``last_error`` is a code, never
    the gateway's words (they may quote the address)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    donor = models.ForeignKey(
        "donors.Donor", on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    establishment = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    address = EncryptedTextField(_("address"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    time_zone = models.CharField(max_length=64)
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    subject = EncryptedTextField(_("subject"), blank=True)
    body = EncryptedTextField(_("text"))
    key = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    last_error = models.CharField(max_length=40, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["status", "channel", "next_attempt_at"], name="message_due_idx"),
            models.Index(fields=["channel", "last_attempt_at"], name="message_rate_idx"),
            models.Index(fields=["donor", "sent_at"], name="message_donor_sent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="message_status_known"
            ),
            # Sent exactly when it has a sending time.
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False)
                | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="message_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.channel} ({self.status})"


class SwitchedOff(models.Model):
    """An event a blood establishment has chosen not to send to its donors (one of
    ``SWITCHABLE``); ``outbox.enqueue`` queues nothing for it while the row exists."""

    establishment = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("blood establishment"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    switched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    switched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message switched off")
        verbose_name_plural = _("messages switched off")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "event"], name="switched_off_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} off"
