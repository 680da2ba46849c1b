"""Generated blood-centre data for tests and the demo (no real people, no licensed codes).

``equip`` gives an establishment local product codes (first character D: national or local
codes, isbt128.md §8 — never ICCBBA's licensed E-codes) and storage locations; ``passing_file``
writes an analyser file whose results pass the whole panel of a donation.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.collection.models import Donation
from bloodline.inventory.models import Component, LocationKind, ProductCode, StorageLocation
from bloodline.jurisdictions.loader import registry
from bloodline.lib import isbt128
from bloodline.organisations.models import Organisation

# Each kind's range lies within the storage rule of the components kept there in every
# rule set shipped (components.md §1).
LOCATIONS = [
    ("Fridge 1", LocationKind.FRIDGE, Decimal(2), Decimal(6)),
    ("Freezer 1", LocationKind.FREEZER, Decimal(-25), Decimal(-20)),
    ("Deep freezer 1", LocationKind.FREEZER, Decimal(-40), Decimal(-30)),
    ("Platelet agitator 1", LocationKind.AGITATOR, Decimal(20), Decimal(24)),
    ("Quarantine store", LocationKind.QUARANTINE, Decimal(2), Decimal(6)),
]


def equip(establishment: Organisation) -> None:
    """Local product codes for every component type of the establishment's rule set in
    force today, and a fridge, freezers and a platelet agitator. Idempotent."""
    rules = registry.get(establishment.jurisdiction, timezone.localdate())
    for n, component in enumerate(rules.components, start=1):
        ProductCode.objects.get_or_create(
            establishment=establishment,
            component_code=component.code,
            defaults={"code": f"D{n:04d}", "description": component.code.replace("_", " ")},
        )
    for name, kind, low, high in LOCATIONS:
        StorageLocation.objects.get_or_create(
            establishment=establishment,
            name=name,
            defaults={"kind": kind, "min_c": low, "max_c": high},
        )


def location_for(establishment: Organisation, kind: str) -> StorageLocation:
    preferred = {
        "platelets": LocationKind.AGITATOR,
        "plasma": LocationKind.FREEZER,
        "cryoprecipitate": LocationKind.FREEZER,
    }
    return StorageLocation.objects.filter(
        establishment=establishment, kind=preferred.get(kind, LocationKind.FRIDGE)
    ).order_by("min_c").last() or StorageLocation.objects.get(
        establishment=establishment, name="Fridge 1"
    )


def passing_rows(donation: Donation, abo: str, rhd: str) -> list[dict[str, str]]:
    """Analyser rows passing every required test of the donation's panel."""
    day = timezone.localdate(donation.collected_at)
    rules = registry.get(donation.establishment.jurisdiction, day)
    rows = []
    good = {"non_reactive": "non_reactive", "negative": "negative", "not_detected": "not_detected"}
    for test in rules.test_panel:
        if test.applies != "every_donation":
            continue
        for run in range(test.runs_required):
            if test.code in ("abo", "rhd"):
                reading, value = (abo if test.code == "abo" else rhd), ""
            elif test.acceptable == "within_limit":
                reading, value = "value", "12"
            else:
                reading, value = good[test.acceptable], ""
            rows.append(
                {
                    "din": donation.din,
                    "test": test.code,
                    "stage": "screen",
                    "result": reading,
                    "value": value,
                    "manufacturer": f"Maker {run + 1}",
                    "operator": f"Operator {run + 1}",
                    "result_id": f"{donation.din}-{test.code}-{run + 1}",
                }
            )
    return rows


def to_csv(rows: Iterable[dict[str, str]]) -> str:
    rows = list(rows)
    out = io.StringIO()
    columns = ["din", "test", "stage", "result", "value", "manufacturer", "operator", "result_id"]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def label_scans(component: Component) -> dict[str, str]:
    """What a scanner reads from a correct label: DIN with its Type 3 flag, group, product."""
    din = component.donation.din
    return {
        "din_scan": f"={din}{isbt128.type3_flag(din)}",
        "group_scan": isbt128.blood_group_data(component.abo, component.rhd),
        "product_scan": isbt128.product_code_data(component.product_code, component.division),
    }


def stocked(
    donation: Donation,
    *,
    lab: User,
    clerk: User,
    abo: str = "O",
    rhd: str = "pos",
    recipe: str = "red_cells_plasma",
    volumes: dict[str, int] | None = None,
) -> list[Component]:
    """Take a donation through processing, a passing result file, release, label and
    scan-back: its components end up available stock. Through the real actions."""
    from bloodline.inventory import actions as inventory
    from bloodline.lab import actions as lab_actions
    from bloodline.lab import imports

    made = inventory.process_donation(
        by=clerk,
        donation=donation,
        recipe=recipe,
        volumes=volumes or {"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    imports.import_results(
        by=lab,
        establishment=donation.establishment,
        file_name="generated.csv",
        content=to_csv(passing_rows(donation, abo, rhd)),
    )
    ready = []
    for component in made:
        component = lab_actions.release(by=lab, component=component)
        inventory.label_printed(by=clerk, component=component)
        scans = label_scans(component)
        ready.append(
            inventory.scan_back(
                by=clerk,
                component=component,
                location=location_for(donation.establishment, component.component_kind),
                din_scan=scans["din_scan"],
                group_scan=scans["group_scan"],
                product_scan=scans["product_scan"],
            )
        )
    return ready
