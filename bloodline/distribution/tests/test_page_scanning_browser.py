"""At the desk in a real browser, with a keyboard-wedge scanner (it types and presses Enter):
two scans put a bag in the shipment without touching the mouse, and the focus comes back to
the DIN field for the next bag."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from bloodline.screening.tests.test_browser_stations import sign_in
from bloodline.web.tests.test_browser import browser_context, page  # noqa: F401

pytestmark = pytest.mark.browser


def test_the_packer_scans_two_bags_and_dispatches_with_the_keyboard_only(
    live_server: Any,
    flushable_audit: None,
    centre: Any,
    page: Any,  # noqa: F811
) -> None:
    from django.utils import timezone

    from bloodline.demo.factories import distribution as factories
    from bloodline.distribution import actions
    from bloodline.distribution.models import ShipmentItem
    from bloodline.inventory.status import Status

    first, _ = centre.stocked("O", "pos")
    second, _ = centre.stocked("O", "pos")
    order = actions.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="emergency",
        needed_by=timezone.now() + dt.timedelta(hours=1),
        lines=[actions.LineRequest("red_cells_additive", "O", "pos", 2)],
    )
    actions.allocate(by=centre.clerk, order=order)

    sign_in(page, live_server.url, "inventory_clerk")
    page.goto(f"{live_server.url}/orders/{order.uuid}/")
    for unit in (first, second):
        scans = factories.label_scans(unit)
        assert page.evaluate("document.activeElement.id") == "id_din_scan"
        page.keyboard.type(scans["din_scan"])
        page.keyboard.press("Enter")
        expect(page.locator("#id_product_scan")).to_be_focused()
        page.keyboard.type(scans["product_scan"])
        page.keyboard.press("Enter")
        page.get_by_text(f"Unit {unit} is in the shipment.").wait_for()
        expect(page.locator("#id_din_scan")).to_be_focused()
    assert ShipmentItem.objects.filter(shipment__order=order).count() == 2

    page.fill("#id_packed_count", "2")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Dispatched: 2 units packed and scanned." in page.content()
    first.refresh_from_db()
    assert first.status == Status.ISSUED
