"""Issue 9 point 2 (decision 0016): a repeatedly reactive screen of a mandatory marker holds
every in-date unit of the donor's donations in the look-back window at once, in the same
transaction, and blocks the release of the donor's other units; a negative confirmatory
result lets a second person lift the hold, a positive one turns it into unsafe and the
permanent deferral (safety.md §2 [R8], §3 "on a reactive or confirmed result")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bloodline.audit.models import AuditEvent
from bloodline.collection.models import Donation
from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions as distribution
from bloodline.distribution.models import Order
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component, LookbackHold
from bloodline.inventory.status import Status
from bloodline.lab import actions as lab
from bloodline.lab import imports
from bloodline.lab.models import NotificationTask, Sample, TestResult
from bloodline.screening.models import Deferral

VOLUMES = {"red_cells_additive": 250, "plasma_fresh_frozen": 200}
REACTIVE_TWICE = [("screen", "reactive"), ("repeat", "reactive")]


@dataclass
class Donor:
    """One donor's units before the reactive result of ``new``."""

    in_stock: list[Component]  # 30 days ago: red cells and plasma available
    quarantined: list[Component]  # 10 days ago: results passed, not released yet
    issued: Component  # 5 days ago: red cells dispatched to the hospital
    reserved: Component  # 5 days ago: plasma allocated to an order, not dispatched
    waiting: Order
    new: Donation  # today: its sample reads reactive

    def refreshed(self) -> list[Component]:
        units = [*self.in_stock, *self.quarantined, self.issued, self.reserved]
        for unit in units:
            unit.refresh_from_db()
        return units


def _order(centre, unit: Component) -> Order:
    order = distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[distribution.LineRequest(unit.component_code, unit.abo, unit.rhd, 1)],
    )
    distribution.allocate_unit(by=centre.clerk, line=order.lines.get(), component=unit)
    return order


def _dispatch(centre, unit: Component) -> None:
    order = _order(centre, unit)
    scans = factories.label_scans(unit)
    distribution.pick(
        by=centre.clerk, order=order, din_scan=scans["din_scan"], product_scan=scans["product_scan"]
    )
    distribution.dispatch(by=centre.clerk, order=order, packed_count=1)


def a_donor(centre) -> Donor:
    now = timezone.now()
    first = centre.donation(at=now - dt.timedelta(days=30))
    donor = first.donor
    in_stock = factories.stocked(first, lab=centre.lab, clerk=centre.clerk)
    second = centre.donation(at=now - dt.timedelta(days=10), donor=donor)
    quarantined = inventory.process_donation(
        by=centre.clerk, donation=second, recipe="red_cells_plasma", volumes=VOLUMES
    )
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="second.csv",
        content=factories.to_csv(factories.passing_rows(second, "O", "pos")),
    )
    third = centre.donation(at=now - dt.timedelta(days=5), donor=donor)
    red, plasma = factories.stocked(third, lab=centre.lab, clerk=centre.clerk)
    _dispatch(centre, red)
    waiting = _order(centre, plasma)
    new = centre.donation(at=now - dt.timedelta(hours=2), donor=donor)
    inventory.process_donation(
        by=centre.clerk, donation=new, recipe="red_cells_plasma", volumes=VOLUMES
    )
    return Donor(in_stock, quarantined, red, plasma, waiting, new)


def enter(centre, donation: Donation, stages, *, verify: bool = True) -> list[TestResult]:
    """Results typed by the lab technician and verified by a second person."""
    sample = lab.receive_sample(by=centre.lab, donation=donation)
    entered = []
    for stage, reading in stages:
        result = lab.record_result(
            by=centre.lab, sample=sample, test="hiv", stage=stage, reading=reading
        )
        if verify:
            lab.verify_result(by=centre.second, result=result)
        entered.append(result)
    return entered


def confirm(centre, donation: Donation, reading: str, *, verify: bool = True) -> TestResult:
    sample = Sample.objects.get(donation=donation)
    result = lab.record_result(
        by=centre.lab, sample=sample, test="hiv", stage="confirmatory", reading=reading
    )
    if verify:
        lab.verify_result(by=centre.second, result=result)
    return result


