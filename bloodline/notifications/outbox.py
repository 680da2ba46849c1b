"""The one way into the outbox (decision 0053): ``enqueue`` a message for an event.

Callers (booking, sign-in, the lab, the drives) call it inside their own transaction, after
their own scope checks, passing ``by=`` the person or the system actor. The message is written
in that transaction, so a rolled-back booking sends nothing; it is rendered now, in the
recipient's language, and sent later by the worker (``bloodline.notifications.worker``).
Nothing here logs an address or a text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone

from bloodline.donors.models import Consent, Donor
from bloodline.notifications.models import (
    SWITCHABLE,
    Channel,
    Event,
    Message,
    Status,
    SwitchedOff,
    Template,
)
from bloodline.notifications.rendering import render_all
from bloodline.organisations.models import Organisation

if TYPE_CHECKING:
    from bloodline.accounts.models import User

# The donor consent that allows each channel (donors.models.ConsentPurpose).
CONSENT_FOR = {
    Channel.EMAIL: "contact_email",
    Channel.SMS: "contact_sms",
    Channel.ZALO: "contact_zalo",
    Channel.WECHAT: "contact_wechat",
}
# Messages the person asked for and is waiting for now: sent without a contact consent (they
# are not contact but an answer), whatever the hour, outside the daily cap.
URGENT = frozenset({Event.SIGN_IN_CODE})
# Channels whose address is the donor's phone on record; the others need ``address``.
PHONE_CHANNELS = frozenset({Channel.SMS, Channel.ZALO})


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What ``enqueue`` did: ``queued`` (a new message), ``duplicate`` (this key was queued
    before; ``message`` is that one), ``no_consent`` (the donor agreed to no usable channel),
    ``no_address`` (no address for the channel) or ``switched_off`` (the establishment does
    not send this event). Only the first two have a message."""

    status: str
    message: Message | None = None

    @property
    def queued(self) -> bool:
        return self.message is not None


def enqueue(
    event: str,
    *,
    to_donor: Donor | None = None,
    address: str | None = None,
    channel: str | None = None,
    language: str | None = None,
    context: Mapping[str, Any],
    key: str,
    establishment: Organisation | None = None,
    send_after: dt.datetime | None = None,
    by: User,
) -> Outcome:
    """Queue ``event``'s message for ``to_donor`` (on a channel they consented to, in their
    language) or for a bare ``address`` on ``channel`` (a sign-in code to someone not yet
    known). ``key`` names this event for this person: the same key twice queues one
    message. ``send_after`` holds it back until then (a reminder on a later date); consent
    and quiet hours are checked again when it is sent."""
    if to_donor is None and (not address or channel not in Channel.values):
        raise ValueError("a message without a donor needs an address and a channel")
    existing = Message.objects.filter(key=key).first()
    if existing is not None:
        return Outcome("duplicate", existing)
    if establishment is not None and switched_off(establishment, event):
        return Outcome("switched_off")
    wanted = Wanted(to_donor, context, key, establishment, send_after, address, channel, language)
    agreed = consented_channels([to_donor.pk]) if to_donor is not None else {}
    built = _Builder(event, by, agreed).build(wanted)
    if isinstance(built, Outcome):
        return built
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin must not spoil the caller
            built.save()
    except IntegrityError:
        return Outcome("duplicate", Message.objects.get(key=key))
    return Outcome("queued", built)


@dataclasses.dataclass(frozen=True)
class Wanted:
    """One message ``enqueue_many`` is asked for (the arguments of ``enqueue``)."""

    to_donor: Donor | None
    context: Mapping[str, Any]
    key: str
    establishment: Organisation | None = None
    send_after: dt.datetime | None = None
    address: str | None = None
    channel: str | None = None
    language: str | None = None


