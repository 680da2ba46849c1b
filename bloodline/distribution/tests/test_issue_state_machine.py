"""QUALITY T1: no component is ever issued unless, at that moment, it is released, checked into
stock, not unsafe (nor its donation), every mandatory test final and acceptable, its ABO/RhD
confirmed and equal to the laboratory's, unexpired, and its donor not deferred (safety.md §3).

A Hypothesis state machine drives random sequences of the real actions — collect, process,
import a passing or failing result row, enter results by hand and have a second person verify
them, correct them with a reason, release, print the label and scan it back, move or discard a
unit, order and allocate (or unallocate, or cancel), pick and dispatch, report what the
hospital did with a unit, move the clock and sweep expiry, defer a donor, recall after a
confirmed-positive result (look-back) — and checks after every step that the invariant holds
for every issued unit, that unsafe never reverts, that the stored status is the derived one,
and that no unit is in two live shipments. Actions may refuse (ValidationError): that is
allowed; the invariant is what matters. Anything else (a database guard firing, an integrity
error) fails the test: the application let something through that it should have refused.

Speed: the demo tree, the equipped centre and donations at every stage are made once; each
sequence runs inside a savepoint rolled back at its end, under a fake clock
(``django.utils.timezone.now``) that starts at the same instant every time. The machine keeps
what it needs to know about the objects it made (DIN, product code, test…) in memory, so a
step costs the queries of its action and one query for the invariant.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter, namedtuple
from dataclasses import dataclass
from typing import Any, ClassVar
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from bloodline.accounts.system import system_actor
from bloodline.collection.models import Donation
from bloodline.demo.factories import collection
from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions as distribution
from bloodline.distribution.models import Allocation, Order, OrderLine, ShipmentItem
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component, StorageLocation, UnsafeDonation
from bloodline.inventory.status import Status, derive
from bloodline.jurisdictions.loader import registry
from bloodline.lab import actions as lab
from bloodline.lab import imports, panel
from bloodline.lab.models import Sample, Stage, TestResult
from bloodline.lib import isbt128
from bloodline.screening.models import Deferral

# QUALITY T1: at least 10,000 random event sequences (the test asserts they all ran).
EXAMPLES = 10_000
# On PostgreSQL every query is a network round trip: the same machine runs fewer sequences
# there, as a check that the database guards agree; the 10,000 run on SQLite.
EXAMPLES_POSTGRES = 500
# The sequences run as four tests of a quarter each, so the suite's two workers share them
# (one 10,000-sequence test kept a worker busy for seven minutes while the other had finished).
PARTS = 4
STEPS = 8

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# The donors' true groups; the analyser rows of a passing panel read these.
GROUPS = [("O", "pos"), ("A", "neg"), ("B", "pos"), ("O", "neg"), ("AB", "pos")]
RECIPIENTS = [("AB", "pos"), ("A", "pos"), ("O", "neg"), ("B", "neg"), ("O", "pos"), ("", "")]
PRODUCTS = ["red_cells_additive", "plasma_fresh_frozen", "platelets_apheresis"]
VOLUMES = {"red_cells_additive": 250, "plasma_fresh_frozen": 200}
TESTS = ["abo", "rhd", "irregular_antibody_screen", "hiv", "hbv", "hcv", "syphilis"]
GOOD = {"non_reactive": "non_reactive", "negative": "negative", "not_detected": "not_detected"}
BAD = {"non_reactive": "reactive", "negative": "positive", "not_detected": "detected"}
OTHER_ABO = {"O": "A", "A": "B", "B": "AB", "AB": "O"}
OTHER_RHD = {"pos": "neg", "neg": "pos"}
OUTCOMES = ["transfused", "returned", "returned warm", "discarded"]
DEFERRAL_DAYS = [None, 1, 3, 30]  # None: permanent
# How a result arrives; one in twelve is a recall (a confirmed positive and its look-back).
HOW = ["import"] * 4 + ["by hand"] * 3 + ["by hand, verified"] * 4 + ["recall"]
REASON = "Transcription error found on review"
LIVE = {Status.QUARANTINED, Status.RELEASED, Status.AVAILABLE, Status.RESERVED}
# One query per step: every component's facts, whether its donation is unsafe, and in how
# many shipments it is that have not come back.
FACTS_SQL = """
SELECT c.id, c.status, c.expires_at, c.released_at, c.stocked_at, c.reserved_at,
       c.issued_at, c.transfused_at, c.processed_at, c.unsafe_at, c.discarded_at,
       c.lookback_hold_id,
       EXISTS (SELECT 1 FROM inventory_unsafedonation u WHERE u.donation_id = c.donation_id),
       (SELECT COUNT(*) FROM distribution_shipmentitem s
         WHERE s.component_id = c.id AND s.outcome <> 'returned')
  FROM inventory_component c