def test_it_holds_every_in_date_unit_of_the_donor_when_the_repeat_reads_reactive(centre):
    d = a_donor(centre)
    enter(centre, d.new, REACTIVE_TWICE[:1])
    assert {u.status for u in d.refreshed()} == {
        Status.AVAILABLE,
        Status.QUARANTINED,
        Status.ISSUED,
        Status.RESERVED,
    }  # a single reactive screen makes only its own donation unsafe

    enter_repeat = lab.record_result(
        by=centre.lab, sample=d.new.sample, test="hiv", stage="repeat", reading="reactive"
    )
    lab.verify_result(by=centre.second, result=enter_repeat)

    units = d.refreshed()
    hold = LookbackHold.objects.get(donor=d.new.donor)
    assert (hold.test, hold.evidence, hold.closed_at) == ("hiv", str(enter_repeat.uuid), None)
    assert all(u.lookback_hold_id == hold.pk for u in units)
    assert [u.status for u in [*d.in_stock, *d.quarantined, d.reserved]] == [Status.HELD] * 5
    assert d.issued.status == Status.ISSUED  # at the hospital: asked to quarantine it
    assert [u.unsafe_at for u in units] == [None] * 6  # reversible: nothing is unsafe yet
    task = NotificationTask.objects.get()
    assert (task.component, task.hospital, task.kind) == (d.issued, centre.hospital, "hold")
    assert not Deferral.objects.filter(donor=d.new.donor).exists()
    assert AuditEvent.objects.filter(action="component.hold").count() == 6
    assert AuditEvent.objects.filter(action="donor.lookback_hold").count() == 1


def test_no_unit_of_the_donor_is_released_labelled_allocated_or_issued_while_held(centre):
    d = a_donor(centre)
    enter(centre, d.new, REACTIVE_TWICE)
    for unit in d.quarantined:
        with pytest.raises(ValidationError) as refused:
            lab.release(by=centre.lab, component=unit)
        assert any("look-back hold" in m for m in refused.value.messages)
    with pytest.raises(ValidationError):
        inventory.label_printed(by=centre.clerk, component=d.in_stock[0])
    order = distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="emergency",
        needed_by=timezone.now(),
        lines=[distribution.LineRequest("red_cells_additive", "O", "pos", 2)],
    )
    assert distribution.allocate(by=centre.clerk, order=order) == []
    with pytest.raises(ValidationError):
        distribution.allocate_unit(by=centre.clerk, line=order.lines.get(), component=d.in_stock[0])
    scans = factories.label_scans(d.reserved)
    with pytest.raises(ValidationError):
        distribution.pick(
            by=centre.clerk,
            order=d.waiting,
            din_scan=scans["din_scan"],
            product_scan=scans["product_scan"],
        )
    assert Component.objects.filter(issued_at__isnull=False).count() == 1  # d.issued only


def test_a_later_donation_of_a_held_donor_is_not_released_either(centre):
    d = a_donor(centre)
    enter(centre, d.new, REACTIVE_TWICE)
    later = centre.donation(at=timezone.now() - dt.timedelta(minutes=30), donor=d.new.donor)
    made = inventory.process_donation(
        by=centre.clerk, donation=later, recipe="red_cells_plasma", volumes=VOLUMES
    )
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="later.csv",
        content=factories.to_csv(factories.passing_rows(later, "O", "pos")),
    )
    released, refused = lab.release_sample(by=centre.lab, sample=later.sample)
    assert released == [] and len(refused) == len(made)


def test_a_negative_confirmatory_verified_by_a_second_person_lets_another_lift_the_hold(centre):
    d = a_donor(centre)
    enter(centre, d.new, REACTIVE_TWICE)
    result = confirm(centre, d.new, "negative")
    hold = LookbackHold.objects.get()
    assert hold.closed_at is None  # the result alone lifts nothing: a person decides

    lab.lift_hold(by=centre.second, hold=hold)

    hold.refresh_from_db()
    assert (hold.outcome, hold.closed_by, hold.closing_evidence) == (
        "lifted",
        centre.second,
        str(result.uuid),
    )
    assert hold.confirmatory_by == centre.lab
    units = d.refreshed()
    assert [u.lookback_hold_id for u in units] == [None] * 6
    # Each unit returns to where its own facts put it.
    assert [u.status for u in d.in_stock] == [Status.AVAILABLE] * 2
    assert [u.status for u in d.quarantined] == [Status.QUARANTINED] * 2
    assert (d.issued.status, d.reserved.status) == (Status.ISSUED, Status.RESERVED)
    assert {u.status for u in d.new.components.all()} == {Status.UNSAFE}  # its own: for good
    released = lab.release(by=centre.lab, component=d.quarantined[0])
    assert released.status == Status.RELEASED
    assert AuditEvent.objects.filter(action="donor.lookback_hold_lift").count() == 1


