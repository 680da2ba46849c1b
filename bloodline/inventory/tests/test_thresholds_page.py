"""Stock thresholds: added and changed on their page, checked, audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from bloodline.audit.models import AuditEvent
from bloodline.inventory.models import StockThreshold

URL = reverse("inventory:thresholds")


def _post(client, **values):
    data = {
        "component_kind": "red_cells",
        "abo": "O",
        "rhd": "neg",
        "daily_use": "4",
        "minimum_days": "5",
        "critical_days": "2",
    } | values
    return client.post(URL, data)


def test_it_adds_a_threshold_and_audits_it(centre, english) -> None:
    response = _post(english("inventory_clerk"))
    assert response.status_code == 302
    threshold = StockThreshold.objects.get(establishment=centre.centre)
    assert (threshold.daily_use, threshold.minimum_days, threshold.critical_days) == (
        Decimal(4),
        Decimal(5),
        Decimal(2),
    )
    event = AuditEvent.objects.get(action="stock.threshold")
    assert event.changes["minimum_days"] == [None, "5.0"]


def test_the_same_class_and_group_is_changed_not_added(centre, english) -> None:
    client = english("inventory_clerk")
    _post(client)
    _post(client, daily_use="6")
    assert StockThreshold.objects.get(establishment=centre.centre).daily_use == Decimal(6)
    last = AuditEvent.objects.filter(action="stock.threshold").order_by("-pk").first()
    assert last.changes == {"daily_use": ["4.00", "6.00"]}


def test_the_change_link_fills_the_form(centre, english) -> None:
    client = english("inventory_clerk")
    _post(client, daily_use="7")
    page = client.get(URL, {"component_kind": "red_cells", "abo": "O", "rhd": "neg"})
    assert page.context["form"]["daily_use"].value() == Decimal(7)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"minimum_days": "1.9", "critical_days": "2"}, "minimum_days"),
        ({"critical_days": "-0.1", "minimum_days": "0"}, "critical_days"),
        ({"daily_use": "0"}, "daily_use"),
    ],
)
def test_it_refuses_thresholds_that_make_no_sense(centre, english, values, field) -> None:
    page = _post(english("inventory_clerk"), **values)
    assert page.status_code == 400
    assert field in page.context["form"].errors
    assert not StockThreshold.objects.exists()


def test_minimum_equal_to_critical_and_zero_critical_are_allowed(centre, english) -> None:
    assert _post(english("inventory_clerk"), minimum_days="0", critical_days="0").status_code == 302


@pytest.mark.parametrize(
    ("persona", "status"),
    [("lab_technician", 403), ("hospital_user", 403), ("drive_nurse", 403)],
)
def test_only_stock_managers_set_thresholds(centre, english, persona, status) -> None:
    client = english(persona)
    assert client.get(URL).status_code == status
    assert _post(client).status_code == status
    assert not StockThreshold.objects.exists()


def test_another_country_cannot_set_them_here(centre, english) -> None:
    client = english("cn_establishment_admin")
    url = f"{URL}?establishment={centre.centre.uuid}"
    assert client.post(url, {"component_kind": "red_cells"}).status_code == 404