"""
Facts = namedtuple(  # what status.derive reads, in FACTS_SQL's order
    "Facts",
    [
        "expires_at",
        "released_at",
        "stocked_at",
        "reserved_at",
        "issued_at",
        "transfused_at",
        "processed_at",
        "unsafe_at",
        "discarded_at",
        "lookback_hold_id",
    ],
)

index = st.integers(0, 63)


def pick(items: list[Any], i: int) -> Any:
    return items[i % len(items)]


def attempt(action: Any, **kwargs: Any) -> Any:
    """Run an action; a refusal (ValidationError) is an allowed outcome and gives None."""
    try:
        return action(**kwargs)
    except ValidationError:
        return None


def instant(value: Any) -> dt.datetime:
    """A datetime read by raw SQL: aware on PostgreSQL, UTC text on SQLite."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


class Clock:
    """``timezone.now`` during the test: frozen, moved only by the machine's expire step."""

    def __init__(self, start: dt.datetime) -> None:
        self.start = self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


def clock_start() -> dt.datetime:
    """03:00 UTC tomorrow (10:00 in Ho Chi Minh City): the same time of day on every run, and
    ahead of the real clock, which the database's issue guard reads — so the guard never
    sees a unit as expired that the application still sees in date."""
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(3, 0), tzinfo=dt.UTC)


# What the machine knows about the objects it works on, so it need not ask the database.


@dataclass(frozen=True)
class Gift:
    """A donation: its key, its donor (index into GROUPS) and its DIN."""

    pk: int
    donor: int
    din: str


@dataclass(frozen=True)
class Unit:
    pk: int
    donor: int
    din: str
    product_code: str
    division: str
    kind: str


@dataclass(frozen=True)
class Result:
    pk: int
    test: str
    stage: str
    donor: int
    manual: bool


@dataclass
class Base:
    centre: Any
    donors: list[Any]
    gifts: list[Gift]
    unprocessed: list[Gift]
    missing: dict[int, tuple[str, ...]]  # donation → tests with no result yet
    samples: dict[int, int]  # donation → sample
    units: list[Unit]
    results: list[Result]
    orders: list[tuple[int, OrderLine]]  # placed and allocated
    locations: dict[str, Any]
    acceptable: dict[str, str]
    required: set[str]


def unit_of(component: Component, donor: int) -> Unit:
    return Unit(
        component.pk,
        donor,
        component.donation.din,
        component.product_code,
        component.division,
        component.component_kind,
    )