def test_an_imported_negative_confirmatory_is_lifted_by_someone_other_than_the_importer(centre):
    d = a_donor(centre)
    enter(centre, d.new, REACTIVE_TWICE)
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="confirm.csv",
        content=factories.to_csv(
            [{"din": d.new.din, "test": "hiv", "stage": "confirmatory", "result": "negative"}]
        ),
    )
    hold = LookbackHold.objects.get()
    with pytest.raises(ValidationError):
        lab.lift_hold(by=centre.lab, hold=hold)
    assert lab.lift_hold(by=centre.second, hold=hold).outcome == "lifted"


def test_the_person_who_entered_the_confirmatory_result_cannot_lift_the_hold(centre):
    d = a_donor(centre)
    enter(centre, d.new, REACTIVE_TWICE)
    confirm(centre, d.new, "negative")
    hold = LookbackHold.objects.get()
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        lab.lift_hold(by=centre.lab, hold=hold)
    assert refused.value.messages == [
        "The person who entered the confirmatory result cannot lift the hold."
    ]
    hold.refresh_from_db()
    assert hold.closed_at is None
    assert all(u.lookback_hold_id == hold.pk for u in d.refreshed())
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("why", ["not verified", "indeterminate", "no confirmatory result"])
def test_the_hold_stays_until_a_negative_confirmatory_result_counts(centre, why):
    d = a_donor(centre)
    enter(centre, d.new, REACTIVE_TWICE)
    if why == "not verified":
        confirm(centre, d.new, "negative", verify=False)
    elif why == "indeterminate":
        confirm(centre, d.new, "indeterminate")
    hold = LookbackHold.objects.get()
    with pytest.raises(ValidationError):
        lab.lift_hold(by=centre.second, hold=hold)
    hold.refresh_from_db()
    assert hold.closed_at is None
    assert all(u.lookback_hold_id == hold.pk for u in d.refreshed())


def test_a_confirmed_positive_turns_the_hold_into_unsafe_and_defers_the_donor(centre):
    d = a_donor(centre)
    enter(centre, d.new, REACTIVE_TWICE)
    result = confirm(centre, d.new, "positive")
    hold = LookbackHold.objects.get()
    assert (hold.outcome, hold.closing_evidence) == ("confirmed", str(result.uuid))
    units = d.refreshed()
    assert [u.lookback_hold_id for u in units] == [None] * 6
    assert {u.unsafe_reason for u in units} == {"lookback"}
    assert [u.status for u in [*d.in_stock, *d.quarantined, d.reserved]] == [Status.UNSAFE] * 5
    assert Deferral.objects.filter(
        donor=d.new.donor, permanent=True, code="confirmed_positive_hiv"
    ).exists()
    assert sorted(NotificationTask.objects.values_list("kind", flat=True)) == ["hold", "lookback"]
    with pytest.raises(ValidationError):
        lab.lift_hold(by=centre.second, hold=hold)


def test_lifting_one_marker_keeps_the_units_held_while_another_marker_is_open(centre):
    d = a_donor(centre)
    sample = lab.receive_sample(by=centre.lab, donation=d.new)
    for test in ("hiv", "hcv"):
        for stage in ("screen", "repeat"):
            result = lab.record_result(
                by=centre.lab, sample=sample, test=test, stage=stage, reading="reactive"
            )
            lab.verify_result(by=centre.second, result=result)
    assert LookbackHold.objects.filter(closed_at__isnull=True).count() == 2
    confirm(centre, d.new, "negative")
    lab.lift_hold(by=centre.second, hold=LookbackHold.objects.get(test="hiv"))
    hcv = LookbackHold.objects.get(test="hcv")
    assert all(u.lookback_hold_id == hcv.pk for u in d.refreshed())
    assert d.in_stock[0].status == Status.HELD


def test_the_hold_happens_in_the_same_transaction_as_the_result(centre, monkeypatch):
    d = a_donor(centre)
    enter(centre, d.new, REACTIVE_TWICE[:1])
    repeat = lab.record_result(
        by=centre.lab, sample=d.new.sample, test="hiv", stage="repeat", reading="reactive"
    )

    def broken(*args, **kwargs):
        raise RuntimeError("notification store unavailable")

    monkeypatch.setattr(NotificationTask.objects, "get_or_create", broken)
    with pytest.raises(RuntimeError):
        lab.verify_result(by=centre.second, result=repeat)
    repeat.refresh_from_db()
    assert repeat.verified_at is None
    assert not LookbackHold.objects.exists()
    assert [u.lookback_hold_id for u in d.refreshed()] == [None] * 6