def enqueue_many(event: str, wanted: Iterable[Wanted], *, by: User) -> int:
    """``enqueue`` for many people at once, for a sweep: the keys already queued, the
    consents, the switched-off establishments and the templates are each read once, and the
    messages written in one insert. Returns how many were queued."""
    items = list(wanted)
    if not items:
        return 0
    taken = set(
        Message.objects.filter(key__in=[w.key for w in items]).values_list("key", flat=True)
    )
    places = {w.establishment.pk for w in items if w.establishment is not None}
    off = (
        set(
            SwitchedOff.objects.filter(establishment_id__in=places, event=event).values_list(
                "establishment_id", flat=True
            )
        )
        if event in SWITCHABLE
        else set()
    )
    agreed = consented_channels(w.to_donor.pk for w in items if w.to_donor is not None)
    builder = _Builder(event, by, agreed)
    builder.know_zones(items)
    made: dict[str, Message] = {}
    for w in items:
        if w.key in taken or w.key in made:
            continue
        if w.establishment is not None and w.establishment.pk in off:
            continue
        built = builder.build(w)
        if isinstance(built, Message):
            made[w.key] = built
    # A twin queued since the keys were read is skipped, as ``enqueue`` would.
    Message.objects.bulk_create(made.values(), ignore_conflicts=True)
    return len(made)


class _Builder:
    """Renders messages of one event, keeping what many of them share (templates, zones)."""

    def __init__(self, event: str, by: User, agreed: dict[int, set[str]]) -> None:
        if event not in Event.values:
            raise ValueError(f"unknown event {event!r}")
        self.event, self.by, self.agreed = event, by, agreed
        self.templates: dict[tuple[str, str, int | None], Template] = {}
        self.zones: dict[int, str] = {}

    def build(self, w: Wanted) -> Message | Outcome:
        donor, channel, address, language = w.to_donor, w.channel, w.address, w.language
        if donor is not None:
            consent = self.event not in URGENT
            picked = _donor_channel(donor, channel, address, self.agreed, consent=consent)
            if isinstance(picked, Outcome):
                return picked
            channel, address = picked
            language = (
                language or donor.preferred_language or _country_language(donor, w.establishment)
            )
        assert channel is not None and address is not None
        language = _known_language(language)
        template = self._template(language, channel, w.establishment)
        now = timezone.now()
        subject, body = render_all([template.subject, template.body], w.context, language)
        return Message(
            donor=donor,
            establishment=w.establishment,
            address=address,
            channel=channel,
            language=language,
            time_zone=self._zone(donor, w.establishment),
            event=self.event,
            subject=subject,
            body=body,
            key=w.key,
            created_by=self.by,
            next_attempt_at=max(now, w.send_after) if w.send_after else now,
        )

    def _template(self, language: str, channel: str, establishment: Any) -> Template:
        at = establishment.pk if establishment is not None else None
        if (language, channel, at) not in self.templates:
            found = _template(self.event, language, channel, establishment)
            self.templates[(language, channel, at)] = found
        return self.templates[(language, channel, at)]

    def know_zones(self, items: Iterable[Wanted]) -> None:
        """Read the quiet-hours zone of every recipient's place at once (one query), where
        ``_zone`` would read each place's ancestors in turn."""
        places = {p.pk: p for p in (_zone_place(w.to_donor, w.establishment) for w in items) if p}
        self.zones.update(Organisation.objects.time_zones_of(places.values()))

    def _zone(self, donor: Donor | None, establishment: Any) -> str:
        place = _zone_place(donor, establishment)
        if place is None:
            return str(settings.NOTIFY_DEFAULT_TIME_ZONE)
        if place.pk not in self.zones:
            self.zones[place.pk] = _time_zone(donor, establishment)
        return self.zones[place.pk]


def _zone_place(donor: Donor | None, establishment: Any) -> Any:
    """Whose zone sets the recipient's quiet hours: their unit's, else the sender's."""
    return donor.affiliation if donor is not None and donor.affiliation else establishment


def cancel_waiting_many(keep: Mapping[int, str], event: str, *, reason: str) -> int:
    """For each donor of ``keep`` (donor pk → the key to keep, or ""), cancel their messages
    of ``event`` not yet sent except that one (a reminder whose date moved); ``reason`` is
    kept as the message's code. One query to find them, one to cancel. Returns how many."""
    waiting = Message.objects.filter(
        donor_id__in=list(keep), event=event, status=Status.QUEUED
    ).values_list("pk", "donor_id", "key")
    moved = [pk for pk, donor, key in waiting if key != keep[donor]]
    return Message.objects.filter(pk__in=moved, status=Status.QUEUED).update(
        status=Status.CANCELLED, last_error=reason
    )


