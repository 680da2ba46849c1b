"""The header offers the blood-centre pages to the people whose roles use them."""

from __future__ import annotations

import pytest

LINKS = {"/lab/": "Laboratory", "/stock/": "Stock", "/orders/": "Orders", "/trace/": "Trace"}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("lab_technician", {"/lab/", "/stock/", "/trace/"}),
        ("inventory_clerk", {"/stock/", "/orders/", "/trace/"}),
        ("hospital_user", {"/orders/", "/trace/", "/lab/notifications/"}),
        ("drive_nurse", set()),
        ("donor", set()),
    ],
)
def test_each_role_sees_its_blood_centre_pages(demo, login, persona, expected):
    page = login(persona, HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    nav = page.split("<nav", 1)[1].split("</nav>", 1)[0]
    shown = {href for href in [*LINKS, "/lab/notifications/"] if f'href="{href}"' in nav}
    assert shown == expected


@pytest.mark.parametrize(
    ("persona", "offered"),
    [("establishment_admin", True), ("district_committee", False), ("drive_nurse", False)],
)
def test_the_registry_import_is_offered_to_establishment_administrators(
    demo, login, persona, offered
):
    page = login(persona, HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    nav = page.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert ('href="/registry-import/"' in nav) is offered
