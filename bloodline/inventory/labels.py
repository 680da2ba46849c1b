"""The blood-group label of a released component: 100 × 100 mm, four quadrants
(domain/isbt128.md §9) — DIN, ABO/RhD, product code with its description, volume and storage,
and the expiry in the establishment's local time (shortened by any processing event, which the
label names with its time). A PDF made with WeasyPrint from an HTML
template; nothing is fetched while rendering.

The bar codes carry what the scan-back reads: ``=`` + DIN + Type 3 flag (DS001), ``=%gg00``
(DS002) and ``=<`` + product code + collection type + division (DS003). The expiry is printed
in words only: the century digit of DS005 is not verified yet (isbt128.md §6).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bloodline.collection.labels import barcode_svg
from bloodline.inventory import actions
from bloodline.inventory.models import Component, ProcessingEvent, ProductCode
from bloodline.jurisdictions.schema import StorageTemperature
from bloodline.lib import isbt128

BAR_HEIGHT_MM = 10.0


def _degrees(value: float) -> str:
    number = Decimal(str(value))
    return str(formats.number_format(int(number) if number == number.to_integral() else number))


def storage_text(rule: StorageTemperature) -> str:
    low = _degrees(rule.min_c) if rule.min_c is not None else None
    high = _degrees(rule.max_c) if rule.max_c is not None else None
    if low is not None and high is not None:
        return _("Store at %(low)s to %(high)s °C") % {"low": low, "high": high}
    if high is not None:
        if rule.max_inclusive:
            return _("Store at or below %(high)s °C") % {"high": high}
        return _("Store below %(high)s °C") % {"high": high}
    if low is not None:
        return _("Store at or above %(low)s °C") % {"low": low}
    return ""


@dataclass(frozen=True)
class GroupLabel:
    component: Component
    din: isbt128.Din
    description: str
    storage: str
    collected_on: dt.date
    expires_local: dt.datetime
    zone: str
    # Opened, thawed, washed, irradiated: each with its time; the expiry above already
    # counts them (components.md §4).
    processing: list[ProcessingEvent] = field(default_factory=list)

    @property
    def din_data(self) -> str:
        return self.din.barcode_data()

    @property
    def group_data(self) -> str:
        return isbt128.blood_group_data(self.component.abo, self.component.rhd)

    @property
    def product_data(self) -> str:
        return isbt128.product_code_data(self.component.product_code, self.component.division)

    def svgs(self) -> dict[str, str]:
        return {
            name: barcode_svg(data, height_mm=BAR_HEIGHT_MM)
            for name, data in (
                ("din", self.din_data),
                ("group", self.group_data),
                ("product", self.product_data),
            )
        }


def group_label(component: Component) -> GroupLabel:
    """What the label shows, from a released component (its donation and establishment
    fetched with it)."""
    zone = actions.zone(component.establishment)
    din13 = component.donation.din
    code = ProductCode.objects.filter(
        establishment_id=component.establishment_id, code=component.product_code
    ).first()
    return GroupLabel(
        component=component,
        din=isbt128.Din(din13, isbt128.type3_flag(din13)),
        description=code.description if code else component.component_code,
        storage=storage_text(actions.storage_of(component)),
        collected_on=timezone.localtime(component.collected_at, zone).date(),
        expires_local=timezone.localtime(component.expires_at, zone),
        zone=zone.key,
        processing=list(component.processing_events.all()),
    )


def label_html(label: GroupLabel) -> str:
    return render_to_string(
        "inventory/label.html",
        {"label": label, "c": label.component, "svg": label.svgs()},
    )


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    """The label is self-contained: nothing is fetched, not even a file."""
    raise ValueError(f"labels fetch nothing: {url}")


def label_pdf(label: GroupLabel) -> bytes:
    from weasyprint import HTML  # heavy import, only where a PDF is made

    pdf = HTML(string=label_html(label), url_fetcher=_refuse_fetch).write_pdf()
    assert pdf is not None
    return bytes(pdf)