def build_base(centre: Any, now: dt.datetime) -> Base:
    """Donations at every stage: in stock, nearly expired, platelets (5 days), releasable,
    labelled but not scanned back, one test short of a complete panel, untested, and one
    not yet processed; and two hospital orders with units allocated."""
    donors = collection.donors(len(GROUPS), centre.unit, prefix="T1 donor")
    gifts: list[Gift] = []

    def donation(n: int, hours_ago: float, **kwargs: Any) -> Donation:
        [made] = collection.donations(
            [donors[n]],
            credited_to=centre.unit,
            establishment=centre.centre,
            at=now - dt.timedelta(hours=hours_ago),
            volume_ml=kwargs.pop("volume_ml", 350),
            **kwargs,
        )
        gifts.append(Gift(made.pk, n, made.din))
        return made

    def process(d: Donation) -> list[Component]:
        return inventory.process_donation(
            by=centre.clerk, donation=d, recipe="red_cells_plasma", volumes=VOLUMES
        )

    def results(d: Donation, n: int, skip: str = "") -> None:
        rows = [r for r in factories.passing_rows(d, *GROUPS[n]) if r["test"] != skip]
        imports.import_results(
            by=centre.lab,
            establishment=centre.centre,
            file_name="base.csv",
            content=factories.to_csv(rows),
        )

    for n, hours in ((0, 3), (1, 3), (2, 6), (3, 41 * 24 + 20)):  # the last expires in 4 h
        factories.stocked(
            donation(n, hours),
            lab=centre.lab,
            clerk=centre.clerk,
            abo=GROUPS[n][0],
            rhd=GROUPS[n][1],
        )
    factories.stocked(
        donation(4, 4 * 24, donation_type="platelets", volume_ml=250),
        lab=centre.lab,
        clerk=centre.clerk,
        abo="AB",
        rhd="pos",
        recipe="platelets_apheresis",
    )
    releasable = donation(0, 2)
    process(releasable)
    results(releasable, 0)
    labelled = donation(2, 5)
    red, _plasma = process(labelled)
    results(labelled, 2)
    inventory.label_printed(by=centre.clerk, component=lab.release(by=centre.lab, component=red))
    one_short = donation(1, 2)
    process(one_short)
    results(one_short, 1, skip="hiv")
    untested = donation(2, 2)
    process(untested)
    unprocessed = donation(3, 1)
    for gift in gifts:
        lab.receive_sample(by=centre.lab, donation=Donation.objects.get(pk=gift.pk))
    orders = []
    for product, abo, rhd, quantity in (
        ("red_cells_additive", "AB", "pos", 1),
        ("plasma_fresh_frozen", "O", "pos", 1),
    ):
        order = distribution.place_order(
            by=centre.hospital_user,
            hospital=centre.hospital,
            supplier=centre.centre,
            urgency="routine",
            needed_by=now + dt.timedelta(hours=4),
            lines=[distribution.LineRequest(product, abo, rhd, quantity)],
        )
        assert len(distribution.allocate(by=centre.clerk, order=order)) == quantity
        orders.append((order.pk, order.lines.get()))
    donor_of = {g.pk: g.donor for g in gifts}
    rules = registry.get(centre.centre.jurisdiction, timezone.localdate(now, ZONE))
    return Base(
        centre=centre,
        donors=donors,
        gifts=gifts,
        unprocessed=[g for g in gifts if g.pk == unprocessed.pk],
        missing={one_short.pk: ("hiv",), untested.pk: tuple(TESTS), unprocessed.pk: tuple(TESTS)},
        samples=dict(Sample.objects.values_list("donation_id", "pk")),
        units=[
            unit_of(c, donor_of[c.donation_id])
            for c in Component.objects.select_related("donation").order_by("pk")
        ],
        results=[
            Result(r.pk, r.test, r.stage, donor_of[r.sample.donation_id], False)
            for r in TestResult.objects.select_related("sample").order_by("pk")
        ],
        orders=orders,
        locations={
            kind: factories.location_for(centre.centre, kind)
            for kind in ("red_cells", "plasma", "platelets")
        }
        | {
            "quarantine": StorageLocation.objects.get(
                establishment=centre.centre, kind="quarantine"
            )
        },
        acceptable={t.code: t.acceptable for t in rules.test_panel},
        required={t.code for t in rules.test_panel if t.applies == "every_donation"},
    )


