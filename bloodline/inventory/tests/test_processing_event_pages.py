"""Recording a processing step from the unit's page (inventory clerk): the form, the refusal
with its reason on the form and nothing written, the history line, and the new expiry on the
unit page, the stock page and the blood-group label."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import formats, timezone

from bloodline.demo.factories import distribution as factories
from bloodline.inventory import actions, labels, stock
from bloodline.inventory.models import Component, ProcessingEvent, StorageLocation


def _fridge(centre) -> StorageLocation:
    return factories.location(centre.centre, "Fridge 1")


def _page(client, unit) -> str:
    return client.get(reverse("inventory:component", args=[unit.uuid])).content.decode()


def _post(client, unit, **data):
    return client.post(reverse("inventory:processing", args=[unit.uuid]), data)


def test_the_unit_page_offers_the_processing_the_rule_set_states(centre, english) -> None:
    red, plasma = centre.stocked()
    clerk = english("inventory_clerk")
    page = _page(clerk, plasma)
    assert "Record the processing" in page
    assert "thawed: 6 hours" in page
    assert "The rule set states no processing for this component type." in _page(clerk, red)
    # People who may only look at stock see no form.
    assert "Record the processing" not in _page(english("lab_technician"), plasma)


def test_a_clerk_thaws_plasma_from_its_page_and_sees_the_new_expiry(centre, english) -> None:
    _red, plasma = centre.stocked()
    clerk = english("inventory_clerk")
    response = _post(
        clerk, plasma, kind="thaw", location=str(_fridge(centre).uuid), version=plasma.version
    )
    assert response.status_code == 302, response.content.decode()
    plasma.refresh_from_db()
    event = ProcessingEvent.objects.get(component=plasma)
    assert plasma.expires_at == event.expires_at == event.at + dt.timedelta(hours=6)
    page = _page(clerk, plasma)
    shown = formats.date_format(
        timezone.localtime(plasma.expires_at, actions.zone(centre.centre)),
        "SHORT_DATETIME_FORMAT",
    )
    assert shown in page
    assert "thawed" in page  # the history line
    assert "Record the processing" in page  # other steps stay possible (refused by rule)


def test_a_refused_step_shows_its_reason_on_the_form_and_writes_nothing(centre, english) -> None:
    red, _plasma = centre.stocked()
    before = red.expires_at
    response = _post(english("inventory_clerk"), red, kind="thaw", version=red.version)
    assert response.status_code == 400
    assert "The rule set VN-TT26-2013 states no rule for" in response.content.decode()
    red.refresh_from_db()
    assert red.expires_at == before
    assert not ProcessingEvent.objects.exists()


def test_thawing_plasma_left_in_the_freezer_asks_where_it_goes(centre, english) -> None:
    _red, plasma = centre.stocked()
    response = _post(english("inventory_clerk"), plasma, kind="thaw", version=plasma.version)
    assert response.status_code == 400
    assert "needs another temperature" in response.content.decode()
    assert not ProcessingEvent.objects.exists()


def test_the_stock_page_counts_thawed_plasma_as_expiring_within_a_day(centre, english) -> None:
    _red, plasma = centre.stocked()
    assert plasma.pk not in [c.pk for c in stock.summary(centre.centre).expiring]
    actions.record_processing(
        by=centre.clerk, component=plasma, kind="thaw", location=_fridge(centre)
    )
    summary = stock.summary(centre.centre)
    assert [c.pk for c in summary.expiring] == [plasma.pk]
    row = next(r for r in summary.rows if r.component_code == "plasma_fresh_frozen")
    assert row.by_days[0] == 1
    page = english("inventory_clerk").get(
        f"{reverse('inventory:stock')}?establishment={centre.centre.uuid}"
    )
    assert reverse("inventory:component", args=[plasma.uuid]) in page.content.decode()


def test_the_label_of_a_thawed_unit_prints_the_new_expiry_and_fridge_range(
    centre, released
) -> None:
    _red, plasma = released("O", "pos")
    event = actions.record_processing(by=centre.clerk, component=plasma, kind="thaw")
    plasma = Component.objects.select_related("donation", "establishment").get(pk=plasma.pk)
    label = labels.group_label(plasma)
    assert label.expires_local == timezone.localtime(event.expires_at, actions.zone(centre.centre))
    html = labels.label_html(label)
    local = label.expires_local
    assert local.strftime("%Y-%m-%d") in html and local.strftime("%H:%M") in html
    assert "Store at 2 to 6 °C" in html
    assert "Store at -25 to -18 °C" not in html
    assert "thawed" in html
