"""A page shows only what the person may open: every link on the home page, in the header,
on a drive's station pages and on the stock pages answers 200 for each demo persona — never
a 403 (decision 0001: menus come from the same checks as the pages they lead to)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bloodline.demo.seed import PERSONAS
from bloodline.screening.tests.conftest import drive, make_drive, users  # noqa: F401

HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"')


def _links(page: str) -> set[str]:
    found = {html.unescape(h) for h in HREF.findall(page)}
    return {h.split("#", 1)[0] for h in found if h.startswith("/") and h.split("#", 1)[0]}


def _start_pages(drive_: Any) -> list[str]:
    stations = [
        reverse("stations:station", args=[drive_.uuid, slug])
        for slug in ("checkin", "questionnaire", "vitals", "physician", "collection", "post")
    ]
    stock = [
        reverse(name)
        for name in (
            "inventory:stock",
            "inventory:process_search",
            "inventory:transfers",
            "inventory:locations",
            "inventory:thresholds",
        )
    ]
    return [reverse("home"), *stations, *stock]


def _crawl(client: Client, starts: list[str]) -> dict[str, int]:
    """The status each link on the start pages the person may open answers, after redirects."""
    links: set[str] = set()
    for url in starts:
        page = client.get(url)
        if page.status_code == 200:  # pages the person may not open are not theirs to crawl
            links |= _links(page.content.decode())
    return {link: client.get(link, follow=True).status_code for link in sorted(links)}


@pytest.mark.parametrize("persona", [p.username for p in PERSONAS] + ["admin"])
def test_every_link_a_persona_is_shown_opens(demo, centre, login, drive, persona):  # noqa: F811
    client = login(persona, HTTP_ACCEPT_LANGUAGE="en")
    answers = _crawl(client, _start_pages(drive))
    refused = {link: status for link, status in answers.items() if status != 200}
    assert answers  # the header alone links somewhere
    assert refused == {}


def test_the_drive_nurse_sees_no_physician_tab(demo, login, drive):  # noqa: F811
    page = login("drive_nurse").get(reverse("stations:station", args=[drive.uuid, "checkin"]))
    assert page.status_code == 200
    physician = reverse("stations:station", args=[drive.uuid, "physician"])
    assert physician not in _links(page.content.decode())
    vitals = reverse("stations:station", args=[drive.uuid, "vitals"])
    assert vitals in _links(page.content.decode())


def test_the_physician_sees_the_physician_tab(demo, login, drive):  # noqa: F811
    page = login("physician").get(reverse("stations:station", args=[drive.uuid, "checkin"]))
    physician = reverse("stations:station", args=[drive.uuid, "physician"])
    assert physician in _links(page.content.decode())


def test_the_lab_technician_sees_no_stock_management_pages(demo, centre, login):
    page = login("lab_technician").get(reverse("inventory:stock")).content.decode()
    hrefs = {h.split("?", 1)[0] for h in _links(page)}
    assert reverse("inventory:stock") in hrefs
    assert reverse("inventory:locations") not in hrefs
    assert reverse("inventory:thresholds") not in hrefs


def test_the_inventory_clerk_sees_the_stock_management_pages(demo, centre, login):
    page = login("inventory_clerk").get(reverse("inventory:stock")).content.decode()
    hrefs = {h.split("?", 1)[0] for h in _links(page)}
    assert {reverse("inventory:locations"), reverse("inventory:thresholds")} <= hrefs
