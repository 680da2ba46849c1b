"""QUALITY T5: a confirmed-positive result quarantines every in-date component of the donor's
earlier donations in the look-back window, in the same transaction, defers the donor for good
and creates a notification task for each hospital holding or having transfused a unit
(safety.md §2 lookback, §3 Lookback / recall, §5 FDA 2011 workshop)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from bloodline.audit.models import AuditEvent
from bloodline.collection.models import Donation
from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions as distribution
from bloodline.distribution.models import ItemOutcome, Order
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component, UnsafeDonation
from bloodline.inventory.status import Status
from bloodline.jurisdictions.loader import registry
from bloodline.jurisdictions.schema import Duration
from bloodline.lab import actions as lab
from bloodline.lab import imports
from bloodline.lab.models import NotificationTask, Sample, TestResult
from bloodline.screening.models import Deferral

VOLUMES = {"red_cells_additive": 250, "plasma_fresh_frozen": 200}
LIVE = {Status.QUARANTINED, Status.RELEASED, Status.AVAILABLE, Status.RESERVED}
CHAIN = [("screen", "reactive"), ("repeat", "reactive"), ("confirmatory", "positive")]


@dataclass
class History:
    """A donor's three earlier donations and a new one, with what became of each unit."""

    old: Donation  # 50 days ago: red cells expired, plasma in stock
    mid: Donation  # 20 days ago: red cells transfused at the hospital, plasma in stock
    recent: Donation  # 5 days ago: red cells at the hospital, plasma picked for an order
    new: Donation  # today: its sample is the one that turns out positive
    waiting: Order  # the plasma of ``recent`` is scanned into this order, not yet dispatched

    def components(self, *donations: Donation) -> list[Component]:
        return list(Component.objects.filter(donation__in=donations).order_by("pk"))


def pick_and_dispatch(centre, unit: Component, *, dispatch: bool = True) -> Order:
    order = distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[distribution.LineRequest(unit.component_code, unit.abo, unit.rhd, 1)],
    )
    distribution.allocate_unit(by=centre.clerk, line=order.lines.get(), component=unit)
    scans = factories.label_scans(unit)
    distribution.pick(
        by=centre.clerk,
        order=order,
        din_scan=scans["din_scan"],
        product_scan=scans["product_scan"],
    )
    if dispatch:
        distribution.dispatch(by=centre.clerk, order=order, packed_count=1)
    return order


def history(centre) -> History:
    donor = centre.donation().donor
    now = timezone.now()

    def donation(days_ago: int) -> Donation:
        return centre.donation(at=now - dt.timedelta(days=days_ago), donor=donor)

    old = donation(50)
    red, plasma = inventory.process_donation(
        by=centre.clerk, donation=old, recipe="red_cells_plasma", volumes=VOLUMES
    )
    assert red.status == Status.EXPIRED  # 42 days of shelf life are over
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="old.csv",
        content=factories.to_csv(factories.passing_rows(old, "O", "pos")),
    )
    plasma = inventory.label_printed(
        by=centre.clerk, component=lab.release(by=centre.lab, component=plasma)
    )
    scans = factories.label_scans(plasma)
    inventory.scan_back(
        by=centre.clerk,
        component=plasma,
        location=factories.location_for(centre.centre, "plasma"),
        din_scan=scans["din_scan"],
        group_scan=scans["group_scan"],
        product_scan=scans["product_scan"],
    )
    mid = donation(20)
    red, _plasma = factories.stocked(mid, lab=centre.lab, clerk=centre.clerk)
    order = pick_and_dispatch(centre, red)
    distribution.receive(by=centre.hospital_user, order=order, received_count=1)
    distribution.report_outcome(
        by=centre.hospital_user, item=order.shipment.items.get(), outcome=ItemOutcome.TRANSFUSED
    )
    recent = donation(5)
    red, plasma = factories.stocked(recent, lab=centre.lab, clerk=centre.clerk)
    pick_and_dispatch(centre, red)
    waiting = pick_and_dispatch(centre, plasma, dispatch=False)
    new = donation(0)
    inventory.process_donation(
        by=centre.clerk, donation=new, recipe="red_cells_plasma", volumes=VOLUMES
    )
    return History(old, mid, recent, new, waiting)


def import_chain(centre, donation: Donation, stages=CHAIN) -> None:
    batch = imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="hiv.csv",
        content=factories.to_csv(
            {"din": donation.din, "test": "hiv", "stage": stage, "result": reading}
            for stage, reading in stages
        ),
    )
    assert batch.rows_refused == 0, batch.refused


def enter_chain(centre, donation: Donation, stages=CHAIN, *, verify_last: bool = True) -> None:
    sample = lab.receive_sample(by=centre.lab, donation=donation)
    for n, (stage, reading) in enumerate(stages, start=1):
        result = lab.record_result(
            by=centre.lab, sample=sample, test="hiv", stage=stage, reading=reading
        )
        if n < len(stages) or verify_last:
            lab.verify_result(by=centre.second, result=result)


