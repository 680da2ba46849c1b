"""The blood-group label prints only for released units (QUALITY T7), as a self-contained PDF
carrying the bar codes the scan-back reads."""

from __future__ import annotations

from django.urls import reverse

from bloodline.audit.models import AuditEvent
from bloodline.demo.factories import distribution as factories
from bloodline.inventory import labels
from bloodline.inventory.models import Component
from bloodline.lib import isbt128


def _url(component) -> str:
    return reverse("inventory:label", args=[component.uuid])


def test_it_prints_a_pdf_label_for_a_released_unit_and_notes_it(centre, english, released) -> None:
    red, _plasma = released("B", "pos")
    response = english("inventory_clerk").get(_url(red))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    red.refresh_from_db()
    assert red.label_printed_at is not None
    assert AuditEvent.objects.filter(action="component.label", object_id=str(red.uuid)).exists()


def test_it_refuses_a_label_for_a_quarantined_unit(centre, english, processed) -> None:
    red, _plasma = processed()
    response = english("inventory_clerk").get(_url(red))
    assert response.status_code == 302
    assert not response.content.startswith(b"%PDF")
    red.refresh_from_db()
    assert red.label_printed_at is None
    page = english("inventory_clerk").get(reverse("inventory:component", args=[red.uuid]))
    assert "printed only for a released unit" in page.content.decode()


def test_it_refuses_a_label_for_a_discarded_unit(centre, english) -> None:
    red, _plasma = centre.stocked()
    client = english("inventory_clerk")
    client.post(
        reverse("inventory:discard", args=[red.uuid]),
        {"reason": "bag_damaged", "note": "", "version": red.version},
    )
    response = client.get(_url(red))
    assert response.status_code == 302 and not response.content.startswith(b"%PDF")


def test_people_without_stock_rights_cannot_print(centre, english, released) -> None:
    red, _plasma = released()
    assert english("lab_technician").get(_url(red)).status_code == 403
    assert english("hospital_user").get(_url(red)).status_code == 404
    assert english("cn_establishment_admin").get(_url(red)).status_code == 404
    red.refresh_from_db()
    assert red.label_printed_at is None


def test_the_label_carries_what_the_scan_back_reads(centre, released) -> None:
    red, _plasma = released("AB", "neg")
    red = Component.objects.select_related("donation", "establishment").get(pk=red.pk)
    label = labels.group_label(red)
    scans = factories.label_scans(red)
    assert label.din_data == scans["din_scan"]
    assert label.group_data == scans["group_scan"] == "=%2800"
    assert label.product_data == scans["product_scan"]
    html = labels.label_html(label)
    assert isbt128.Din(red.donation.din).eye_readable() in html
    assert "RhD NEGATIVE" in html
    assert "Store at 2 to 6 °C" in html
    assert "100mm 100mm" in html
    assert "http" not in html.split("<body>")[1].replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_the_plasma_label_states_its_freezer_range(centre, released) -> None:
    _red, plasma = released("O", "pos")
    plasma = Component.objects.select_related("donation", "establishment").get(pk=plasma.pk)
    html = labels.label_html(labels.group_label(plasma))
    assert "RhD POSITIVE" in html
    assert "Store at -25 to -18 °C" in html


def test_rendering_the_label_fetches_nothing(centre, released, monkeypatch) -> None:
    red, _plasma = released()
    red = Component.objects.select_related("donation", "establishment").get(pk=red.pk)
    asked: list[str] = []

    def record(url, *args, **kwargs):
        asked.append(url)
        raise ValueError(url)

    monkeypatch.setattr(labels, "_refuse_fetch", record)
    assert labels.label_pdf(labels.group_label(red)).startswith(b"%PDF")
    assert asked == []
