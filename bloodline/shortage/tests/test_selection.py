"""Who a call-out asks (issue 15 §3, decision 0062): donors of the called groups who may give
by the target day under the engine, agreed to the channel, ranked by likelihood to answer
with the ranking's features kept; every filter counted so that an empty call-out says why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from bloodline.accounts.system import system_actor
from bloodline.demo.factories import collection
from bloodline.donors.models import Consent, Donor
from bloodline.organisations import actions as organisations
from bloodline.organisations.kinds import Kind
from bloodline.screening.models import Deferral
from bloodline.shortage import selection
from bloodline.shortage.selection import Ask

pytestmark = pytest.mark.django_db

O_NEG = ("O", "neg")


@pytest.fixture
def firm(centre: Any) -> Any:
    """A new enterprise of the centre's province: its donors are the only ones of the area."""
    return organisations.create_organisation(
        by=system_actor(),
        parent=centre.unit.parent,
        kind=Kind.ENTERPRISE,
        name="Call-out test works",
    )


def person(
    firm: Any,
    *,
    abo: str = "O",
    rhd: str = "neg",
    confirmed: bool = True,
    sms: bool = True,
    born: dt.date = dt.date(1990, 5, 1),
) -> Donor:
    [donor] = collection.donors(1, firm, prefix="Called")
    donor.sex, donor.date_of_birth = "M", born
    if confirmed:
        donor.abo_confirmed, donor.rhd_confirmed = abo, rhd
        donor.confirmed_at = timezone.now()
    else:
        donor.abo_declared, donor.rhd_declared = abo, rhd
    donor.save()
    if sms:
        Consent.objects.create(
            donor=donor, purpose="contact_sms", text_version="test", given_at=timezone.now()
        )
    return donor


def gave(centre: Any, donor: Donor, days_ago: int) -> None:
    collection.donations(
        [donor],
        credited_to=centre.unit,
        establishment=centre.centre,
        at=timezone.now() - dt.timedelta(days=days_ago),
    )


def ask(centre: Any, firm: Any, by_days: int = 7) -> Ask:
    return Ask(
        establishment=centre.centre,
        groups=[O_NEG],
        by=timezone.localdate() + dt.timedelta(days=by_days),
        channel="sms",
        area=firm,
    )


def test_each_filter_is_counted_and_the_engine_has_the_last_word(centre: Any, firm: Any) -> None:
    ready = person(firm)
    gave(centre, ready, days_ago=200)
    person(firm, abo="A", rhd="pos")  # another group
    too_soon = person(firm)
    gave(centre, too_soon, days_ago=10)  # whole blood 10 days ago: the interval is months
    deferred = person(firm)
    Deferral.objects.create(
        donor=deferred,
        code="travel.malaria_area",
        reason="Travel to a malaria area",
        starts_on=timezone.localdate(),
        until=timezone.localdate() + dt.timedelta(days=30),
        created_by=system_actor(),
    )
    person(firm, sms=False)  # never agreed to text messages
    too_old = person(firm, born=dt.date(1950, 1, 1))  # past the age limit: the engine's call
    gave(centre, too_old, days_ago=400)

    found = selection.select(ask(centre, firm))

    assert found.considered == 6
    assert found.removed == {"group": 1, "due": 1, "deferred": 1, "consent": 1, "engine": 1}
    assert [c.donor_id for c in found.candidates] == [ready.pk]


def test_a_declared_group_counts_until_the_laboratory_confirms_one(centre: Any, firm: Any) -> None:
    declared = person(firm, confirmed=False)
    person(firm, abo="O", rhd="pos", confirmed=False)
    found = selection.select(ask(centre, firm))
    assert [c.donor_id for c in found.candidates] == [declared.pk]


