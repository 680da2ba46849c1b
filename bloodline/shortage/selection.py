"""Who a call-out asks to give (issue 15 §3, decision 0062): the registry's donors of the
called groups who may give by the target day, agreed to be contacted on the channel, and
were not called too often; ranked by how likely they are to answer, with the features of the
ranking kept for each, so it can be evaluated. Nothing is written here: ``select`` reads.

Each filter is counted (``Selection.removed``), so a call-out that finds nobody says why.
The SQL filters only narrow; the eligibility engine decides, on the target day, for every
donor left (``screening.engine`` is the one clinical answer). The interval prefilter leaves
out only donors the engine would surely defer: a donation of a type whose shortest interval
to whole blood, counted short (a month as 28 days, two days spare for time zones), has not
passed by the target day.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from bloodline.collection.models import Donation
from bloodline.donors.access import registry_for
from bloodline.donors.models import Consent, Donor
from bloodline.jurisdictions.loader import UnknownRuleSet, registry
from bloodline.jurisdictions.schema import RuleSet
from bloodline.notifications.outbox import CONSENT_FOR
from bloodline.organisations.models import Organisation
from bloodline.screening import engine
from bloodline.screening.assessment import as_active, as_history
from bloodline.screening.lookup import CARD_DONATION_TYPE, today_at
from bloodline.screening.models import Deferral

Group = tuple[str, str]  # ABO, RhD

# The filters in the order they are applied; ``Selection.removed`` counts each.
FILTERS = ("group", "due", "deferred", "consent", "engine")

# Success of emergency call-outs by channel, Shenzhen 2020 [U32]: SMS 3.92 % (2,075 of
# 52,915), telephone 11.66 % (2,034 of 17,448). Messages of the outbox are written, so SMS's.
RESPONSE_RATE = 0.0392

# The ranking's weights: a model, not a rule; the B7 simulation measures its hit rate against
# random choice among the eligible (decision 0062). Repeat donors answer more often than
# first-time ones, recent donors more than lapsed ones.
WEIGHT_REPEAT = 1.0
WEIGHT_RECENT = 1.0  # gave within the last year
WEIGHT_LAPSING = 0.5  # gave one to two years ago
WEIGHT_HISTORY = 0.5  # scaled by donations in three years, up to HISTORY_CAP
HISTORY_CAP = 6
HISTORY_YEARS = 3


@dataclass(frozen=True)
class Ask:
    """What a call-out asks for."""

    establishment: Organisation
    groups: Sequence[Group]  # the donor groups called: the short group and its substitutes
    by: dt.date  # the day they should give by, in the establishment's zone
    channel: str  # an outbox channel (notifications.models.Channel)
    area: Organisation | None = None  # donors affiliated under this node only


@dataclass(frozen=True)
class Candidate:
    donor_id: int
    score: float
    features: dict[str, Any]


@dataclass
class Selection:
    considered: int  # living donors of the registry (and area)
    removed: dict[str, int] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def found(self) -> int:
        return len(self.candidates)


def needed(wanted: int) -> int:
    """How many donors to message for ``wanted`` donations at the published response rate."""
    return math.ceil(wanted / RESPONSE_RATE)


def _rules(ask: Ask) -> RuleSet | None:
    try:
        return registry.get(ask.establishment.jurisdiction, ask.by)
    except UnknownRuleSet:
        return None


def _too_soon(donors: QuerySet[Donor], rules: RuleSet, by: dt.date) -> QuerySet[Donor]:
    """``donors`` without those the engine will surely defer on ``by`` for a donation too
    recent, counting each interval short (a month as 28 days, two days spare for time
    zones): a donation of a type with an interval to whole blood, more recent than that
    type's shortest interval (of either sex) — the most recent donation only, when the rules
    count only that one."""
    shortest: dict[str, int] = {}
    for i in rules.intervals:
        if i.before == CARD_DONATION_TYPE:
            days = i.period.value * DAYS_AT_LEAST[i.period.unit]
            shortest[i.after] = min(days, shortest.get(i.after, days))

    def since(days: int) -> dt.datetime:
        return dt.datetime.combine(by - dt.timedelta(days=days - 2), dt.time(), dt.UTC)

    basis = rules.interval_basis
    if basis is not None and basis.rule == "most_recent":
        latest = Donation.objects.filter(donor=OuterRef("pk")).order_by("-collected_at", "-pk")
        donors = donors.annotate(
            last_type=Subquery(latest.values("donation_type")[:1]),
            last_at=Subquery(latest.values("collected_at")[:1]),
        )
        too_soon = Q(pk__in=[])
        for kind, days in sorted(shortest.items()):
            too_soon |= Q(last_type=kind, last_at__gte=since(days))
        # A CASE, not exclude(): a donor who never gave has no last donation (NULL), and
        # NOT (NULL …) would drop them too.
        flagged = Case(When(too_soon, then=Value(True)), default=Value(False))
        return donors.annotate(too_soon=flagged).filter(too_soon=False)
    for kind, days in sorted(shortest.items()):
        recent = Donation.objects.filter(
            donor=OuterRef("pk"), donation_type=kind, collected_at__gte=since(days)
        )
        donors = donors.exclude(Exists(recent))
    return donors


# The fewest days each period unit may span (a month is at least 28 days, a year 365).
DAYS_AT_LEAST = {"hours": 0, "days": 1, "weeks": 7, "months": 28, "years": 365}


def select(ask: Ask, now: dt.datetime | None = None) -> Selection:
    now = now or timezone.now()
    home = registry_for(ask.establishment)
    living = Donor.objects.filter(registry=home, erased_at__isnull=True, merged_into__isnull=True)
    if ask.area is not None:
        living = living.filter(affiliation__path__startswith=ask.area.path)
    found = Selection(considered=living.count())
    rules = _rules(ask)
    if rules is None or home is None:
        found.removed = dict.fromkeys(FILTERS, 0) | {"group": found.considered}
        return found

    in_group = Q(pk__in=[])
    for abo, rhd in ask.groups:
        confirmed = Q(abo_confirmed=abo, rhd_confirmed=rhd)
        declared = Q(abo_confirmed="", abo_declared=abo, rhd_declared=rhd)
        in_group |= confirmed | declared
    steps: list[tuple[str, Any]] = [
        ("group", living.filter(in_group)),
    ]
    steps.append(("due", _too_soon(steps[-1][1], rules, ask.by)))
    deferred = Deferral.objects.filter(donor=OuterRef("pk")).filter(Deferral.in_force_on(ask.by))
    steps.append(("deferred", steps[-1][1].exclude(Exists(deferred))))
    agreed = Consent.objects.filter(
        donor=OuterRef("pk"),
        purpose={str(k): v for k, v in CONSENT_FOR.items()}.get(ask.channel, ""),
        withdrawn_at__isnull=True,
    )
    steps.append(("consent", steps[-1][1].filter(Exists(agreed))))
    before = found.considered
    for name, queryset in steps:
        left = queryset.count()
        found.removed[name] = before - left
        before = left
    survivors = list(steps[-1][1].only("pk", "sex", "date_of_birth"))
    judged = _judge(survivors, ask, now)
    found.removed["engine"] = len(survivors) - len(judged)
    found.candidates = sorted(
        (_rank(pk, features) for pk, features in judged.items()),
        key=lambda c: (-c.score, c.donor_id),
    )
    return found


def _judge(donors: list[Donor], ask: Ask, now: dt.datetime) -> dict[int, dict[str, Any]]:
    """The donors the engine lets give whole blood on the target day, with the features of
    their history the ranking reads."""
    if not donors:
        return {}
    _today, zone = today_at(ask.establishment)
    ids = [d.pk for d in donors]
    history: dict[int, list[Any]] = {pk: [] for pk in ids}
    for row in (
        Donation.objects.filter(donor_id__in=ids)
        .order_by("-collected_at", "-pk")
        .values_list("donor_id", "collected_at", "donation_type", "volume_ml", named=True)
    ):
        history[row.donor_id].append(row)
    deferrals: dict[int, list[Deferral]] = {pk: [] for pk in ids}
    for deferral in Deferral.objects.filter(donor_id__in=ids).filter(Deferral.in_force_on(ask.by)):
        deferrals[deferral.donor_id].append(deferral)
    local_now = timezone.localtime(now, zone).date()
    since = local_now - dt.timedelta(days=365 * HISTORY_YEARS)
    judged = {}
    for donor in donors:
        if donor.sex not in ("M", "F") or donor.date_of_birth is None:
            continue  # the engine cannot judge: the station will, but a call-out does not ask
        facts = engine.Facts(
            on=ask.by,
            sex="M" if donor.sex == "M" else "F",
            date_of_birth=donor.date_of_birth,
            donation_type=CARD_DONATION_TYPE,
            history=as_history(history[donor.pk], zone),
            active_deferrals=as_active(deferrals[donor.pk]),
        )
        decision = engine.evaluate_on(ask.establishment.jurisdiction, facts)
        if decision.outcome in ("deferred_temporary", "deferred_permanent"):
            continue
        days = [timezone.localtime(d.collected_at, zone).date() for d in history[donor.pk]]
        judged[donor.pk] = {
            "days_since_last": (local_now - days[0]).days if days else None,
            "donations_3y": sum(1 for day in days if day >= since),
            "donations": len(days),
            "outcome": decision.outcome,
        }
    return judged


def _rank(donor_id: int, features: dict[str, Any]) -> Candidate:
    since = features["days_since_last"]
    score = WEIGHT_REPEAT * (features["donations"] >= 2)
    if since is not None:
        score += WEIGHT_RECENT if since <= 365 else WEIGHT_LAPSING if since <= 730 else 0.0
    score += WEIGHT_HISTORY * min(features["donations_3y"], HISTORY_CAP) / HISTORY_CAP
    return Candidate(donor_id=donor_id, score=round(score, 4), features=features)
