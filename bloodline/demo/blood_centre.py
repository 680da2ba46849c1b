"""The blood-centre part of the generated demo (`make run`): stock, laboratory work, hospital
orders and a look-back at the Vietnamese blood centre, so that the laboratory technician, the
inventory clerk and the hospital user find real work as soon as they sign in.

Everything goes through the real actions (processing, an analyser file, release, label check,
orders, dispatch, receipt, verification, look-back), so audit events and derived statuses are
what the application itself would have written; only donors and plain donations are created
directly, as the programme demo does. Action timestamps are therefore "now": the story is
told by the collection times, which lie in the past relative to the day the demo is loaded.
Generated people only; no real names, no real facility numbers.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.collection import dins, summaries
from bloodline.collection.models import Donation, DonationType, Facility
from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions as distribution
from bloodline.distribution.models import ItemOutcome, Urgency
from bloodline.donors.access import registry_for
from bloodline.donors.models import Donor, Sex
from bloodline.inventory import actions as inventory
from bloodline.inventory import supply
from bloodline.inventory.models import Component, StockThreshold
from bloodline.inventory.status import Status
from bloodline.jurisdictions.loader import registry
from bloodline.jurisdictions.schema import Component as ComponentRule
from bloodline.lab import actions as lab
from bloodline.lab import imports
from bloodline.lab.models import Reading, Sample, Stage
from bloodline.organisations.kinds import Kind
from bloodline.organisations.models import Membership, Organisation

# Demo assumptions, not sourced: the ABO shares of Vietnamese donors (roughly O 42 %, B 30 %,
# A 21 %, AB 7 %) and an RhD-negative share of about 0.1 %.
ABO_SHARES = {"O": 42, "B": 30, "A": 21, "AB": 7}
RHD_NEGATIVE_SHARE = 0.001
# Where a confirmatory test is run, written in the centre's language (a typed-in record).
REFERENCE_LABORATORY = {
    "vi": "Phòng xét nghiệm khẳng định",
    "zh-hans": "确证实验室",
    "zh-hant": "確證實驗室",
    "en": "Reference laboratory",
    "fr": "Laboratoire de référence",
    "es": "Laboratorio de referencia",
}
RHD_SHARES = {"pos": 1 - RHD_NEGATIVE_SHARE, "neg": RHD_NEGATIVE_SHARE}
# Demo assumptions, not sourced: a small provincial centre issuing about eight red-cell units
# and two platelet doses a day, split by the group shares above. RhD-negative units are called
# in from a register of RhD-negative donors when a patient needs one, so no shelf minimum.
DAILY_USE = {"red_cells": Decimal(8), "platelets": Decimal(2)}
DAYS_OF_SUPPLY = {"red_cells": (Decimal(3), Decimal(1)), "platelets": (Decimal("1.5"), Decimal(1))}
# Demo values: component volumes from a whole-blood bag, and apheresis collection volumes.
SPLIT_ML = {250: (160, 110), 350: (220, 160), 450: (280, 220)}
PLATELETS_ML, PLASMA_ML = 250, 500

RECENT_DAYS = 20  # donations of the last three weeks make the working stock
POOL_MIN, POOL_MAX = 30, 36
RECIPE = "red_cells_plasma"
VN_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ"]
VN_MIDDLE = ["Thị", "Văn", "Minh", "Ngọc", "Hữu", "Thanh"]
VN_GIVEN = ["An", "Bảo", "Cường", "Giang", "Hạnh", "Khánh", "Loan", "Nga", "Sơn", "Thảo", "Vy"]


@dataclass
class Cast:
    centre: Organisation
    cn_centre: Organisation | None
    hospital: Organisation
    point: Organisation
    lab: User
    verifier: User
    clerk: User
    hospital_user: User
    zone: ZoneInfo


@dataclass
class Stories:
    """Which donation gets which story."""

    unprocessed: list[Donation] = field(default_factory=list)
    pending: list[Donation] = field(default_factory=list)
    awaiting: list[Donation] = field(default_factory=list)
    reactive: list[Donation] = field(default_factory=list)
    released: list[Donation] = field(default_factory=list)
    stocked: list[Donation] = field(default_factory=list)
    expired: list[Donation] = field(default_factory=list)
    lookback_first: list[Donation] = field(default_factory=list)
    lookback_later: list[Donation] = field(default_factory=list)

    def processed(self) -> list[Donation]:
        tested = self.pending + self.awaiting + self.reactive + self.released + self.stocked
        return tested + self.expired + self.lookback_first + self.lookback_later


def _member(username: str) -> tuple[User, Organisation] | None:
    row = (
        Membership.objects.filter(user__username=username)
        .select_related("user", "organisation")
        .order_by("pk")
        .first()
    )
    return (row.user, row.organisation) if row is not None else None


def _cast() -> Cast | None:
    """The demo's people and places, found through the personas' memberships (so the
    blood-centre part also loads into a database whose tree was seeded earlier)."""
    lab_row, admin_row = _member("lab_technician"), _member("establishment_admin")
    clerk_row, hospital_row = _member("inventory_clerk"), _member("hospital_user")
    if lab_row is None or admin_row is None or clerk_row is None or hospital_row is None:
        return None
    centre = lab_row[1]
    if centre.kind != Kind.BLOOD_CENTRE:
        return None
    point = Organisation.objects.filter(parent=centre, kind=Kind.COLLECTION_POINT).first()
    cn_row = _member("cn_establishment_admin")
    return Cast(
        centre=centre,
        cn_centre=cn_row[1] if cn_row and cn_row[1].kind == Kind.BLOOD_CENTRE else None,
        hospital=hospital_row[1],
        point=point or centre,
        lab=lab_row[0],
        verifier=admin_row[0],
        clerk=clerk_row[0],
        hospital_user=hospital_row[0],
        zone=ZoneInfo(centre.effective_time_zone()),
    )


def seed_blood_centre() -> bool:
    """Load the blood-centre demo once; False when it is already there (or no demo tree)."""
    cast = _cast()
    if cast is None:
        return False
    if (
        StockThreshold.objects.filter(establishment=cast.centre).exists()
        or Component.objects.filter(establishment=cast.centre).exists()
    ):
        return False
    with transaction.atomic():
        # A fixed seed, so every demo looks the same (generated data, not a secret).
        _Seeder(cast, random.Random(128)).run()  # noqa: S311
    return True


class _Seeder:
    def __init__(self, cast: Cast, rng: random.Random) -> None:
        self.cast, self.rng = cast, rng
        self.now = timezone.now()
        self.today = timezone.localtime(self.now, cast.zone).date()
        self.rules = registry.get(cast.centre.jurisdiction, self.today)
        self.groups: dict[int, tuple[str, str]] = {}

    # Setting up -----------------------------------------------------------------------------

    def run(self) -> None:
        c = self.cast
        factories.equip(c.centre)
        if c.cn_centre is not None:
            factories.equip(c.cn_centre)
        self._thresholds()
        Facility.objects.get_or_create(establishment=c.centre, defaults={"fin": "Z9999"})
        plan = self._plan()
        self._process(plan)
        self._first_results(plan)
        self._manual_results(plan.awaiting)
        self._release(plan)
        self._dispatched_order(plan)
        self._lookback(plan)
        self._routine_order()
        inventory.sweep_expired(by=system_actor())
        supply.check_all()  # the levels the worker's first check would record

    def _thresholds(self) -> None:
        """Days-of-supply thresholds for red cells and platelets, set by the centre's
        administrator through the audited action."""
        total = sum(ABO_SHARES.values())
        for kind, per_day in DAILY_USE.items():
            minimum, critical = DAYS_OF_SUPPLY[kind]
            for abo, share in ABO_SHARES.items():
                for rhd, rhd_share in RHD_SHARES.items():
                    use = (per_day * share / total * Decimal(rhd_share)).quantize(Decimal("0.01"))
                    inventory.set_threshold(
                        by=self.cast.verifier,
                        establishment=self.cast.centre,
                        component_kind=kind,
                        abo=abo,
                        rhd=rhd,
                        daily_use=max(Decimal("0.01"), use),
                        minimum_days=minimum if rhd == "pos" else Decimal(0),
                        critical_days=critical if rhd == "pos" else Decimal(0),
                    )

    # Donations ------------------------------------------------------------------------------

    def _at(self, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
        day = self.today - dt.timedelta(days=days_ago)
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.cast.zone)

    def _donor(self) -> Donor:
        rng = self.rng
        return Donor.objects.create(
            full_name=f"{rng.choice(VN_FAMILY)} {rng.choice(VN_MIDDLE)} {rng.choice(VN_GIVEN)}",
            date_of_birth=dt.date(rng.randint(1970, 2005), rng.randint(1, 12), rng.randint(1, 28)),
            sex=rng.choice([Sex.MALE, Sex.FEMALE]),
            registry=registry_for(self.cast.centre),
        )

    def _donation(
        self,
        at: dt.datetime,
        kind: str = DonationType.WHOLE_BLOOD,
        donor: Donor | None = None,
    ) -> Donation:
        """A walk-in donation at the fixed collection point, numbered from the centre's own
        facility code like a donation recorded at a station."""
        whole = kind == DonationType.WHOLE_BLOOD
        if whole:
            volume = self.rng.choice(list(self.rules.whole_blood_volumes.values_ml))
        else:
            volume = PLATELETS_ML if kind == DonationType.PLATELETS else PLASMA_ML
        din = dins.allocate(establishment=self.cast.centre, on=at.astimezone(self.cast.zone).date())
        donation = Donation.objects.create(
            din=din.din,
            donor=donor or self._donor(),
            establishment=self.cast.centre,
            collected_at=at,
            donation_type=kind,
            volume_ml=volume,
            bag_volume_ml=volume if whole else None,
            credited_to=self.cast.point,
        )
        summaries.recorded([donation])  # progress reads the day summaries (decision 0039)
        return donation

    def _unprocessed(self) -> QuerySet[Donation]:
        return Donation.objects.filter(
            establishment=self.cast.centre,
            donation_type=DonationType.WHOLE_BLOOD,
            components__isnull=True,
            sample__isnull=True,
        )

    def _recent(self) -> list[Donation]:
        """The demo's donations of the last three weeks, topped up with walk-in donors."""
        found = list(
            self._unprocessed()
            .filter(
                collected_at__gte=self.now - dt.timedelta(days=RECENT_DAYS),
                collected_at__lte=self.now - dt.timedelta(hours=2),
            )
            .select_related("donor")
            .order_by("-collected_at", "din")[:POOL_MAX]
        )
        while len(found) < POOL_MIN:
            days = self.rng.randint(1, RECENT_DAYS - 1)
            found.append(self._donation(self._at(days, self.rng.randint(7, 10))))
        return sorted(found, key=lambda d: (d.collected_at, d.din), reverse=True)

    def _red_cell_rule(self) -> ComponentRule:
        recipe = self.rules.recipe(RECIPE)
        assert recipe is not None
        return next(
            r
            for code in recipe.outputs
            if (r := self.rules.component(code)) is not None and r.kind == "red_cells"
        )

    def _expiring(self, donation_at: dt.datetime) -> dt.datetime:
        return inventory.expiry_of(self._red_cell_rule(), donation_at, self.cast.centre)

    def _collected_for(self, target: dt.datetime) -> dt.datetime:
        """The most recent 09:00 collection whose red cells expire at or before ``target``."""
        for days in range(1, 800):
            at = self._at(days, 9)
            if self._expiring(at) <= target:
                return at
        raise RuntimeError("no collection day gives that expiry")

    def _near_expiry(self) -> list[Donation]:
        """Three donations whose red cells expire within about one, two and three days:
        from the demo's own donations when some fall in that window (a drive held about
        six weeks ago), else walk-in donors."""
        day = dt.timedelta(days=1)
        targets = [self.now + day * k + dt.timedelta(hours=12) for k in (1, 2, 3)]
        low, high = self._collected_for(targets[0] - day) - day, self._collected_for(targets[-1])
        found = [
            d
            for d in self._unprocessed()
            .filter(collected_at__gt=low, collected_at__lte=high + day)
            .select_related("donor")
            .order_by("collected_at", "din")
            if self.now + dt.timedelta(hours=12) < self._expiring(d.collected_at) <= targets[-1]
        ][:3]
        for target in targets[len(found) :]:
            found.append(self._donation(self._collected_for(target)))
        return found

    def _plan(self) -> Stories:
        recent = self._recent()
        plan = Stories(
            unprocessed=recent[:2],
            pending=recent[2:5],
            awaiting=recent[5:7],
            reactive=recent[7:8],
            released=recent[8:9],
            stocked=recent[9:] + self._near_expiry(),
        )
        plan.stocked += [
            self._donation(self._at(days, 8, 30), DonationType.PLATELETS) for days in (1, 2, 3, 4)
        ]
        # Sample never reached the laboratory: the red cells ran out of date in quarantine.
        plan.expired = [self._donation(self._collected_for(self.now - dt.timedelta(days=2)))]
        # A regular plasma donor who gave whole blood two weeks later (the interval the rule
        # set asks for after plasma apheresis): the later donation is confirmed HIV positive.
        donor = self._donor()
        plan.lookback_first = [self._donation(self._at(17, 8), DonationType.PLASMA, donor)]
        plan.lookback_later = [self._donation(self._at(2, 9), donor=donor)]
        return plan

    # Processing and results -----------------------------------------------------------------

    def _process(self, plan: Stories) -> None:
        for donation in plan.processed():
            if donation.donation_type == DonationType.WHOLE_BLOOD:
                red, plasma = SPLIT_ML.get(donation.volume_ml, (220, 160))
                recipe, volumes = RECIPE, {"red_cells_additive": red, "plasma_fresh_frozen": plasma}
            else:
                recipe, volumes = f"{donation.donation_type}_apheresis", {}
            inventory.process_donation(
                by=self.cast.clerk, donation=donation, recipe=recipe, volumes=volumes
            )

    def group(self, donation: Donation) -> tuple[str, str]:
        """The donor's blood group: the confirmed one, else drawn from the demo's shares."""
        donor = donation.donor
        if donor.pk not in self.groups:
            abo = (
                donor.abo_confirmed
                or self.rng.choices(list(ABO_SHARES), weights=list(ABO_SHARES.values()))[0]
            )
            rhd = donor.rhd_confirmed or (
                "neg" if self.rng.random() < RHD_NEGATIVE_SHARE else "pos"
            )
            self.groups[donor.pk] = (abo, rhd)
        return self.groups[donor.pk]

    def _rows(self, donation: Donation, keep: set[str] | None = None) -> list[dict[str, str]]:
        rows = factories.passing_rows(donation, *self.group(donation))
        return [r for r in rows if keep is None or r["test"] in keep]

    def _import(self, name: str, rows: list[dict[str, str]]) -> None:
        batch = imports.import_results(
            by=self.cast.lab,
            establishment=self.cast.centre,
            file_name=f"{name}-{self.today:%Y%m%d}.csv",
            content=factories.to_csv(rows),
        )
        if batch.rows_refused:
            raise RuntimeError(f"demo results refused: {batch.refused}")

    def _first_results(self, plan: Stories) -> None:
        """Today's analyser file: complete panels, blood groups only for the donations
        whose serology is still running, no syphilis result for two (the analyser's link was
        down; typed in by hand), and a reactive HIV screen on two donations."""
        rows: list[dict[str, str]] = []
        for donation in plan.stocked + plan.released + plan.lookback_first:
            rows += self._rows(donation)
        for donation in plan.pending:
            rows += self._rows(donation, {"abo", "rhd", "irregular_antibody_screen"})
        for donation in plan.awaiting:
            rows += [r for r in self._rows(donation) if r["test"] != "syphilis"]
        for donation in plan.reactive + plan.lookback_later:
            rows += [
                {**r, "result": Reading.REACTIVE} if r["test"] == "hiv" else r
                for r in self._rows(donation)
            ]
        self._import("analyser-run-1", rows)

    def _manual_results(self, donations: list[Donation]) -> None:
        for donation in donations:
            lab.record_result(
                by=self.cast.lab,
                sample=Sample.objects.get(donation=donation),
                test="syphilis",
                stage=Stage.SCREEN,
                reading=Reading.NON_REACTIVE,
                manufacturer="Maker 1",
            )

    def _release(self, plan: Stories) -> None:
        for donation in plan.stocked + plan.released + plan.lookback_first:
            released, refused = lab.release_sample(
                by=self.cast.lab, sample=Sample.objects.get(donation=donation)
            )
            if refused:
                raise RuntimeError(f"demo release refused: {refused}")
            if donation in plan.released:
                continue
            for component in released:
                self._stock(component)

    def _stock(self, component: Component) -> Component:
        clerk = self.cast.clerk
        component = inventory.label_printed(by=clerk, component=component)
        scans = factories.label_scans(component)
        return inventory.scan_back(
            by=clerk,
            component=component,
            din_scan=scans["din_scan"],
            group_scan=scans["group_scan"],
            product_scan=scans["product_scan"],
            location=factories.location_for(self.cast.centre, component.component_kind),
        )

    # Hospital orders and look-back ----------------------------------------------------------

    def _dispatched_order(self, plan: Stories) -> None:
        """Today's urgent order: the plasma of the plasma donor and one red-cell unit,
        dispatched and received; the plasma was transfused, the red cells not yet."""
        c = self.cast
        plasma = Component.objects.get(donation__in=plan.lookback_first)
        lines = [distribution.LineRequest(plasma.component_code, plasma.abo, plasma.rhd, 1)]
        stock = Component.objects.filter(establishment=c.centre, status=Status.AVAILABLE)
        red = stock.filter(component_kind="red_cells", abo="O", rhd="pos").first()
        if red is not None:  # the second line is filled first expiry first by allocate()
            lines.append(distribution.LineRequest(red.component_code, "O", "pos", 1))
        order = distribution.place_order(
            by=c.hospital_user,
            hospital=c.hospital,
            supplier=c.centre,
            urgency=Urgency.URGENT,
            needed_by=self.now + dt.timedelta(hours=3),
            lines=lines,
            note="Phẫu thuật cấp cứu, khoa Ngoại",
        )
        distribution.allocate_unit(by=c.clerk, line=order.lines.all()[0], component=plasma)
        allocations = [*order.lines.all()[0].allocations.all()]
        allocations += distribution.allocate(by=c.clerk, order=order)
        for allocation in allocations:
            scans = factories.label_scans(allocation.component)
            distribution.pick(
                by=c.clerk,
                order=order,
                din_scan=scans["din_scan"],
                product_scan=scans["product_scan"],
            )
        distribution.dispatch(by=c.clerk, order=order, packed_count=len(allocations))
        distribution.receive(by=c.hospital_user, order=order, received_count=len(allocations))
        item = order.shipment.items.get(component=plasma)
        distribution.report_outcome(by=c.hospital_user, item=item, outcome=ItemOutcome.TRANSFUSED)

    def _lookback(self, plan: Stories) -> None:
        """The repeat run confirms the reactive HIV screen of the plasma donor's later
        donation; the confirmatory result, typed in and verified by a second person, defers
        the donor and sends the hospital a look-back notification for the transfused plasma."""
        [later] = plan.lookback_later
        row = next(r for r in self._rows(later) if r["test"] == "hiv")
        self._import(
            "analyser-repeat",
            [
                {
                    **row,
                    "stage": Stage.REPEAT,
                    "result": Reading.REACTIVE,
                    "result_id": f"{later.din}-hiv-R",
                }
            ],
        )
        confirmatory = lab.record_result(
            by=self.cast.lab,
            sample=Sample.objects.get(donation=later),
            test="hiv",
            stage=Stage.CONFIRMATORY,
            reading=Reading.POSITIVE,
            instrument=REFERENCE_LABORATORY[factories.language_of(self.cast.centre)],
        )
        lab.verify_result(by=self.cast.verifier, result=confirmatory)

    def _routine_order(self) -> None:
        """Tomorrow morning's routine order, placed and waiting for the centre to allocate."""
        c = self.cast
        tomorrow = dt.datetime.combine(self.today + dt.timedelta(days=1), dt.time(8), tzinfo=c.zone)
        distribution.place_order(
            by=c.hospital_user,
            hospital=c.hospital,
            supplier=c.centre,
            urgency=Urgency.ROUTINE,
            needed_by=tomorrow,
            lines=[
                distribution.LineRequest("red_cells_additive", "O", "pos", 4),
                distribution.LineRequest("red_cells_additive", "B", "pos", 2),
                distribution.LineRequest("red_cells_additive", "A", "pos", 2),
                distribution.LineRequest("plasma_fresh_frozen", "A", "pos", 2),
            ],
            note="Dự trù thường quy cho ngày mai",
        )
