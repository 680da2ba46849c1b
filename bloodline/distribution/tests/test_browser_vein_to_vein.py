"""The whole blood-centre path in a real browser, one person after another: a result entered
and verified by a second person, release, the blood-group label printed and scanned back, a
hospital order, allocation, scan-to-ship and dispatch, and the hospital's receipt."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from bloodline.lab.tests.test_page_browser import choose_and_refresh, sign_in
from bloodline.web.tests.test_browser import browser_context, page  # noqa: F401

pytestmark = pytest.mark.browser


def test_a_unit_goes_from_result_entry_to_the_hospitals_receipt(
    live_server: Any,
    flushable_audit: None,
    centre: Any,
    page: Any,  # noqa: F811
) -> None:
    from django.utils import timezone

    from bloodline.demo.factories import distribution as factories
    from bloodline.distribution.models import Order, OrderStatus
    from bloodline.inventory import actions as inventory
    from bloodline.inventory.status import Status
    from bloodline.lab import imports

    base = live_server.url
    donation = centre.donation()
    red, _plasma = inventory.process_donation(
        by=centre.clerk,
        donation=donation,
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    # The analyser sends everything but syphilis, which is read by hand.
    rows = [r for r in factories.passing_rows(donation, "A", "pos") if r["test"] != "syphilis"]
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="analyser.csv",
        content=factories.to_csv(rows),
    )

    # The technician enters the syphilis result; it does not count yet.
    sign_in(page, base, "lab_technician")
    page.goto(f"{base}/lab/{donation.din}/")
    choose_and_refresh(page, "#enter-test", "syphilis")
    page.select_option("#enter-reading", "non_reactive")
    page.get_by_role("button", name="Save the result").click()
    page.get_by_text("It counts once another person verifies it.").wait_for()

    # A second person verifies it and releases every unit that passes the gate.
    sign_in(page, base, "establishment_admin")
    page.goto(f"{base}/lab/{donation.din}/")
    page.get_by_role("button", name="Verify the syphilis result “non-reactive”").click()
    page.get_by_text("The syphilis result is verified.").wait_for()
    page.get_by_role("button", name="Release every unit that passes").click()
    page.get_by_text("2 units released.").wait_for()
    red.refresh_from_db()
    assert (red.status, red.abo, red.rhd) == (Status.RELEASED, "A", "pos")

    # The clerk prints the blood-group label and scans it back into stock.
    sign_in(page, base, "inventory_clerk")
    label = page.request.get(f"{base}/stock/unit/{red.uuid}/label.pdf")
    assert label.status == 200 and label.body().startswith(b"%PDF")
    page.goto(f"{base}/stock/unit/{red.uuid}/")
    scans = factories.label_scans(red)
    page.locator("[name=din_scan]").focus()
    for field in ("din_scan", "group_scan"):
        page.keyboard.type(scans[field])
        page.keyboard.press("Enter")
    page.keyboard.type(scans["product_scan"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    red.refresh_from_db()
    assert red.status == Status.AVAILABLE

    # The hospital orders one unit of red cells for an A RhD-positive patient.
    sign_in(page, base, "hospital_user")
    page.goto(f"{base}/orders/new/")
    page.select_option("#id_hospital", str(centre.hospital.uuid))
    page.select_option("#id_supplier", str(centre.centre.uuid))
    page.select_option("#id_urgency", "urgent")
    zone = ZoneInfo(centre.hospital.effective_time_zone())
    soon = timezone.localtime(timezone.now() + dt.timedelta(hours=6), zone)
    page.fill("#id_needed_by", soon.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_lines-0-product", "red_cells_additive")
    page.select_option("#id_lines-0-abo", "A")
    page.select_option("#id_lines-0-rhd", "pos")
    page.fill("#id_lines-0-quantity", "1")
    with page.expect_navigation():
        page.get_by_role("button", name="Place the order").click()
    order = Order.objects.get(hospital=centre.hospital)

    # The desk allocates, scans the bag into the shipment and dispatches it.
    sign_in(page, base, "inventory_clerk")
    page.goto(f"{base}/orders/{order.uuid}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Allocate suggested units").click()
    page.locator("#id_din_scan").focus()
    page.keyboard.type(scans["din_scan"])
    page.keyboard.press("Enter")
    expect(page.locator("#id_product_scan")).to_be_focused()
    page.keyboard.type(scans["product_scan"])
    page.keyboard.press("Enter")
    page.get_by_text(f"Unit {red} is in the shipment.").wait_for()
    expect(page.locator("#id_din_scan")).to_be_focused()
    page.fill("#id_packed_count", "1")
    with page.expect_navigation():
        page.get_by_role("button", name="Dispatch the shipment").click()
    red.refresh_from_db()
    assert red.status == Status.ISSUED and red.issued_to == centre.hospital

    # The hospital confirms the receipt.
    sign_in(page, base, "hospital_user")
    page.goto(f"{base}/orders/{order.uuid}/")
    page.fill("#id_received_count", "1")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm receipt").click()
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
