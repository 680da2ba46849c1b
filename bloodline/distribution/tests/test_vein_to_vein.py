"""One unit from the lab to the hospital's report, through every action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions as distribution
from bloodline.distribution.models import ItemOutcome, OrderStatus
from bloodline.inventory import actions as inventory
from bloodline.inventory.status import Status
from bloodline.lab import actions as lab
from bloodline.lab import imports


def test_a_unit_goes_from_collection_to_transfusion(centre: Any) -> None:
    donation = centre.donation()
    red, _plasma = inventory.process_donation(
        by=centre.clerk,
        donation=donation,
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    assert red.status == Status.QUARANTINED
    batch = imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="run.csv",
        content=factories.to_csv(factories.passing_rows(donation, "O", "pos")),
    )
    assert batch.rows_refused == 0, batch.refused
    red = lab.release(by=centre.lab, component=red)
    assert (red.status, red.abo, red.rhd) == (Status.RELEASED, "O", "pos")
    inventory.label_printed(by=centre.clerk, component=red)
    scans = factories.label_scans(red)
    red = inventory.scan_back(
        by=centre.clerk,
        component=red,
        location=factories.location_for(centre.centre, "red_cells"),
        din_scan=scans["din_scan"],
        group_scan=scans["group_scan"],
        product_scan=scans["product_scan"],
    )
    assert red.status == Status.AVAILABLE
    order = distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[distribution.LineRequest("red_cells_additive", "A", "pos", 1)],
    )
    [allocation] = distribution.allocate(by=centre.clerk, order=order)
    assert allocation.component == red
    distribution.pick(
        by=centre.clerk, order=order, din_scan=scans["din_scan"], product_scan=scans["product_scan"]
    )
    distribution.dispatch(by=centre.clerk, order=order, packed_count=1)
    red.refresh_from_db()
    assert red.status == Status.ISSUED and red.issued_to == centre.hospital
    distribution.receive(by=centre.hospital_user, order=order, received_count=1)
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    item = order.shipment.items.get()
    distribution.report_outcome(by=centre.hospital_user, item=item, outcome=ItemOutcome.TRANSFUSED)
    red.refresh_from_db()
    assert red.status == Status.TRANSFUSED


def test_the_centre_fixture_stocks_units(centre: Any) -> None:
    red, plasma = centre.stocked("A", "neg")
    assert (red.status, red.group(), plasma.status) == (Status.AVAILABLE, "A−", Status.AVAILABLE)