def lookback_events(donation: Donation) -> int:
    return AuditEvent.objects.filter(
        action="donor.lookback", object_id=str(donation.donor.uuid)
    ).count()


@pytest.mark.parametrize("how", ["imported", "typed and verified"])
def test_a_confirmed_positive_quarantines_every_earlier_unit_and_notifies_the_hospital(centre, how):
    h = history(centre)
    (import_chain if how == "imported" else enter_chain)(centre, h.new)

    earlier = h.components(h.old, h.mid, h.recent)
    in_date = [c for c in earlier if c.expires_at > timezone.now()]
    assert len(in_date) == 5  # all but the old red cells
    assert all(c.unsafe_at is not None for c in in_date)
    assert not [c for c in h.components(h.old, h.mid, h.recent, h.new) if c.status in LIVE]
    assert UnsafeDonation.objects.filter(donation__in=[h.old, h.mid, h.recent]).count() == 3
    # The hospital keeps what it holds or transfused, and is told about each such unit once.
    at_hospital = [c for c in earlier if c.issued_to_id is not None]
    assert {c.status for c in at_hospital} == {Status.ISSUED, Status.TRANSFUSED}
    tasks = NotificationTask.objects.filter(kind="lookback")
    assert sorted(t.component_id for t in tasks) == sorted(c.pk for c in at_hospital)
    assert {t.hospital for t in tasks} == {centre.hospital}
    assert {t.acknowledged_at for t in tasks} == {None}
    donor = h.new.donor
    deferral = Deferral.objects.get(donor=donor, permanent=True, code="confirmed_positive_hiv")
    # Facts stored, words rendered (decision 0026): no sentence is frozen into the record.
    assert deferral.reason == ""
    with translation.override("en"):
        assert deferral.reason_label() == "confirmed positive: HIV marker"
    with translation.override("vi"):
        assert "hiv" not in deferral.reason_label()
        assert deferral.reason_label() != "confirmed positive: HIV marker"
    assert lookback_events(h.new) == 1


def test_no_unit_of_the_donor_can_be_released_or_issued_afterwards(centre):
    h = history(centre)
    import_chain(centre, h.new)
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="new.csv",
        content=factories.to_csv(
            r for r in factories.passing_rows(h.new, "O", "pos") if r["test"] != "hiv"
        ),
    )
    for component in h.components(h.new):
        with pytest.raises(ValidationError):
            lab.release(by=centre.lab, component=component)
    with pytest.raises(ValidationError) as refused:
        distribution.dispatch(by=centre.clerk, order=h.waiting, packed_count=1)
    assert any("unsafe" in m for m in refused.value.messages)
    order = distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="emergency",
        needed_by=timezone.now(),
        lines=[distribution.LineRequest("plasma_fresh_frozen", "AB", "pos", 3)],
    )
    assert distribution.allocate(by=centre.clerk, order=order) == []
    for component in h.components(h.old, h.mid, h.recent):
        with pytest.raises(ValidationError):
            distribution.allocate_unit(by=centre.clerk, line=order.lines.get(), component=component)


def test_the_confirmatory_result_typed_by_hand_counts_only_once_verified(centre):
    h = history(centre)
    enter_chain(centre, h.new, verify_last=False)
    plasma = h.components(h.mid)[1]
    assert plasma.status == Status.HELD  # the verified repeat result holds it (decision 0016)
    assert not Deferral.objects.filter(donor=h.new.donor).exists()
    assert lookback_events(h.new) == 0
    confirmatory = TestResult.objects.get(sample__donation=h.new, stage="confirmatory")
    lab.verify_result(by=centre.second, result=confirmatory)
    plasma.refresh_from_db()
    assert plasma.status == Status.UNSAFE
    assert lookback_events(h.new) == 1


def test_a_repeat_reactive_screen_holds_earlier_units_but_makes_only_its_own_donation_unsafe(
    centre,
):
    h = history(centre)
    import_chain(centre, h.new, stages=CHAIN[:2])  # reactive twice, not yet confirmed
    assert {c.status for c in h.components(h.new)} == {Status.UNSAFE}
    assert UnsafeDonation.objects.get(donation=h.new).reason == "test_failed"
    earlier = h.components(h.old, h.mid, h.recent)
    assert [c for c in earlier if c.unsafe_at is not None] == []
    # Held (decision 0016), not unsafe: the plasma of old and mid, the plasma of recent
    # waiting in an order; the red cells of recent are at the hospital and stay issued.
    assert sum(c.status == Status.HELD for c in earlier) == 3
    assert not Deferral.objects.filter(donor=h.new.donor).exists()
    assert [t.kind for t in NotificationTask.objects.all()] == ["hold"]
    assert lookback_events(h.new) == 0