class IssueMachine(RuleBasedStateMachine):
    base: ClassVar[Base]
    clock: ClassVar[Clock]
    runs: ClassVar[int] = 0
    seen: ClassVar[Counter[str]] = Counter()

    def __init__(self) -> None:
        super().__init__()
        type(self).runs += 1
        self.clock.now = self.clock.start
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        b = self.base
        self.c = b.centre
        self.gifts = list(b.gifts)
        self.unprocessed = list(b.unprocessed)
        self.missing = dict(b.missing)
        self.samples = dict(b.samples)
        self.units = list(b.units)
        self.results = list(b.results)
        self.orders = [pk for pk, _line in b.orders]
        self.lines = dict(b.orders)
        self.picked: Counter[int] = Counter()
        self.unreported: Counter[int] = Counter()
        self.in_shipment: set[tuple[int, int]] = set()
        self.closed: set[int] = set()
        self.received: set[int] = set()
        self.issues_checked: set[tuple[int, Any]] = set()
        self.unsafe: set[int] = set()
        self.released: set[int] = set()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # Helpers --------------------------------------------------------------------------------

    def reading(self, test: str, stage: str, good: bool, donor: int) -> str:
        abo, rhd = GROUPS[donor]
        if stage == Stage.CONFIRMATORY:
            return "negative" if good else "positive"
        if test == "abo":
            return abo if good else OTHER_ABO[abo]
        if test == "rhd":
            return rhd if good else OTHER_RHD[rhd]
        acceptable = self.base.acceptable[test]
        return GOOD[acceptable] if good else BAD[acceptable]

    def sample(self, gift: Gift) -> Sample:
        if gift.pk not in self.samples:
            made = lab.receive_sample(
                by=self.c.lab, donation=Donation(pk=gift.pk, establishment=self.c.centre)
            )
            self.samples[gift.pk] = made.pk
        return Sample(pk=self.samples[gift.pk])

    def import_rows(self, gift: Gift, rows: list[tuple[str, str, str]]) -> None:
        batch = imports.import_results(
            by=self.c.lab,
            establishment=self.c.centre,
            file_name="run.csv",
            content=factories.to_csv(
                {"din": gift.din, "test": t, "stage": s, "result": r} for t, s, r in rows
            ),
        )
        self.results += [
            Result(pk, test, stage, gift.donor, False)
            for pk, test, stage in batch.results.values_list("pk", "test", "stage")
        ]

    def enter(self, gift: Gift, test: str, stage: str, reading: str, verify: bool) -> bool:
        result = attempt(
            lab.record_result,
            by=self.c.lab,
            sample=self.sample(gift),
            test=test,
            stage=stage,
            reading=reading,
        )
        if result is None:
            return False
        self.results.append(Result(result.pk, test, stage, gift.donor, True))
        if verify:
            lab.verify_result(by=self.c.second, result=result)
        return True

    # Collection and processing --------------------------------------------------------------

    @rule(donor=st.integers(0, len(GROUPS) - 1), process_now=st.booleans())
    def collect(self, donor: int, process_now: bool) -> None:
        self.new_donation(donor)
        if process_now:
            self.process(len(self.unprocessed) - 1)

    def new_donation(self, donor: int) -> Gift:
        [made] = collection.donations(
            [self.base.donors[donor]],
            credited_to=self.c.unit,
            establishment=self.c.centre,
            at=self.clock.now - dt.timedelta(hours=1),
        )
        gift = Gift(made.pk, donor, made.din)
        self.gifts.append(gift)
        self.unprocessed.append(gift)
        self.missing[gift.pk] = tuple(TESTS)
        return gift

    @precondition(lambda self: self.unprocessed)
    @rule(i=index)
    def process(self, i: int) -> None:
        gift = pick(self.unprocessed, i)
        self.unprocessed.remove(gift)
        made = attempt(
            inventory.process_donation,
            by=self.c.clerk,
            donation=Donation(pk=gift.pk),
            recipe="red_cells_plasma",
            volumes=VOLUMES,
        )
        for c in made or []:
            self.units.append(
                Unit(c.pk, gift.donor, gift.din, c.product_code, c.division, c.component_kind)
            )

    # Results --------------------------------------------------------------------------------

    @rule(
        i=index,
        test=st.sampled_from(["", *TESTS]),
        good=st.booleans(),
        how=st.sampled_from(HOW),
    )
    def result(self, i: int, test: str, good: bool, how: str) -> None:
        """One result: an analyser row, or typed by hand (and maybe verified by a second
        person); passing or failing (a reactive marker, a group that disagrees). Without a
        test named, the first test the donation still lacks. Or a recall: a confirmed-positive
        result on this donation or (``good``) on a later one of the same donor."""
        gift = pick(self.gifts, i)
        if how == "recall":
            self.recall(gift, later=good)
            return
        missing = self.missing.get(gift.pk, ())
        test = test or (missing[0] if missing else "hiv")
        reading = self.reading(test, "screen", good, gift.donor)
        if how == "import":
            self.missing[gift.pk] = tuple(t for t in missing if t != test)
            self.import_rows(gift, [(test, "screen", reading)])
        else:
            self.enter(gift, test, "screen", reading, verify=how.endswith("verified"))

    def recall(self, gift: Gift, later: bool) -> None:
        """HIV reactive on screening, reactive on repeat, positive on confirmation, and the
        look-back that sets off: imported on this donation, or typed and verified on a
        later donation of the same donor."""
        stages = [("hiv", "screen", "reactive"), ("hiv", "repeat", "reactive")]
        stages.append(("hiv", "confirmatory", "positive"))
        if not later:
            self.import_rows(gift, stages)
        else:
            gift = self.new_donation(gift.donor)
            for test, stage, reading in stages:
                assert self.enter(gift, test, stage, reading, verify=True)
        self.seen["recalls"] += 1

    @rule(i=index, by_author=st.booleans())
    def verify(self, i: int, by_author: bool) -> None:
        """A second person verifies a typed result; its author may not."""
        result = pick(self.results, i)
        if by_author and result.manual:
            with pytest.raises(ValidationError):
                lab.verify_result(by=self.c.lab, result=TestResult(pk=result.pk))
            return
        attempt(lab.verify_result, by=self.c.second, result=TestResult(pk=result.pk))

    @rule(i=index, passing=st.booleans(), verify=st.booleans())
    def correct(self, i: int, passing: bool, verify: bool) -> None:
        """A result corrected with a reason, to a passing or a failing reading; the
        correction is typed, so it counts once a second person verified it."""
        old = pick(self.results, i)
        fresh = attempt(
            lab.correct_result,
            by=self.c.lab,
            result=TestResult(pk=old.pk),
            reason=REASON,
            reading=self.reading(old.test, old.stage, passing, old.donor),
        )
        if fresh is None:
            return
        self.results.append(Result(fresh.pk, old.test, old.stage, old.donor, True))
        if verify:
            lab.verify_result(by=self.c.second, result=fresh)

    @rule(i=index)
    def defer(self, i: int) -> None:
        """A deferral recorded at a later screening of donor ``i``: permanent or for some
        days. (Hypothesis draws this cheap rule more often than the others: after
        ``at_hospital``, it is the first in its order — fewest arguments, then name.)"""
        days = DEFERRAL_DAYS[i % len(DEFERRAL_DAYS)]
        today = timezone.localdate(self.clock.now, ZONE)
        Deferral.objects.create(
            donor=pick(self.base.donors, i // len(DEFERRAL_DAYS)),
            code="test_deferral",
            reason="Deferred at a later screening",
            starts_on=today,
            until=today + dt.timedelta(days=days) if days else None,
            permanent=days is None,
        )

    # Release, label, stock ------------------------------------------------------------------

    @rule(i=index)
    def release(self, i: int) -> None:
        attempt(lab.release, by=self.c.lab, component=Component(pk=pick(self.units, i).pk))

    @rule(i=index, mismatch=st.sampled_from(["", "", "din", "group", "product", "flag"]))
    def label_and_scan(self, i: int, mismatch: str) -> None:
        """Print the label and scan it back; a label read back wrong never enters stock."""
        unit = pick(self.units, i)
        attempt(inventory.label_printed, by=self.c.clerk, component=Component(pk=unit.pk))
        abo, rhd = GROUPS[unit.donor]
        flag = isbt128.type3_flag(unit.din)
        if mismatch == "flag":
            flag = f"{60 + (isbt128.check_value(unit.din) + 1) % 37}"
        din = pick(self.gifts, i + 1).din if mismatch == "din" else unit.din
        stocked = attempt(
            inventory.scan_back,
            by=self.c.clerk,
            component=Component(pk=unit.pk),
            location=self.base.locations[unit.kind],
            din_scan=f"={din}{isbt128.type3_flag(din) if mismatch == 'din' else flag}",
            group_scan=isbt128.blood_group_data(
                OTHER_ABO[abo] if mismatch == "group" else abo, rhd
            ),
            product_scan=isbt128.product_code_data(
                unit.product_code, "Ab" if mismatch == "product" else unit.division
            ),
        )
        if stocked is not None:
            assert not mismatch or (mismatch == "din" and din == unit.din), mismatch

    @rule(i=index, reason=st.sampled_from(["bag_damaged", "cold_chain"]))
    def discard(self, i: int, reason: str) -> None:
        unit = pick(self.units, i)
        attempt(inventory.discard, by=self.c.clerk, component=Component(pk=unit.pk), reason=reason)

    @rule(i=index, stale=st.booleans())
    def move(self, i: int, stale: bool) -> None:
        """A unit moved to another store; from a page opened before a change, refused."""
        unit = pick(self.units, i)
        location = self.base.locations["quarantine" if i % 2 else unit.kind]
        moved = attempt(
            inventory.move,
            by=self.c.clerk,
            component=Component(pk=unit.pk),
            location=location,
            version=0 if stale else None,
        )
        assert moved is None or not stale, "an edit from a stale page was taken"

    # Orders, allocation, issue --------------------------------------------------------------

    @rule(
        product=st.sampled_from(PRODUCTS),
        group=st.sampled_from(RECIPIENTS),
        quantity=st.integers(1, 2),
    )
    def order(self, product: str, group: tuple[str, str], quantity: int) -> None:
        placed = attempt(
            distribution.place_order,
            by=self.c.hospital_user,
            hospital=self.c.hospital,
            supplier=self.c.centre,
            urgency="routine",
            needed_by=self.clock.now + dt.timedelta(hours=4),
            lines=[distribution.LineRequest(product, group[0], group[1], quantity)],
        )
        if placed is None:
            return
        self.orders.append(placed.pk)
        attempt(distribution.allocate, by=self.c.clerk, order=placed)

    @rule(i=index, j=index, what=st.sampled_from(["allocate", "allocate", "unallocate", "cancel"]))
    def desk(self, i: int, j: int, what: str) -> None:
        """The desk allocates a unit it chose (refused unless compatible and available) or
        takes one back, or the order is cancelled."""
        pk = pick(self.orders, i)
        if what == "cancel":
            if attempt(distribution.cancel_order, by=self.c.hospital_user, order=Order(pk=pk)):
                self.closed.add(pk)
            return
        if what == "unallocate":
            live = Allocation.objects.filter(line__order_id=pk, cancelled_at__isnull=True)
            allocation = live.select_related("line__order", "component").first()
            if allocation is not None:
                attempt(distribution.unallocate, by=self.c.clerk, allocation=allocation)
            return
        unit = Component(pk=pick(self.units, j).pk)
        if pk not in self.lines:
            self.lines[pk] = OrderLine.objects.select_related("order").get(order_id=pk)
        attempt(distribution.allocate_unit, by=self.c.clerk, line=self.lines[pk], component=unit)

    @rule(i=index, miscount=st.booleans())
    def issue(self, i: int, miscount: bool) -> None:
        """Scan every allocated unit into the shipment and dispatch it."""
        pk = pick(self.orders, i)
        if pk in self.closed:  # dispatched or cancelled: nothing more leaves with it
            with pytest.raises(ValidationError):
                distribution.dispatch(by=self.c.clerk, order=Order(pk=pk), packed_count=1)
            return
        known = {u.pk: u for u in self.units}
        allocated = Allocation.objects.filter(line__order_id=pk, cancelled_at__isnull=True)
        for component in allocated.values_list("component_id", flat=True):
            unit = known[component]
            if (pk, component) in self.in_shipment:
                continue  # scanning it again is refused; the shipment keeps it
            if attempt(
                distribution.pick,
                by=self.c.clerk,
                order=Order(pk=pk),
                din_scan=f"={unit.din}{isbt128.type3_flag(unit.din)}",
                product_scan=isbt128.product_code_data(unit.product_code, unit.division),
            ):
                self.picked[pk] += 1
                self.in_shipment.add((pk, component))
            else:
                self.seen["pick refused"] += 1
        if not self.picked[pk]:
            return
        shipment = attempt(
            distribution.dispatch,
            by=self.c.clerk,
            order=Order(pk=pk),
            packed_count=self.picked[pk] + miscount,
        )
        if shipment is not None:
            assert not miscount, "a shipment left although its packed count differs from its scans"
            self.unreported[pk] = self.picked[pk]
            self.closed.add(pk)
            self.seen["dispatched"] += 1

    # Hypothesis draws the first enabled rule in its order (fewest arguments, then name) about
    # three times as often as the others. This one comes first and is rarely enabled; next
    # comes ``defer``, the cheapest, so the favoured draws cost little and change a donor.
    @precondition(lambda self: any(self.unreported.values()))
    @rule(i=index)
    def at_hospital(self, i: int) -> None:
        """The hospital receives a shipment and reports what became of one unit: transfused,
        discarded, returned in the cold chain (back into stock) or out of it (discarded)."""
        pk = pick([o for o, n in self.unreported.items() if n], i)
        outcome = OUTCOMES[i % len(OUTCOMES)]
        if pk not in self.received:
            distribution.receive(
                by=self.c.hospital_user, order=Order(pk=pk), received_count=self.picked[pk]
            )
            self.received.add(pk)
        item = ShipmentItem.objects.filter(shipment__order_id=pk, outcome="").first()
        assert item is not None
        reported = attempt(
            distribution.report_outcome,
            by=self.c.hospital_user,
            item=item,
            outcome="returned" if outcome == "returned warm" else outcome,
            cold_chain_ok=(outcome == "returned") if outcome.startswith("returned") else None,
            note="Bag torn on the ward",
        )
        self.unreported[pk] -= reported is not None

    # Time -----------------------------------------------------------------------------------

    @rule(hours=st.sampled_from([1, 5, 20, 26, 24 * 4, 24 * 40]))
    def expire(self, hours: int) -> None:
        self.clock.now += dt.timedelta(hours=hours)
        inventory.sweep_expired(by=system_actor())

    # The invariant --------------------------------------------------------------------------

    @invariant()
    def nothing_unsafe_leaves_and_the_status_is_derived(self) -> None:
        now = self.clock.now
        with connection.cursor() as cursor:
            cursor.execute(FACTS_SQL)
            rows = cursor.fetchall()
        for pk, status, expires_at, *facts, donation_unsafe, live_shipments in rows:
            # Only the expiry is compared with the clock; the other facts only need to be there.
            f = Facts(instant(expires_at), *facts)
            assert status == derive(f, now), (pk, status, f)  # type: ignore[arg-type]
            assert live_shipments <= 1, f"component {pk} is in two live shipments"
            if f.unsafe_at is not None:
                self.unsafe.add(pk)
            elif pk in self.unsafe:
                raise AssertionError(f"component {pk} is no longer unsafe")
            if pk in self.unsafe:
                assert status not in LIVE, (pk, status)
            if donation_unsafe:
                assert f.unsafe_at is not None, f"component {pk} of an unsafe donation is not"
            if f.released_at is not None:
                self.released.add(pk)
            elif pk in self.released:
                raise AssertionError(f"component {pk} is no longer released")
            if f.issued_at is not None and (pk, f.issued_at) not in self.issues_checked:
                self.check_issue(pk)
                self.issues_checked.add((pk, f.issued_at))

    def check_issue(self, pk: int) -> None:
        """The unit was issued by the step just run, so its facts now are its facts at issue."""
        unit = Component.objects.select_related("donation__donor").get(pk=pk)
        issued = unit.issued_at
        assert issued is not None
        donor = unit.donation.donor
        assert unit.released_at is not None and unit.released_at <= issued, "not released"
        assert unit.stocked_at is not None, "label never checked back"
        assert unit.unsafe_at is None and unit.discarded_at is None, "unsafe or discarded"
        assert not UnsafeDonation.objects.filter(donation=unit.donation).exists(), "unsafe donation"
        assert unit.expires_at > issued, "expired"
        sample = Sample.objects.get(donation=unit.donation)
        listed = {t.code for t in sample.required_tests.all() if t.required}
        assert self.base.required <= listed, "a mandatory test is missing from the panel"
        state = panel.evaluate(sample, donor.abo_confirmed, donor.rhd_confirmed)
        assert state.complete, [(t.code, t.state) for t in state.tests] + state.problems
        assert (state.abo, state.rhd) == (unit.abo, unit.rhd), "group differs from the lab's"
        assert (donor.abo_confirmed, donor.rhd_confirmed) == (unit.abo, unit.rhd), "unconfirmed"
        day = timezone.localdate(issued, ZONE)
        deferrals = Deferral.objects.filter(donor=donor, starts_on__lte=day).filter(
            Q(permanent=True) | Q(until__isnull=True) | Q(until__gt=day)
        )
        assert not deferrals.exists(), "donor deferred"
        self.seen["issued"] += 1


# Each part runs 2,500 sequences: about 4 minutes on a 2-core box, past the suite's
# 300-second limit for one test (pyproject.toml) that catches a test that hangs.
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("part", range(PARTS))
def test_no_unit_is_ever_issued_unless_it_passes_the_gate(centre, part: int) -> None:
    total = EXAMPLES if connection.vendor != "postgresql" else EXAMPLES_POSTGRES
    examples = total // PARTS  # together the parts run all ``total`` sequences
    clock = Clock(clock_start())
    with mock.patch("django.utils.timezone.now", new=clock):
        IssueMachine.base = build_base(centre, clock.start)
        IssueMachine.clock = clock
        IssueMachine.runs = 0
        IssueMachine.seen = Counter()
        # The base lives for the whole run: keep the collector from re-scanning it.
        gc.collect()
        gc.freeze()
        try:
            run_state_machine_as_test(
                IssueMachine,
                settings=settings(
                    max_examples=examples,
                    stateful_step_count=STEPS,
                    deadline=None,
                    database=None,
                    suppress_health_check=[
                        HealthCheck.too_slow,
                        HealthCheck.filter_too_much,
                        HealthCheck.data_too_large,
                    ],
                ),
            )
        finally:
            gc.unfreeze()
    assert IssueMachine.runs >= examples
    # The sequences reached the states that matter. A run of 10,000 issues about 2,300 units,
    # has about 400 refused at the last scan before dispatch and 450 recalls; the floors
    # (per part, in proportion) are far below, so chance never fails the test.
    seen = IssueMachine.seen
    assert seen["issued"] >= examples // 20, seen
    assert seen["pick refused"] >= examples // 250, seen
    assert seen["recalls"] >= examples // 250, seen
