"""The release gate (safety.md §3): a component is released only when every mandatory test is
final and acceptable, ABO/RhD is confirmed, it is unexpired and the donor is not deferred; the
person sees every reason at once; the releaser and the group are recorded. At issue the same
gate is asked again."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bloodline.audit.models import AuditEvent
from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions as distribution
from bloodline.donors.models import Donor
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component
from bloodline.inventory.status import Status
from bloodline.jurisdictions.labels import lab_test_name
from bloodline.lab import actions as lab
from bloodline.lab import gate, imports
from bloodline.lab.models import Sample
from bloodline.screening.models import Deferral

VOLUMES = {"red_cells_additive": 250, "plasma_fresh_frozen": 200}
PANEL = ["abo", "rhd", "irregular_antibody_screen", "hiv", "hbv", "hcv", "syphilis"]


def processed(centre, **kwargs) -> list[Component]:
    return inventory.process_donation(
        by=centre.clerk,
        donation=centre.donation(**kwargs),
        recipe="red_cells_plasma",
        volumes=VOLUMES,
    )


def import_rows(centre, rows) -> None:
    batch = imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="run.csv",
        content=factories.to_csv(rows),
    )
    assert batch.rows_refused == 0, batch.refused


def red_with_results(centre, skip=(), abo="O", rhd="pos", **kwargs) -> Component:
    red, _plasma = processed(centre, **kwargs)
    rows = factories.passing_rows(red.donation, abo, rhd)
    import_rows(centre, [r for r in rows if r["test"] not in skip])
    return red


def blockers_of(centre, unit: Component) -> list[str]:
    before = Component.objects.values().get(pk=unit.pk)
    with pytest.raises(ValidationError) as refused:
        lab.release(by=centre.lab, component=unit)
    assert Component.objects.values().get(pk=unit.pk) == before
    return refused.value.messages


def defer(unit: Component, **kwargs) -> None:
    Deferral.objects.create(
        donor=unit.donation.donor, code="test", reason="Deferred at screening", **kwargs
    )


def test_a_unit_passing_every_check_is_released_with_its_group_and_releaser(centre):
    red = red_with_results(centre, abo="B", rhd="neg")
    released = lab.release(by=centre.lab, component=red)
    assert (released.status, released.group(), released.released_by) == (
        Status.RELEASED,
        "B−",
        centre.lab,
    )
    donor = Donor.objects.get(pk=red.donation.donor_id)
    assert (donor.abo_confirmed, donor.rhd_confirmed) == ("B", "neg")  # first time: confirmed
    assert AuditEvent.objects.filter(action="component.release", object_id=str(red.uuid)).exists()
    assert AuditEvent.objects.filter(
        action="donor.group_confirm", object_id=str(donor.uuid)
    ).exists()


def test_every_reason_is_listed_at_once(centre):
    red, _plasma = processed(centre)
    lab.receive_sample(by=centre.lab, donation=red.donation)
    messages = blockers_of(centre, red)
    assert messages == [
        *[f"Test {lab_test_name(code)} is not complete." for code in PANEL],
        "The ABO/RhD group is not confirmed.",
    ]


def test_without_the_sample_nothing_is_released(centre):
    red, _plasma = processed(centre)
    assert blockers_of(centre, red) == ["The laboratory has not received this donation's sample."]


@pytest.mark.parametrize("missing", PANEL)
def test_each_mandatory_test_must_be_complete(centre, missing):
    messages = blockers_of(centre, red_with_results(centre, skip={missing}))
    assert f"Test {lab_test_name(missing)} is not complete." in messages


def test_a_test_the_rules_ask_for_only_when_indicated_blocks_once_ordered(centre):
    red = red_with_results(centre)
    lab.order_test(by=centre.lab, sample=Sample.objects.get(donation=red.donation), test="malaria")
    assert blockers_of(centre, red) == ["Test malaria is not complete."]
    import_rows(centre, [{"din": red.donation.din, "test": "malaria", "result": "non_reactive"}])
    assert lab.release(by=centre.lab, component=red).status == Status.RELEASED


def test_an_unacceptable_result_blocks_release_and_the_donation_is_unsafe(centre):
    red = red_with_results(centre, skip={"hcv"})
    import_rows(centre, [{"din": red.donation.din, "test": "hcv", "result": "reactive"}])
    messages = blockers_of(centre, red)
    assert "The unit is unsafe." in messages
    assert "Test hepatitis C (HCV) marker: An unacceptable result." in messages
    assert "The donation was found unsafe." in messages


def test_group_results_that_disagree_block_release(centre):
    red = red_with_results(centre)
    import_rows(centre, [{"din": red.donation.din, "test": "abo", "result": "A"}])
    messages = blockers_of(centre, red)
    assert "The ABO/RhD results disagree with each other." in messages


def test_a_group_other_than_the_donors_confirmed_one_blocks_release(centre):
    first = red_with_results(centre)
    lab.release(by=centre.lab, component=first)  # confirms the donor as O RhD positive
    again = red_with_results(centre, abo="O", rhd="neg", donor=first.donation.donor)
    messages = blockers_of(centre, again)
    assert messages == ["The ABO/RhD result differs from the donor's confirmed group."]


@pytest.mark.parametrize(
    ("deferral", "deferred"),
    [
        ({"permanent": True}, True),
        ({"until": None}, True),  # until re-tested
        ({"until": 1}, True),  # ends tomorrow
        ({"until": 0, "starts": -3}, False),  # ended today
        ({"until": -1, "starts": -3}, False),
        ({"until": 10, "starts": 1}, False),  # starts tomorrow
    ],
)
def test_a_deferred_donor_blocks_release(centre, deferral, deferred):
    with at_local(10):  # the same day in Ho Chi Minh City and in UTC
        deferred_on_the_day(centre, deferral, deferred)


def deferred_on_the_day(centre, deferral, deferred):
    red = red_with_results(centre)
    today = timezone.localdate(timezone.now(), inventory.zone(centre.centre))
    until = deferral.get("until")
    defer(
        red,
        starts_on=today + dt.timedelta(days=deferral.get("starts", 0)),
        until=today + dt.timedelta(days=until) if until is not None else None,
        permanent=deferral.get("permanent", False),
    )
    assert gate.donor_deferred(red, today) is deferred
    if deferred:
        assert blockers_of(centre, red) == ["The donor is deferred."]
    else:
        assert lab.release(by=centre.lab, component=red).status == Status.RELEASED


def at_local(hour: int):
    """The clock at ``hour`` o'clock today in Ho Chi Minh City (UTC+7)."""
    today = dt.datetime.now(dt.UTC).date()
    moment = dt.datetime.combine(today, dt.time(hour), tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    return mock.patch("django.utils.timezone.now", return_value=moment.astimezone(dt.UTC))


def test_in_the_local_early_morning_a_deferral_ending_that_day_still_refuses_cleanly(centre):
    """At 03:00 in Ho Chi Minh City it is still the day before in UTC, the day the database
    guard reads (lab migration 0002): the gate refuses too, with its reason, so the database
    never has to."""
    with at_local(3):
        red = red_with_results(centre)
        today = timezone.localdate(timezone.now(), inventory.zone(centre.centre))
        defer(red, starts_on=today - dt.timedelta(days=7), until=today)
        assert blockers_of(centre, red) == ["The donor is deferred."]
    with at_local(8):
        assert lab.release(by=centre.lab, component=red).status == Status.RELEASED


def test_an_expired_unit_is_not_released(centre):
    red = red_with_results(centre, at=timezone.now() - dt.timedelta(days=43))
    assert red.current_status() == Status.EXPIRED
    assert "The unit has expired." in blockers_of(centre, red)


def test_a_unit_is_released_once(centre):
    red = lab.release(by=centre.lab, component=red_with_results(centre))
    with pytest.raises(ValidationError) as refused:
        lab.release(by=centre.lab, component=red)
    assert refused.value.messages == ["Only a quarantined unit can be released."]


def test_only_a_person_who_may_release_does_so(centre):
    red = red_with_results(centre)
    with pytest.raises(PermissionDenied):
        lab.release(by=centre.clerk, component=red)
    red.refresh_from_db()
    assert red.status == Status.QUARANTINED


def test_a_release_from_a_page_left_open_while_the_unit_changed_is_refused(centre):
    red = red_with_results(centre)
    with pytest.raises(ValidationError) as refused:
        lab.release(by=centre.lab, component=red, version=red.version - 1)
    assert set(refused.value.message_dict) == {"version"}


def test_releasing_a_sample_releases_what_passes_and_lists_the_rest(centre):
    red = red_with_results(centre)
    # The red cells expired a minute ago; the expiry sweep has not recorded it yet.
    Component.objects.filter(pk=red.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert Component.objects.get(pk=red.pk).status == Status.QUARANTINED
    released, refused = lab.release_sample(
        by=centre.lab, sample=Sample.objects.get(donation=red.donation)
    )
    assert [c.component_kind for c in released] == ["plasma"]
    assert list(refused) == [str(red)]
    assert "The unit has expired." in refused[str(red)]


def test_the_gate_is_asked_again_when_the_unit_leaves(centre):
    """A unit in stock whose donor was deferred afterwards is not packed."""
    red, _plasma = centre.stocked()
    order = distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=3),
        lines=[distribution.LineRequest("red_cells_additive", "O", "pos", 1)],
    )
    distribution.allocate(by=centre.clerk, order=order)
    defer(red, starts_on=timezone.localdate(), permanent=True)
    scans = factories.label_scans(red)
    with pytest.raises(ValidationError) as refused:
        distribution.pick(
            by=centre.clerk,
            order=order,
            din_scan=scans["din_scan"],
            product_scan=scans["product_scan"],
        )
    assert refused.value.message_dict == {"din_scan": ["The donor is deferred."]}