def test_a_confirmatory_negative_runs_no_look_back_and_the_donation_stays_unsafe(centre):
    h = history(centre)
    import_chain(centre, h.new, stages=[*CHAIN[:2], ("confirmatory", "negative")])
    assert {c.status for c in h.components(h.new)} == {Status.UNSAFE}
    assert not NotificationTask.objects.filter(kind="lookback").exists()
    assert lookback_events(h.new) == 0


def window_of(monkeypatch, days: int) -> None:
    """The rule set as if its look-back window were ``days`` days."""
    code = "VN-TT26-2013"
    changed = []
    for rules in registry.versions(code):
        window = rules.lookback.window.model_copy(
            update={"period": Duration(value=days, unit="days")}
        )
        lookback = rules.lookback.model_copy(update={"window": window})
        changed.append(rules.model_copy(update={"lookback": lookback}))
    monkeypatch.setitem(registry._by_code, code, changed)


def test_the_window_in_the_rules_limits_the_donations_reached(centre, monkeypatch):
    h = history(centre)
    window_of(monkeypatch, 30)
    import_chain(centre, h.new)
    _old_red, old_plasma = h.components(h.old)
    assert (old_plasma.status, old_plasma.unsafe_at) == (Status.AVAILABLE, None)
    assert not UnsafeDonation.objects.filter(donation=h.old).exists()
    assert all(c.unsafe_at is not None for c in h.components(h.mid, h.recent, h.new))
    # mid and recent red cells: in the window
    assert NotificationTask.objects.filter(kind="lookback").count() == 2


def test_a_narrower_window_reaches_fewer_donations(centre, monkeypatch):
    h = history(centre)
    window_of(monkeypatch, 10)
    import_chain(centre, h.new)
    reached = {c.donation_id for c in Component.objects.filter(unsafe_at__isnull=False)}
    assert reached == {h.recent.pk, h.new.pk}
    told = NotificationTask.objects.filter(kind="lookback")
    assert [t.component.donation_id for t in told] == [h.recent.pk]


def test_look_back_happens_in_the_same_transaction_as_the_result(centre, monkeypatch):
    """If any part of the look-back fails, the result that set it off is not recorded
    either: nothing is half done."""
    h = history(centre)
    enter_chain(centre, h.new, verify_last=False)
    confirmatory = TestResult.objects.get(sample__donation=h.new, stage="confirmatory")

    def broken(*args, **kwargs):
        raise RuntimeError("notification store unavailable")

    monkeypatch.setattr(NotificationTask.objects, "get_or_create", broken)
    with pytest.raises(RuntimeError):
        lab.verify_result(by=centre.second, result=confirmatory)
    confirmatory.refresh_from_db()
    assert confirmatory.verified_at is None
    assert not Deferral.objects.filter(donor=h.new.donor).exists()
    assert [c for c in h.components(h.old, h.mid, h.recent) if c.unsafe_at is not None] == []
    assert lookback_events(h.new) == 0


def test_an_imported_confirmation_that_fails_half_way_leaves_nothing(centre, monkeypatch):
    h = history(centre)

    def broken(*args, **kwargs):
        raise RuntimeError("notification store unavailable")

    monkeypatch.setattr(NotificationTask.objects, "get_or_create", broken)
    with pytest.raises(RuntimeError):
        import_chain(centre, h.new)
    assert not TestResult.objects.filter(sample__donation=h.new).exists()
    assert not UnsafeDonation.objects.exists()
    assert Sample.objects.filter(donation=h.new).count() == 0


def test_importing_the_same_file_again_adds_no_second_notification(centre):
    h = history(centre)
    rows = [
        {"din": h.new.din, "test": "hiv", "stage": s, "result": r, "result_id": f"hiv-{s}"}
        for s, r in CHAIN
    ]
    for _ in range(2):
        imports.import_results(
            by=centre.lab,
            establishment=centre.centre,
            file_name="hiv.csv",
            content=factories.to_csv(rows),
        )
    assert NotificationTask.objects.filter(kind="lookback").count() == 2
    assert NotificationTask.objects.filter(kind="hold").count() == 1
    assert lookback_events(h.new) == 1


def test_the_hospital_acknowledges_each_notification(centre):
    h = history(centre)
    import_chain(centre, h.new)
    task = NotificationTask.objects.order_by("pk")[0]
    with pytest.raises(ValidationError):
        lab.acknowledge(by=centre.hospital_user, task=task, response="  ")
    done = lab.acknowledge(
        by=centre.hospital_user, task=task, response="Recipient informed; follow-up booked"
    )
    assert done.acknowledged_by == centre.hospital_user
    with pytest.raises(ValidationError):
        lab.acknowledge(by=centre.hospital_user, task=task, response="again")
