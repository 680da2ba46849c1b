"""On a 390 px phone (390×844), no page overflows sideways and no table cell's text is cut
off: wide tables scroll inside their own focusable region. Each page is opened in Vietnamese
(long words, "171.750 mL" number formatting) by the persona who uses it, on the demo data."""

from __future__ import annotations

from typing import Any

import pytest

from bloodline.web.tests.test_browser import CHROMIUM_ARGS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Sideways overflow of the page, and cells whose text does not fit their own box.
MEASURE = """() => {
  const width = window.innerWidth;
  const classes = el => typeof el.className === 'string' && el.className
    ? '.' + el.className.split(' ').join('.') : '';
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes(el);
  // A cell is cut off when its text does not fit its own box, or when an ancestor that
  // hides overflow (rather than scrolling it) ends before the cell does.
  const clipped = [];
  for (const cell of document.querySelectorAll('main td, main th')) {
    let cut = cell.scrollWidth > cell.clientWidth + 1;
    const right = cell.getBoundingClientRect().right;
    for (let el = cell.parentElement; el && !cut; el = el.parentElement) {
      const overflow = getComputedStyle(el).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') break;
      const hides = overflow === 'hidden' || overflow === 'clip';
      if (hides && right > el.getBoundingClientRect().right + 1) cut = true;
    }
    if (cut) clipped.push(cell.innerText.slice(0, 40));
  }
  // The outermost elements that stick out of the viewport, to say what to fix.
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const parent = el.parentElement;
    if (el.getBoundingClientRect().right > width + 1
        && parent.getBoundingClientRect().right <= width + 1
        && !parent.closest('.table-wrap')) wide.push(name(el));
  }
  const scroll = document.documentElement.scrollWidth;
  return {scroll: scroll, width: width, clipped: clipped, wide: wide.slice(0, 8)};
}"""


@pytest.fixture
def phone(monkeypatch: pytest.MonkeyPatch) -> Any:
    import os
    import shutil

    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
    monkeypatch.setitem(os.environ, "DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(
            locale="vi-VN", viewport={"width": PHONE["width"], "height": PHONE["height"]}
        )
        yield context.new_page()
        context.close()
        browser.close()


def _sign_in(page: Any, base: str, username: str) -> None:
    from bloodline.demo.seed import DEMO_PASSWORD

    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "vi", "url": base}])
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").click()


def _pages() -> dict[str, list[str]]:
    """The paths each persona opens, found in the demo data."""
    from django.urls import reverse

    from bloodline.collection.models import Donation
    from bloodline.distribution.models import Order
    from bloodline.drives.models import Drive, DriveStatus
    from bloodline.inventory.models import Component
    from bloodline.organisations.models import Organisation
    from bloodline.programmes.models import Plan

    plan = Plan.objects.filter(number="276/KH-BCĐ").get()
    district = plan.area
    unit = Organisation.objects.filter(path__startswith=district.path, kind="enterprise").first()
    order = Order.objects.order_by("-pk").first()
    component = Component.objects.order_by("pk").first()
    donation = Donation.objects.filter(establishment=component.establishment).first()
    drive = Drive.objects.filter(status=DriveStatus.RUNNING).first()
    assert order and component and donation and drive and unit
    return {
        "hospital_user": [
            reverse("distribution:orders"),
            reverse("distribution:new"),
            reverse("distribution:order", args=[order.uuid]),
        ],
        "inventory_clerk": [
            reverse("inventory:stock"),
            reverse("inventory:thresholds"),
            reverse("inventory:locations"),
            reverse("inventory:transfers"),
            reverse("inventory:component", args=[component.uuid]),
            reverse("distribution:order", args=[order.uuid]),
        ],
        "lab_technician": [
            reverse("lab:worklist"),
            reverse("lab:sample", args=[donation.din]),
        ],
        "district_committee": [
            reverse("organisations:detail", args=[district.uuid]),
            reverse("organisations:history", args=[district.uuid]),
            reverse("programmes:detail", args=[plan.uuid]),
            reverse("programmes:history", args=[plan.uuid]),
            reverse("reports:progress", args=[plan.uuid, district.uuid]),
            reverse("programmes:targets", args=[plan.uuid, district.uuid]),
        ],
        "establishment_admin": [
            reverse("drives:detail", args=[drive.uuid]),
            reverse("stations:station", args=[drive.uuid, "checkin"]),
            reverse("trace:unit", args=[donation.din]),
        ],
    }


def test_no_page_overflows_a_phone_or_clips_a_table_cell(
    live_server: Any, flushable_audit: None, phone: Any
) -> None:
    from bloodline.demo.blood_centre import seed_blood_centre
    from bloodline.demo.seed import seed

    seed(with_programmes=True)
    assert seed_blood_centre()
    base = live_server.url
    problems: dict[str, Any] = {}
    for persona, paths in _pages().items():
        _sign_in(phone, base, persona)
        for path in paths:
            answer = phone.goto(base + path)
            assert answer is not None and answer.status == 200, (persona, path)
            seen = phone.evaluate(MEASURE)
            if seen["scroll"] > seen["width"] or seen["clipped"]:
                problems[f"{persona} {path}"] = seen
    assert problems == {}, "\n".join(f"{page}: {seen}" for page, seen in problems.items())


def test_history_is_read_in_the_pages_own_font(
    live_server: Any, flushable_audit: None, phone: Any
) -> None:
    from bloodline.demo.seed import seed

    demo = seed()
    district = demo.nodes["vn_dong"]
    base = live_server.url
    _sign_in(phone, base, "district_committee")
    phone.goto(f"{base}/organisations/{district.uuid}/history/")
    fonts = phone.evaluate(
        """() => [...document.querySelectorAll('main table.history td, main table.history td *')]
              .map(el => getComputedStyle(el).fontFamily)"""
    )
    body = phone.evaluate("getComputedStyle(document.body).fontFamily")
    assert fonts and set(fonts) == {body}