def cancel_keyed(prefix: str, *, reason: str) -> int:
    """Cancel the messages not sent yet whose key starts with ``prefix`` (a booking's
    reminder once the booking is cancelled); ``reason`` is kept as their code."""
    return Message.objects.filter(key__startswith=prefix, status=Status.QUEUED).update(
        status=Status.CANCELLED, last_error=reason
    )


def switched_off(establishment: Organisation, event: str) -> bool:
    """Whether ``establishment`` chose not to send ``event`` (only ``SWITCHABLE`` ones)."""
    return (
        event in SWITCHABLE
        and SwitchedOff.objects.filter(establishment=establishment, event=event).exists()
    )


def _donor_channel(
    donor: Donor,
    channel: str | None,
    address: str | None,
    agreed: dict[int, set[str]],
    *,
    consent: bool,
) -> tuple[str, str] | Outcome:
    """The channel and address to reach ``donor``: the one asked for, or the first of
    NOTIFY_CHANNEL_ORDER they consented to (when ``consent`` is needed) and can be reached
    on."""
    if donor.erased_at is not None:
        return Outcome("no_consent")
    candidates = [channel] if channel else list(settings.NOTIFY_CHANNEL_ORDER)
    if consent:  # ``agreed``: the channels each donor consents to (``consented_channels``)
        candidates = [c for c in candidates if c in agreed.get(donor.pk, set())]
    allowed = candidates
    if not allowed:
        return Outcome("no_consent")
    for candidate in allowed:
        reach = address or address_on_record(donor, candidate)
        if reach:
            return candidate, reach
    return Outcome("no_address")


def address_on_record(donor: Donor, channel: str) -> str:
    """Where ``donor`` is reached on ``channel`` without an address given: their phone on
    record for SMS and Zalo, the email address they signed in to the donor portal with for
    email (decision 0059); nothing for WeChat, whose id comes with the message."""
    if channel in PHONE_CHANNELS:
        return donor.phone or ""
    if channel == Channel.EMAIL:
        try:
            user = donor.account.user
        except ObjectDoesNotExist:  # no donor account
            return ""
        return user.email if user.is_active else ""
    return ""


def consented_channels(donor_ids: Iterable[int]) -> dict[int, set[str]]:
    """The channels each donor has a contact consent in force for (one query)."""
    channel_of = {purpose: channel for channel, purpose in CONSENT_FOR.items()}
    found: dict[int, set[str]] = {}
    rows = Consent.objects.filter(
        donor_id__in=list(donor_ids), purpose__in=list(channel_of), withdrawn_at__isnull=True
    ).values_list("donor_id", "purpose")
    for donor_id, purpose in rows:
        found.setdefault(donor_id, set()).add(channel_of[purpose])
    return found


def _country_language(donor: Donor, establishment: Organisation | None) -> str:
    """For a donor who never chose a language: their registry's country's (else the
    sender's), from ``NOTIFY_COUNTRY_LANGUAGE``; empty when unknown."""
    place = donor.registry or establishment
    if place is None:
        return ""
    return str(settings.NOTIFY_COUNTRY_LANGUAGE.get(place.country_code(), ""))


def _known_language(language: str | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def _template(event: str, language: str, channel: str, establishment: Any) -> Template:
    """The establishment's own template if it has one, else the house default."""
    rows = Template.objects.filter(event=event, language=language, channel=channel)
    own = rows.filter(establishment=establishment).first() if establishment else None
    return own or rows.get(establishment__isnull=True)


def _time_zone(donor: Donor | None, establishment: Any) -> str:
    """The recipient's zone for quiet hours: their unit's, else the sender's, else the
    configured default."""
    if donor is not None and donor.affiliation is not None:
        return str(donor.affiliation.effective_time_zone())
    if establishment is not None:
        return str(establishment.effective_time_zone())
    return str(settings.NOTIFY_DEFAULT_TIME_ZONE)
