"""The trace of a DIN: donation, donor (named only to those who may see donors), screening,
sample and results, each component with its release, label and stock facts, the order and
shipment it went in, and what the hospital reported."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.demo.factories import collection
from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions
from bloodline.distribution.models import Order
from bloodline.drives import actions as drives
from bloodline.drives.tests import conftest as drive_fixtures
from bloodline.screening.models import Decision, Presentation, Step

pytestmark = pytest.mark.django_db
english = drive_fixtures.english  # a signed-in client reading the pages in English


def transfused(centre: Any, red: Any) -> Order:
    """The unit ordered by the hospital, dispatched, received and transfused."""
    order = actions.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[actions.LineRequest(red.component_code, red.abo, red.rhd, 1)],
    )
    actions.allocate(by=centre.clerk, order=order)
    scans = factories.label_scans(red)
    actions.pick(
        by=centre.clerk,
        order=order,
        din_scan=scans["din_scan"],
        product_scan=scans["product_scan"],
    )
    actions.dispatch(by=centre.clerk, order=order, packed_count=1)
    actions.receive(by=centre.hospital_user, order=order, received_count=1)
    item = order.shipment.items.get()
    actions.report_outcome(by=centre.hospital_user, item=item, outcome="transfused")
    return order


def test_the_trace_shows_the_chain_and_hides_the_donor_from_the_laboratory(
    centre: Any, english: Any
) -> None:
    red, _plasma = centre.stocked("O", "pos")
    order = transfused(centre, red)
    page = english("lab_technician").get(reverse("trace:unit", args=[red.donation.din]))
    html = page.content.decode()
    assert page.status_code == 200
    for fact in (
        red.donation.din,
        "HIV marker",  # the test by name, never its code
        "non-reactive",
        "red cells in additive solution",
        "fresh frozen plasma",
        order.number,
        centre.hospital.display_name("en"),
        "transfused",
        "Label checked into stock",
    ):
        assert fact in html, fact
    assert "hidden" in html
    assert red.donation.donor.full_name not in html
    assert reverse("donors:detail", args=[red.donation.donor.uuid]) not in html


def test_the_establishment_administrator_sees_who_gave(centre: Any, english: Any) -> None:
    red, _plasma = centre.stocked("O", "pos")
    html = (
        english("establishment_admin")
        .get(reverse("trace:unit", args=[red.donation.din]))
        .content.decode()
    )
    donor = red.donation.donor
    assert donor.full_name in html
    assert reverse("donors:detail", args=[donor.uuid]) in html
    assert reverse("trace:donor", args=[donor.uuid]) in html


def test_the_trace_shows_the_screening_of_the_donation(centre: Any, english: Any) -> None:
    admin = User.objects.get(username="establishment_admin")
    drive = drives.create_drive(
        by=admin,
        establishment=centre.centre,
        hosts=[centre.unit],
        title="Ngày hội hiến máu truy vết",
        venue="Hội trường",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        opens_at=dt.time(7, 0),
        closes_at=dt.time(9, 0),
        slot_minutes=30,
        beds=2,
    )
    [donor] = collection.donors(1, centre.unit, prefix="Screened donor")
    [donation] = collection.donations(
        [donor],
        credited_to=centre.unit,
        establishment=centre.centre,
        at=timezone.now() - dt.timedelta(hours=3),
        drive=drive,
    )
    now = timezone.now()
    Presentation.objects.create(
        drive=drive,
        donor=donor,
        step=Step.DONE,
        arrived_at=now - dt.timedelta(hours=4),
        checked_in_by=admin,
        engine_outcome="eligible",
        decision=Decision.ACCEPT,
        volume_ml=350,
        decided_at=now - dt.timedelta(hours=3, minutes=30),
        decided_by=admin,
    )
    factories.stocked(donation, lab=centre.lab, clerk=centre.clerk)
    html = english("lab_technician").get(reverse("trace:unit", args=[donation.din])).content
    page = html.decode()
    assert "Ngày hội hiến máu truy vết" in page
    assert "<dt>The engine's advice</dt><dd>eligible</dd>" in page
    assert "<dt>Physician's decision</dt><dd>accept, " in page


def test_a_unit_not_yet_released_is_shown_quarantined(centre: Any, english: Any) -> None:
    from bloodline.inventory import actions as inventory

    donation = centre.donation()
    inventory.process_donation(
        by=centre.clerk,
        donation=donation,
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    html = english("inventory_clerk").get(reverse("trace:unit", args=[donation.din])).content
    page = html.decode()
    assert "quarantined" in page and "The laboratory has not received the sample." in page


def test_the_trace_shows_the_look_back_notification_of_an_issued_unit(
    centre: Any, english: Any
) -> None:
    from bloodline.lab import imports

    red, _plasma = centre.stocked("O", "pos")
    order = transfused(centre, red)
    later = centre.donation(donor=red.donation.donor)
    rows = [
        f"{later.din},hiv,{stage},{reading},{stage}"
        for stage, reading in (
            ("screen", "reactive"),
            ("repeat", "reactive"),
            ("confirmatory", "positive"),
        )
    ]
    content = "\n".join(["din,test,stage,result,result_id", *rows]) + "\n"
    batch = imports.import_results(
        by=centre.lab, establishment=centre.centre, file_name="run.csv", content=content
    )
    assert batch.rows_refused == 0, batch.refused
    for reader in ("lab_technician", "hospital_user"):
        page = english(reader).get(reverse("trace:unit", args=[red.donation.din])).content
        html = page.decode()
        assert "Look-back notifications" in html, reader
        assert "after a confirmed HIV marker result" in html and "Not acknowledged yet." in html
        assert order.number in html
    lab_page = english("lab_technician").get(reverse("trace:unit", args=[red.donation.din]))
    assert "Every component of this donation is unsafe: look-back" in lab_page.content.decode()
