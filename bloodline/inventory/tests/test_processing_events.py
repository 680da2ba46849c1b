"""Processing events — system opened, thawed, washed, irradiated — are recorded on the unit
with who and when, and shorten its expiry to the earlier of the old expiry and the event
plus the rule set's period (components.md §2, §4: China [S51][S56][S58], Vietnam [S59]).
An event the rule set has no rule for, a second thaw, and a unit issued, discarded, unsafe or
expired are refused with nothing written."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions as distribution
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component, ProcessingEvent, StorageLocation
from bloodline.inventory.status import Status
from bloodline.lab import actions as lab

HOUR = dt.timedelta(hours=1)


def at(moment: dt.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def fridge(component: Component) -> StorageLocation:
    return factories.location(component.establishment, "Fridge 1")


def freezer(component: Component) -> StorageLocation:
    return factories.location(component.establishment, "Freezer 1")


def messages(refused: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return refused.value.messages


def unchanged(component: Component) -> None:
    """Nothing was written: no event, same expiry and version, no audit."""
    before = (component.expires_at, component.version)
    component.refresh_from_db()
    assert (component.expires_at, component.version) == before
    assert not ProcessingEvent.objects.filter(component=component).exists()
    assert not AuditEvent.objects.filter(
        action="component.processing", object_id=str(component.uuid)
    ).exists()


def test_it_thaws_plasma_to_six_hours_and_records_who_when_and_which_rule(centre):
    _red, plasma = centre.stocked()
    old = plasma.expires_at
    event = inventory.record_processing(
        by=centre.clerk, component=plasma, kind="thaw", location=fridge(plasma)
    )
    plasma.refresh_from_db()
    assert plasma.expires_at == event.expires_at == min(old, event.at + 6 * HOUR)
    assert event.expires_at - event.at == 6 * HOUR
    assert (event.by, event.kind, event.expires_before) == (centre.clerk, "thaw", old)
    assert event.rule_set.startswith("VN-TT26-2013 ")
    assert (event.period_value, event.period_unit, event.sources) == (6, "hours", ["S59"])
    assert event.verified
    assert plasma.location == fridge(plasma)
    audit = AuditEvent.objects.get(action="component.processing", object_id=str(plasma.uuid))
    assert audit.actor_id == centre.clerk.pk
    assert audit.changes["processing"] == [None, "thaw"]
    assert audit.changes["expires_at"] == [old.isoformat(), plasma.expires_at.isoformat()]


def test_thawed_plasma_must_leave_the_freezer_and_is_never_refrozen(centre):
    _red, plasma = centre.stocked()
    assert plasma.location == freezer(plasma)
    with pytest.raises(ValidationError) as refused:
        inventory.record_processing(by=centre.clerk, component=plasma, kind="thaw")
    assert "another temperature" in " ".join(messages(refused))
    unchanged(plasma)
    with pytest.raises(ValidationError):
        inventory.record_processing(
            by=centre.clerk, component=plasma, kind="thaw", location=freezer(plasma)
        )
    unchanged(plasma)
    inventory.record_processing(
        by=centre.clerk, component=plasma, kind="thaw", location=fridge(plasma)
    )
    plasma.refresh_from_db()
    with pytest.raises(ValidationError):
        inventory.move(by=centre.clerk, component=plasma, location=freezer(plasma))
    with pytest.raises(ValidationError) as again:
        inventory.record_processing(by=centre.clerk, component=plasma, kind="thaw")
    assert messages(again) == [
        "This unit has already been thawed; a thawed unit is never refrozen."
    ]
    assert ProcessingEvent.objects.filter(component=plasma).count() == 1


@pytest.mark.parametrize(
    ("kind", "which"),
    [
        ("thaw", "red"),  # thawing applies to frozen plasma only
        ("open", "red"),  # Vietnam states no open-system rule
        ("wash", "red"),  # ...nor a washing one
        ("irradiate", "red"),  # ...nor an irradiation one
        ("wash", "plasma"),
    ],
)
def test_an_event_without_a_rule_is_refused_not_passed(centre, kind, which):
    red, plasma = centre.stocked()
    unit = red if which == "red" else plasma
    with pytest.raises(ValidationError) as refused:
        inventory.record_processing(by=centre.clerk, component=unit, kind=kind)
    [message] = messages(refused)
    assert message.startswith("The rule set VN-TT26-2013 states no rule for")
    assert "the deployer must add one" in message
    unchanged(unit)


def test_an_unknown_kind_is_refused(centre):
    red, _plasma = centre.stocked()
    with pytest.raises(ValidationError) as refused:
        inventory.record_processing(by=centre.clerk, component=red, kind="bake")
    assert messages(refused) == ["Choose what was done to the unit."]
    unchanged(red)


def test_an_issued_unit_is_not_processed(centre):
    _red, plasma = centre.stocked()
    order = distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + 2 * HOUR,
        lines=[distribution.LineRequest("plasma_fresh_frozen", "O", "pos", 1)],
    )
    distribution.allocate(by=centre.clerk, order=order)
    scans = factories.label_scans(plasma)
    distribution.pick(
        by=centre.clerk, order=order, din_scan=scans["din_scan"], product_scan=scans["product_scan"]
    )
    distribution.dispatch(by=centre.clerk, order=order, packed_count=1)
    plasma.refresh_from_db()
    assert plasma.status == Status.ISSUED
    with pytest.raises(ValidationError) as refused:
        inventory.record_processing(
            by=centre.clerk, component=plasma, kind="thaw", location=fridge(plasma)
        )
    assert messages(refused) == ["This unit cannot be processed: it is issued."]
    unchanged(plasma)


def test_a_discarded_unit_is_not_processed(centre):
    _red, plasma = centre.stocked()
    plasma = inventory.discard(by=centre.clerk, component=plasma, reason="bag_damaged")
    with pytest.raises(ValidationError) as refused:
        inventory.record_processing(
            by=centre.clerk, component=plasma, kind="thaw", location=fridge(plasma)
        )
    assert messages(refused) == ["This unit cannot be processed: it is discarded."]
    unchanged(plasma)


def test_an_unsafe_unit_is_not_processed(centre):
    _red, plasma = centre.stocked()
    inventory.mark_unsafe(by=centre.lab, donation=plasma.donation, reason="test_failed")
    plasma.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        inventory.record_processing(
            by=centre.clerk, component=plasma, kind="thaw", location=fridge(plasma)
        )
    assert messages(refused) == ["This unit cannot be processed: it is unsafe."]
    unchanged(plasma)


def test_an_expired_unit_is_not_processed(centre):
    _red, plasma = centre.stocked()
    late = at(plasma.expires_at + dt.timedelta(seconds=1))
    with late, pytest.raises(ValidationError) as refused:
        inventory.record_processing(
            by=centre.clerk, component=plasma, kind="thaw", location=fridge(plasma)
        )
    assert messages(refused) == ["This unit has expired; an expired unit is never processed."]
    unchanged(plasma)


@pytest.mark.parametrize(
    ("shift", "message"),
    [
        (dt.timedelta(minutes=5), "The time of processing cannot be in the future."),
        (-dt.timedelta(days=2),
         "The time of processing cannot be before the unit's last recorded step."),
    ],
)  # fmt: skip
def test_a_time_in_the_future_or_before_the_last_step_is_refused(centre, shift, message):
    _red, plasma = centre.stocked()
    with pytest.raises(ValidationError) as refused:
        inventory.record_processing(
            by=centre.clerk,
            component=plasma,
            kind="thaw",
            at=timezone.now() + shift,
            location=fridge(plasma),
        )
    assert messages(refused) == [message]
    unchanged(plasma)


def test_someone_without_stock_rights_cannot_record_processing(centre):
    from django.core.exceptions import PermissionDenied

    _red, plasma = centre.stocked()
    with pytest.raises(PermissionDenied):
        inventory.record_processing(
            by=centre.hospital_user, component=plasma, kind="thaw", location=fridge(plasma)
        )
    unchanged(plasma)


def test_a_quarantined_unit_may_be_thawed_and_then_not_released_after_six_hours(centre):
    _red, plasma = inventory.process_donation(
        by=centre.clerk,
        donation=centre.donation(),
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    rows = factories.passing_rows(plasma.donation, "A", "neg")
    from bloodline.lab import imports

    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="run.csv",
        content=factories.to_csv(rows),
    )
    event = inventory.record_processing(by=centre.clerk, component=plasma, kind="thaw")
    with at(event.expires_at), pytest.raises(ValidationError) as refused:
        lab.release(by=centre.lab, component=plasma)
    assert "The unit has expired." in messages(refused)
    with at(event.expires_at - dt.timedelta(seconds=1)):
        released = lab.release(by=centre.lab, component=plasma)
    assert released.released_at is not None


def test_thawed_plasma_leaves_stock_and_the_issue_gate_six_hours_after_the_thaw(centre):
    _red, plasma = centre.stocked()
    order = distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + 2 * HOUR,
        lines=[distribution.LineRequest("plasma_fresh_frozen", "O", "pos", 1)],
    )
    distribution.allocate(by=centre.clerk, order=order)
    scans = factories.label_scans(plasma)
    distribution.pick(
        by=centre.clerk, order=order, din_scan=scans["din_scan"], product_scan=scans["product_scan"]
    )
    event = inventory.record_processing(
        by=centre.clerk, component=plasma, kind="thaw", location=fridge(plasma)
    )
    with at(event.expires_at):
        with pytest.raises(ValidationError) as refused:
            distribution.dispatch(by=centre.clerk, order=order, packed_count=1)
        assert f"Unit {plasma}: The unit has expired." in messages(refused)
        assert inventory.sweep_expired(by=system_actor()) == 1
    plasma.refresh_from_db()
    assert plasma.status == Status.EXPIRED and plasma.issued_at is None