def test_a_donor_due_by_the_target_day_is_called_though_not_due_today(
    centre: Any, firm: Any
) -> None:
    donor = person(firm)
    gave(centre, donor, days_ago=80)  # Vietnam: 12 weeks between whole-blood donations
    assert selection.select(ask(centre, firm, by_days=1)).found == 0
    assert [c.donor_id for c in selection.select(ask(centre, firm, by_days=10)).candidates] == [
        donor.pk
    ]


def test_regular_recent_donors_rank_first_and_keep_their_features(centre: Any, firm: Any) -> None:
    first_timer = person(firm)
    lapsed = person(firm)
    gave(centre, lapsed, days_ago=900)
    regular = person(firm)
    for days_ago in (120, 240, 360):
        gave(centre, regular, days_ago=days_ago)

    found = selection.select(ask(centre, firm))

    assert [c.donor_id for c in found.candidates] == [regular.pk, lapsed.pk, first_timer.pk]
    top = found.candidates[0]
    assert top.features["days_since_last"] == 120
    assert top.features["donations_3y"] == 3 and top.features["donations"] == 3
    assert found.candidates[-1].features["days_since_last"] is None


def test_nobody_found_says_where_they_were_lost(centre: Any, firm: Any) -> None:
    person(firm, abo="B", rhd="pos")
    found = selection.select(ask(centre, firm))
    assert found.found == 0
    assert found.considered == 1 and found.removed["group"] == 1


def test_the_number_to_message_follows_the_published_response_rate() -> None:
    assert selection.needed(4) == 103  # 4 ÷ 3.92 % [U32], rounded up


@pytest.mark.parametrize(
    ("centre_node", "unit_node"), [("vn_centre", "vn_garment"), ("cn_centre", "cn_firm0")]
)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_interval_prefilter_only_leaves_out_donors_the_engine_defers(
    demo: Any, centre_node: str, unit_node: str, seed: int
) -> None:
    """Random histories of every donation type, under Vietnam's rules (only the most recent
    donation counts) and China's (every donation counts): whoever the SQL prefilter leaves
    out, the engine defers on the target day. Safety: a call-out never loses a donor who may
    give because of the shortcut."""
    import random

    from bloodline.collection.models import DonationType
    from bloodline.jurisdictions.loader import registry
    from bloodline.screening import engine
    from bloodline.screening.assessment import as_history
    from bloodline.screening.lookup import CARD_DONATION_TYPE, today_at

    rng = random.Random(seed)
    establishment, unit = demo.nodes[centre_node], demo.nodes[unit_node]
    people = collection.donors(40, unit, prefix=f"Prefilter {seed}")
    for donor in people:
        donor.sex, donor.date_of_birth = rng.choice("MF"), dt.date(1990, 1, 1)
        donor.save()
        for _ in range(rng.randint(0, 3)):
            collection.donations(
                [donor],
                credited_to=unit,
                establishment=establishment,
                at=timezone.now()
                - dt.timedelta(days=rng.randint(0, 200), hours=rng.randint(0, 23)),
                donation_type=rng.choice(DonationType.values),
            )
    by = timezone.localdate() + dt.timedelta(days=rng.randint(0, 30))
    rules = registry.get(establishment.jurisdiction, by)
    ids = [d.pk for d in people]
    kept = set(
        selection._too_soon(Donor.objects.filter(pk__in=ids), rules, by).values_list(
            "pk", flat=True
        )
    )
    left_out = [d for d in people if d.pk not in kept]
    assert left_out, "the histories should leave some donors out"
    _today, zone = today_at(establishment)
    for donor in left_out:
        history = donor.donations.order_by("-collected_at", "-pk")
        facts = engine.Facts(
            on=by,
            sex="M" if donor.sex == "M" else "F",
            date_of_birth=dt.date(1990, 1, 1),
            donation_type=CARD_DONATION_TYPE,
            history=as_history(history, zone),
        )
        decision = engine.evaluate_on(establishment.jurisdiction, facts)
        assert decision.outcome == "deferred_temporary", (donor.pk, list(history), by)
