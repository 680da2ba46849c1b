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

from django.utils import timezone, translation

from bloodline.accounts.models import User
from bloodline.collection.models import Donation
from bloodline.inventory.models import Component, LocationKind, ProductCode, StorageLocation
from bloodline.jurisdictions.labels import component_type
from bloodline.jurisdictions.loader import registry
from bloodline.lib import isbt128
from bloodline.organisations.models import Organisation

# Each kind's range lies within the storage rule of the components kept there in every
# rule set shipped (components.md §1). Names in every interface language: the one of the
# establishment's jurisdiction is stored as the name, the others as its translations.
LOCATIONS = [
    (
        {
            "vi": "Tủ lạnh 1",
            "zh-hans": "储血冰箱 1",
            "zh-hant": "儲血冰箱 1",
            "en": "Fridge 1",
            "fr": "Réfrigérateur 1",
            "es": "Refrigerador 1",
        },
        LocationKind.FRIDGE,
        Decimal(2),
        Decimal(6),
    ),
    (
        {
            "vi": "Tủ đông 1",
            "zh-hans": "低温冰箱 1",
            "zh-hant": "低溫冰箱 1",
            "en": "Freezer 1",
            "fr": "Congélateur 1",
            "es": "Congelador 1",
        },
        LocationKind.FREEZER,
        Decimal(-25),
        Decimal(-20),
    ),
    (
        {
            "vi": "Tủ âm sâu 1",
            "zh-hans": "超低温冰箱 1",
            "zh-hant": "超低溫冰箱 1",
            "en": "Deep freezer 1",
            "fr": "Congélateur très basse température 1",
            "es": "Ultracongelador 1",
        },
        LocationKind.FREEZER,
        Decimal(-40),
        Decimal(-30),
    ),
    (
        {
            "vi": "Máy lắc tiểu cầu 1",
            "zh-hans": "血小板振荡保存箱 1",
            "zh-hant": "血小板振盪保存箱 1",
            "en": "Platelet agitator 1",
            "fr": "Agitateur de plaquettes 1",
            "es": "Agitador de plaquetas 1",
        },
        LocationKind.AGITATOR,
        Decimal(20),
        Decimal(24),
    ),
    (
        {
            "vi": "Kho cách ly",
            "zh-hans": "待检隔离库",
            "zh-hant": "待檢隔離庫",
            "en": "Quarantine store",
            "fr": "Stock en quarantaine",
            "es": "Almacén de cuarentena",
        },
        LocationKind.QUARANTINE,
        Decimal(2),
        Decimal(6),
    ),
]
# The language demo reference data is written in, by the country of the jurisdiction.
COUNTRY_LANGUAGES = {"VN": "vi", "CN": "zh-hans"}


def language_of(establishment: Organisation) -> str:
    """The language the establishment's own records are written in (English elsewhere)."""
    rules = registry.get(establishment.jurisdiction, timezone.localdate())
    return COUNTRY_LANGUAGES.get(rules.country or "", "en")


def written(names: dict[str, str], language: str) -> tuple[str, dict[str, str]]:
    """A name as stored: in ``language``, with the other languages as its translations."""
    return names[language], {code: name for code, name in names.items() if code != language}


def equip(establishment: Organisation) -> None:
    """Local product codes for every component type of the establishment's rule set in
    force today, and a fridge, freezers and a platelet agitator, named in the jurisdiction's
    language with translations. Idempotent."""
    rules = registry.get(establishment.jurisdiction, timezone.localdate())
    language = language_of(establishment)
    with translation.override(language):
        for n, component in enumerate(rules.components, start=1):
            ProductCode.objects.get_or_create(
                establishment=establishment,
                component_code=component.code,
                defaults={"code": f"D{n:04d}", "description": component_type(component.code)},
            )
    for names, kind, low, high in LOCATIONS:
        name, others = written(names, language)
        StorageLocation.objects.get_or_create(
            establishment=establishment,
            name=name,
            defaults={"kind": kind, "min_c": low, "max_c": high, "name_translations": others},
        )


def location(establishment: Organisation, english_name: str) -> StorageLocation:
    """One of the locations ``equip`` made, found by its English name."""
    names = next(names for names, *_ in LOCATIONS if names["en"] == english_name)
    return StorageLocation.objects.get(
        establishment=establishment, name=names[language_of(establishment)]
    )


def location_for(establishment: Organisation, kind: str) -> StorageLocation:
    preferred = {
        "platelets": LocationKind.AGITATOR,
        "plasma": LocationKind.FREEZER,
        "cryoprecipitate": LocationKind.FREEZER,
    }
    return StorageLocation.objects.filter(
        establishment=establishment, kind=preferred.get(kind, LocationKind.FRIDGE)
    ).order_by("min_c").last() or location(establishment, "Fridge 1")


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
