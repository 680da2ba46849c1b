"""The donor card a station needs, found by one number (decision 0041).

A station scans or types one of three numbers: an identity document number, a phone number
or a donation identification number (DIN). Each is one indexed lookup (the blind indexes of
decision 0033, the unique DIN), narrowed to the registries the reader reaches (decision
0030). The card adds what the station decides with: the blood group, the last donations,
the deferrals in force, and the date the donor may next give whole blood, computed today by
the eligibility engine under the rule set of the reader's establishment.

This lives in screening, not donors: the engine is here, and donors may not import upwards.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.collection.models import Donation
from bloodline.donors import access, phones, reads
from bloodline.donors import card as donor_card
from bloodline.donors.access import in_registry, registry_for
from bloodline.donors.actions import phone_message
from bloodline.donors.documents import normalise_number
from bloodline.donors.models import Donor
from bloodline.donors.reads import ReadPlace
from bloodline.donors.search import by_identity_number, by_phone, findable, search
from bloodline.drives.models import Drive, Registration
from bloodline.jurisdictions.loader import UnknownRuleSet
from bloodline.lib import isbt128
from bloodline.organisations.access import grants, unbounded
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm
from bloodline.screening import engine
from bloodline.screening.assessment import (
    Collected,
    as_active,
    as_history,
    deferrals_in_force,
)
from bloodline.screening.models import Deferral, Presentation

# How much the card shows: display choices, not domain rules.
LAST_DONATIONS = 5
MATCH_LIMIT = 10  # a phone shared by a family answers with each of them
ARRIVAL_LIMIT = 20  # a check-in search lists at most this many people
KEYS = ("identity_number", "phone", "din", "card")
_NUMBER = re.compile(r"^[A-Z0-9\-/]{1,40}$")
# The card's question: may the donor give whole blood, the common case at a drive.
CARD_DONATION_TYPE = "whole_blood"


@dataclass(frozen=True)
class Eligibility:
    """The engine's answer for today: ``outcome`` is the engine's, or ``unknown`` when it
    cannot judge (no sex or date of birth on record, no rule set in force)."""

    outcome: str
    next_eligible_on: dt.date | None
    rule_set: str = ""
    reasons: list[engine.Reason] = field(default_factory=list)


@dataclass(frozen=True)
class Card:
    donor: Donor
    last_donations: list[Donation]
    active_deferrals: list[Deferral]
    eligibility: Eligibility


def _one_key(values: dict[str, str]) -> tuple[str, str]:
    given = {k: v.strip() for k, v in values.items() if v.strip()}
    if len(given) != 1:
        message = _(
            "Give exactly one of: identity number, phone, donation number (DIN) or donor card."
        )
        raise ValidationError({k: [message] for k in (given or {KEYS[0]: ""})})
    return next(iter(given.items()))


def read_din(text: str) -> str:
    """The 13 characters of a DIN as scanned (``=`` + 13 + flags, or without the ``=``),
    typed with its check character, or bare. Raises ``ValidationError`` at ``din``."""
    raw = text.strip().replace(" ", "")
    if len(raw) == 15 and not raw.startswith("="):
        raw = "=" + raw  # a scanner set to drop the data identifier
    try:
        return isbt128.parse(raw).din
    except isbt128.DinError as exc:
        raise ValidationError({"din": [str(exc)]}) from exc


def by_din(text: str, people: QuerySet[Donor]) -> QuerySet[Donor]:
    holders = Donation.objects.filter(din=read_din(text)).values("donor_id")
    return people.filter(pk__in=holders)


def _card_holder(user: User, token: str, people: QuerySet[Donor], key: str) -> Donor:
    """The holder of a scanned donor card among ``people``: one query on the unique public
    id (decision 0054). ``ValidationError`` at ``key`` with the reason when the card is
    expired, replaced, forged or held by nobody the reader may see; logged as a search that
    found nobody, as any lookup that fails."""
    try:
        donor = donor_card.donor_from_card(token, people)
    except donor_card.InvalidCard as exc:
        reads.log_search(by=user, where=_place(key), results=0)
        raise ValidationError({key: [ValidationError(exc.message, code=exc.reason)]}) from exc
    if donor is None:
        reads.log_search(by=user, where=_place(key), results=0)
        raise ValidationError({key: [_("This is not a donor card.")]})
    return donor


def _place(key: str) -> ReadPlace:
    return ReadPlace.STATION if key == "scan" else ReadPlace.LOOKUP_API


def _matches(user: User, key: str, value: str) -> QuerySet[Donor]:
    people = access.visible(findable(), user)
    if key == "identity_number":
        if not _NUMBER.match(normalise_number(value)):
            message = _("Enter the document number with letters and digits only.")
            raise ValidationError({key: [message]})
        return by_identity_number(value, people)
    if key == "phone":
        region = access.default_region(user)
        try:
            return by_phone(value, region, people)
        except phones.InvalidPhone as exc:
            raise ValidationError({key: [phone_message(region)]}) from exc
    return by_din(value, people)


def find(
    user: User, *, identity_number: str = "", phone: str = "", din: str = "", card: str = ""
) -> list[Donor]:
    """The donors holding exactly one given number or donor card, in the registries the
    person reads: one indexed query. Every donor found is a logged read; a lookup that finds
    nobody is logged as a search with no result. Bad input raises ``ValidationError`` at its
    key (an expired, replaced or forged card too)."""
    access.require_view(user)
    key, value = _one_key(
        {"identity_number": identity_number, "phone": phone, "din": din, "card": card}
    )
    if key == "card":
        found = [_card_holder(user, value, access.visible(findable(), user), key)]
    else:
        found = list(
            _matches(user, key, value)
            .select_related("registry")
            .order_by("full_name", "pk")[:MATCH_LIMIT]
        )
    for donor in found:
        reads.log_read(by=user, donor=donor, where=ReadPlace.LOOKUP_API)
    if not found:
        reads.log_search(by=user, where=ReadPlace.LOOKUP_API, results=0)
    return found


def _rules_place(user: User, donor: Donor, latest: Donation | None) -> Organisation | None:
    """Whose rules judge the donor: the reader's own establishment in the donor's registry
    (a nurse's blood centre), else the one that collected the donor's last donation."""
    if not unbounded(user) and donor.registry is not None:
        for grant in grants(user):
            place = grant.membership.organisation
            if (
                Perm.DONOR_VIEW in grant.perms
                and place.is_establishment
                and place.path.startswith(donor.registry.path)
            ):
                return place
    return latest.establishment if latest is not None else None


def today_at(place: Organisation | None) -> tuple[dt.date, zoneinfo.ZoneInfo]:
    """Today and the zone where the donor is judged (the server's when nobody's rules apply)."""
    zone = zoneinfo.ZoneInfo(
        place.effective_time_zone() if place else timezone.get_current_timezone_name()
    )
    return timezone.localtime(timezone.now(), zone).date(), zone


def _judge(
    donor: Donor,
    history: Sequence[Collected],
    deferrals: list[Deferral],
    place: Organisation | None,
    *,
    day: tuple[dt.date, zoneinfo.ZoneInfo] | None = None,
    donation_type: str = CARD_DONATION_TYPE,
) -> Eligibility:
    """The engine's answer for ``donation_type`` today under ``place``'s rules; today's date
    and zone (as ``today_at`` gives them) passed as ``day`` when the caller judges many donors
    of one place."""
    if place is None or donor.sex not in ("M", "F") or donor.date_of_birth is None:
        return Eligibility("unknown", None)
    today, zone = day or today_at(place)
    facts = engine.Facts(
        on=today,
        sex="M" if donor.sex == "M" else "F",
        date_of_birth=donor.date_of_birth,
        donation_type=donation_type,
        history=as_history(history, zone),
        active_deferrals=as_active(deferrals),
    )
    try:
        decision = engine.evaluate_on(place.jurisdiction, facts)
    except UnknownRuleSet:
        return Eligibility("unknown", None)
    until = next_eligible(decision, today)
    return Eligibility(decision.outcome, until, decision.rule_set, decision.reasons)


def next_eligible(decision: engine.Decision, today: dt.date) -> dt.date | None:
    """The first day the donor may give: today when nothing defers them (a physician may
    still have to judge), the end of every dated deferral, and no date for a permanent
    deferral or one that ends only when the donor is tested again."""
    if decision.outcome in ("eligible", "review"):
        return today
    if decision.outcome == "deferred_temporary":
        return decision.deferred_until
    return None


def card(user: User, donor: Donor) -> Card:
    """The donor's card, in two queries whatever the length of their history: their
    donations (the engine needs all of them for intervals and yearly maxima) and the
    deferrals in force."""
    history = list(
        Donation.objects.filter(donor=donor)
        .select_related("establishment")
        .order_by("-collected_at", "-pk")
    )
    place = _rules_place(user, donor, history[0] if history else None)
    deferrals = list(deferrals_in_force(donor, today_at(place)[0]).order_by("-starts_on", "-pk"))
    eligibility = _judge(donor, history, deferrals, place)
    return Card(donor, history[:LAST_DONATIONS], deferrals, eligibility)


def eligibility_by_type(donor: Donor, donation_types: list[str]) -> dict[str, Eligibility]:
    """What the donor's own page shows (issue 13 §4): the engine's answer today for each
    donation type, under the rules of the establishment that collected their last donation
    (a donor holds no grant, so ``_rules_place`` falls back to it), from the same two
    queries as the station card."""
    history = list(
        Donation.objects.filter(donor=donor)
        .select_related("establishment")
        .order_by("-collected_at", "-pk")
    )
    place = history[0].establishment if history else None
    deferrals = list(deferrals_in_force(donor, today_at(place)[0]))
    return {
        kind: _judge(donor, history, deferrals, place, donation_type=kind)
        for kind in donation_types
    }


@dataclass(frozen=True)
class Arrival:
    """Someone a check-in search found: their registration at this drive, if any, and their
    presentation if they are already checked in."""

    donor: Donor
    registration: Registration | None
    presentation: Presentation | None


def as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _arriving(drive: Drive, text: str, people: QuerySet[Donor]) -> QuerySet[Donor]:
    key = as_uuid(text)
    if key is not None:  # a registration QR code or a donor card
        return people.filter(Q(uuid=key) | Q(registrations__uuid=key, registrations__drive=drive))
    try:
        return by_din(text, people)  # the DIN label of an earlier donation
    except ValidationError:
        pass
    # An identity number, a phone or a name: the registry's own search (decision 0041).
    return people.filter(pk__in=search(text, drive.establishment.country_code()).values("pk"))


def for_check_in(user: User, drive: Drive, text: str) -> list[Arrival]:
    """Who a check-in scan or search finds in the drive's registry — by registration code,
    donor card, DIN label, identity number, phone or name — with their registration here:
    three queries whatever the registry's size. Logged as one search (decision 0030). A
    donor card that cannot open anyone raises ``ValidationError`` at ``scan``."""
    text = text.strip()
    if not text:
        return []
    people = in_registry(findable(), registry_for(drive.establishment))
    if donor_card.looks_like_card(text):  # a scanned donor card opens its holder at once
        found = [_card_holder(user, text, people, "scan")]
    else:
        found = list(
            _arriving(drive, text, people).distinct().order_by("full_name", "pk")[:ARRIVAL_LIMIT]
        )
    booked = {
        r.donor_id: r
        for r in Registration.objects.filter(
            drive=drive, donor__in=found, cancelled_at__isnull=True
        ).select_related("slot")
    }
    came = {p.donor_id: p for p in Presentation.objects.filter(drive=drive, donor__in=found)}
    reads.log_search(by=user, where=ReadPlace.STATION, results=len(found))
    return [Arrival(d, booked.get(d.pk), came.get(d.pk)) for d in found]


def arrival(drive: Drive, *, registration: str = "", donor: str = "") -> Arrival | None:
    """The person a check-in station chose: a registration at this drive not cancelled, or a
    donor of the drive's registry (by their public ids); None for anything else."""
    if registration and (key := as_uuid(registration)):
        booked = (
            Registration.objects.filter(drive=drive, uuid=key, cancelled_at__isnull=True)
            .select_related("donor", "slot", "mobilised_by")
            .first()
        )
        return Arrival(booked.donor, booked, None) if booked is not None else None
    if donor and (key := as_uuid(donor)):
        people = in_registry(findable(), registry_for(drive.establishment))
        person = people.filter(uuid=key).first()
        return Arrival(person, None, None) if person is not None else None
    return None


def eligibility_of(
    donors: list[Donor],
    places: dict[int, Organisation],
    *,
    history: Mapping[int, Sequence[Collected]] | None = None,
) -> dict[int, Eligibility]:
    """Today's answer for whole blood for each donor under the rules of ``places[donor
    pk]`` (donors without a place are left out), for work done without a reader (a message
    sweep): every donor's donations and deferrals in two queries, each place's day once.
    A caller that read the donors' donations already passes them as ``history`` (every
    donation of each donor, as rows of values or ``Donation``s) and saves the first query."""
    ids = [d.pk for d in donors if d.pk in places]
    if history is None:
        read: dict[int, list[Collected]] = {pk: [] for pk in ids}
        # Rows of values, not model instances: the engine reads three of their fields.
        for donation in (
            Donation.objects.filter(donor_id__in=ids)
            .order_by("-collected_at", "-pk")
            .values_list("donor_id", "collected_at", "donation_type", "volume_ml", named=True)
        ):
            read[donation.donor_id].append(donation)
        history = read
    days = {p.pk: today_at(p) for p in {places[pk].pk: places[pk] for pk in ids}.values()}
    today = timezone.localdate()
    earliest = min((day for day, _zone in days.values()), default=today)
    latest = max((day for day, _zone in days.values()), default=today)
    deferrals: dict[int, list[Deferral]] = {pk: [] for pk in ids}
    for deferral in Deferral.objects.filter(donor_id__in=ids).filter(
        Deferral.in_force_during(earliest, latest)
    ):
        deferrals[deferral.donor_id].append(deferral)
    judged = {}
    for donor in donors:
        if donor.pk not in places:
            continue
        place = places[donor.pk]
        day, zone = days[place.pk]
        in_force = [d for d in deferrals[donor.pk] if d.in_force(day)]
        judged[donor.pk] = _judge(
            donor, history.get(donor.pk, ()), in_force, place, day=(day, zone)
        )
    return judged
