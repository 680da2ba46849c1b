"""QUALITY T7: a blood-group label is printed only for a released unit, and the unit enters
stock only when the label read back matches its DIN with the check character or Type 3 flag,
its ABO/RhD and its product code (safety.md §3; domain/isbt128.md §4, §7, §8).

The donations carry the DINs of the published check-character vectors (isbt128.md §4)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from bloodline.audit.models import AuditEvent
from bloodline.collection.models import Donation
from bloodline.demo.factories import distribution as factories
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component, StorageLocation
from bloodline.inventory.status import Status
from bloodline.lab import actions as lab
from bloodline.lab import imports
from bloodline.lib import isbt128

# DIN, keyboard check character K, Type 3 flag: isbt128.md §4, every row published.
VECTORS = [
    ("G123417654321", "A", "70"),  # ST-001 App. A.1 [S1]
    ("G123498654321", "H", "77"),  # UK Red Book Annex 2 [S3]
    ("A999921123456", "3", "63"),  # ST-001 Fig. 2 [S1]
    ("W000009123456", "G", "76"),  # ST-001 §7.4.1 [S1]
    ("A999818123456", "N", "83"),  # ST-001 §7.5.1.1 [S1]
    ("A999820123456", "E", "74"),  # ST-001 App. C [S1]
]
DIN, K, FLAG = VECTORS[2]
NOT_READY = "Only a released unit with its printed label can be checked into stock."


def made_with_din(centre, din: str, abo: str = "O", rhd: str = "pos") -> list[Component]:
    """A donation carrying ``din``, processed and tested (passing); nothing released."""
    donation = centre.donation()
    Donation.objects.filter(pk=donation.pk).update(din=din)
    donation.refresh_from_db()
    made = inventory.process_donation(
        by=centre.clerk,
        donation=donation,
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="run.csv",
        content=factories.to_csv(factories.passing_rows(donation, abo, rhd)),
    )
    return made


def labelled(centre, din: str = DIN, abo: str = "O", rhd: str = "pos") -> Component:
    """The red cells of a donation carrying ``din``: released, label printed."""
    red = made_with_din(centre, din, abo, rhd)[0]
    red = lab.release(by=centre.lab, component=red)
    return inventory.label_printed(by=centre.clerk, component=red)


def scan_back(
    centre,
    unit: Component,
    location: StorageLocation | None = None,
    version: int | None = None,
    **wrong: str,
) -> Component:
    """Scan the label back; ``wrong`` replaces what the scanner reads from a right label."""
    scans = factories.label_scans(unit) | wrong
    return inventory.scan_back(
        by=centre.clerk,
        component=unit,
        location=location or factories.location_for(centre.centre, unit.component_kind),
        version=version,
        din_scan=scans["din_scan"],
        group_scan=scans["group_scan"],
        product_scan=scans["product_scan"],
    )


def stocked_events(unit: Component) -> int:
    return AuditEvent.objects.filter(action="component.stock", object_id=str(unit.uuid)).count()


@pytest.mark.parametrize(("din", "k", "flag"), VECTORS)
def test_a_label_read_back_with_its_type3_flag_puts_the_unit_in_stock(centre, din, k, flag):
    unit = labelled(centre, din)
    scans = factories.label_scans(unit)
    assert scans["din_scan"] == f"={din}{flag}"  # what the printed bar code carries
    stocked = scan_back(centre, unit, din_scan=f"={din}{flag}")
    assert stocked.status == Status.AVAILABLE
    assert (stocked.stocked_by, stocked.location.display_name("en")) == (centre.clerk, "Fridge 1")
    assert stocked_events(unit) == 1


@pytest.mark.parametrize(("din", "k", "flag"), VECTORS)
def test_a_din_typed_from_the_eye_readable_text_needs_its_check_character(centre, din, k, flag):
    unit = labelled(centre, din)
    typed = f"{din[:5]} {din[5:7]} {din[7:]} {k}"  # as printed: A9999 21 123456 3
    assert isbt128.Din(din).eye_readable() == typed
    assert scan_back(centre, unit, din_scan=typed).status == Status.AVAILABLE


def test_the_flag_of_a_container_label_is_accepted(centre):
    # A Type 1 flag (container 1 of a set) carries no checksum; the DIN itself must match.
    unit = labelled(centre)
    assert scan_back(centre, unit, din_scan=f"={DIN}01").status == Status.AVAILABLE


OTHER_DIN, _OTHER_K, OTHER_FLAG = VECTORS[5]


@pytest.mark.parametrize(
    ("scans", "field", "message"),
    [
        (
            {"din_scan": f"={DIN}74"},  # another DIN's flag on this DIN
            "din_scan",
            "The DIN's check flag does not match: mis-scan or typo.",
        ),
        (
            {"din_scan": f"={DIN}64"},
            "din_scan",
            "The DIN's check flag does not match: mis-scan or typo.",
        ),
        (
            {"din_scan": f"{DIN}4"},  # typed with the wrong check character
            "din_scan",
            "The check character does not match: mis-scan or typo.",
        ),
        (
            {"din_scan": f"={DIN}14"},  # reserved flag
            "din_scan",
            "The DIN's flag characters are not valid.",
        ),
        (
            {"din_scan": f"={OTHER_DIN}{OTHER_FLAG}"},  # a well-formed label of another unit
            "din_scan",
            "The DIN on the label is not this unit's.",
        ),
        (
            {"din_scan": f"={DIN[:12]}7{FLAG}"},  # one digit misread, flag kept
            "din_scan",
            "The DIN's check flag does not match: mis-scan or typo.",
        ),
        (
            {"group_scan": "=%6200"},  # A RhD positive on an O RhD positive unit
            "group_scan",
            "The blood group on the label is not this unit's.",
        ),
        (
            {"group_scan": "=%9500"},  # O RhD negative: the RhD differs
            "group_scan",
            "The blood group on the label is not this unit's.",
        ),
        (
            {"group_scan": "=%Mq00"},  # a quarantine message, not a group
            "group_scan",
            "This blood-group code does not name an ABO/RhD group.",
        ),
        (
            {"group_scan": f"={DIN}{FLAG}"},  # the DIN scanned into the group field
            "group_scan",
            "This is not a blood-group bar code (=% and 4 characters).",
        ),
        (
            {"product_scan": "=<D0009V00"},  # another product
            "product_scan",
            "The product code on the label is not this unit's.",
        ),
        (
            {"product_scan": "=<D0004VA0"},  # a division of the product
            "product_scan",
            "The product code on the label is not this unit's.",
        ),
        (
            {"product_scan": "=%5100"},
            "product_scan",
            "This is not a product-code bar code (=< and 8 characters).",
        ),
    ],
)
def test_a_label_read_back_wrong_is_refused_and_changes_nothing(centre, scans, field, message):
    unit = labelled(centre)
    assert unit.product_code == "D0004"  # the red cells' local code (factories.equip)
    before = Component.objects.get(pk=unit.pk)
    with pytest.raises(ValidationError) as refused:
        scan_back(centre, unit, **scans)
    assert refused.value.message_dict == {field: [message]}
    after = Component.objects.get(pk=unit.pk)
    assert (after.status, after.stocked_at, after.location, after.version) == (
        Status.RELEASED,
        None,
        None,
        before.version,
    )
    assert stocked_events(unit) == 0


def test_every_wrong_field_is_reported_at_once(centre):
    unit = labelled(centre)
    with pytest.raises(ValidationError) as refused:
        scan_back(
            centre,
            unit,
            din_scan=f"={OTHER_DIN}{OTHER_FLAG}",
            group_scan="=%2800",
            product_scan="=<D0009V00",
        )
    assert set(refused.value.message_dict) == {"din_scan", "group_scan", "product_scan"}


def test_a_quarantined_unit_gets_no_label(centre):
    red, _plasma = made_with_din(centre, DIN)
    with pytest.raises(ValidationError) as refused:
        inventory.label_printed(by=centre.clerk, component=red)
    assert refused.value.messages == ["A blood-group label is printed only for a released unit."]
    red.refresh_from_db()
    assert red.label_printed_at is None


def test_a_released_unit_found_unsafe_gets_no_label(centre):
    red, _plasma = made_with_din(centre, DIN)
    red = lab.release(by=centre.lab, component=red)
    inventory.mark_unsafe(by=centre.lab, donation=red.donation, reason="recall")
    with pytest.raises(ValidationError):
        inventory.label_printed(by=centre.clerk, component=red)


def test_a_non_released_unit_cannot_be_scanned_back(centre):
    red, _plasma = made_with_din(centre, DIN)
    with pytest.raises(ValidationError) as refused:
        inventory.scan_back(
            by=centre.clerk,
            component=red,
            location=factories.location_for(centre.centre, "red_cells"),
            din_scan=f"={DIN}{FLAG}",
            group_scan="=%5100",
            product_scan=isbt128.product_code_data(red.product_code),
        )
    assert refused.value.messages == [NOT_READY]
    red.refresh_from_db()
    assert red.status == Status.QUARANTINED and red.stocked_at is None


def test_a_released_unit_whose_label_was_not_printed_cannot_be_scanned_back(centre):
    red, _plasma = made_with_din(centre, DIN)
    red = lab.release(by=centre.lab, component=red)
    with pytest.raises(ValidationError) as refused:
        scan_back(centre, red)
    assert refused.value.messages == [NOT_READY]


def test_a_unit_already_in_stock_is_not_checked_in_twice(centre):
    unit = scan_back(centre, labelled(centre))
    with pytest.raises(ValidationError) as refused:
        scan_back(centre, unit)
    assert refused.value.messages == [NOT_READY]
    assert stocked_events(unit) == 1


def test_printing_the_label_again_keeps_the_first_print_time(centre):
    unit = labelled(centre)
    again = inventory.label_printed(by=centre.clerk, component=unit)
    assert again.label_printed_at == unit.label_printed_at


def test_a_unit_goes_only_where_its_temperature_is_kept(centre):
    unit = labelled(centre)
    freezer = factories.location_for(centre.centre, "plasma")
    with pytest.raises(ValidationError) as refused:
        scan_back(centre, unit, location=freezer)
    assert set(refused.value.message_dict) == {"location"}
    unit.refresh_from_db()
    assert unit.stocked_at is None


def test_a_scan_back_on_a_page_left_open_while_the_unit_changed_is_refused(centre):
    unit = labelled(centre)
    with pytest.raises(ValidationError) as refused:
        scan_back(centre, unit, version=unit.version - 1)
    assert set(refused.value.message_dict) == {"version"}


def test_a_bare_din_without_its_check_character_is_refused(centre):
    donation = centre.donation()
    red, _plasma = inventory.process_donation(
        by=centre.clerk,
        donation=donation,
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="run.csv",
        content=factories.to_csv(factories.passing_rows(donation, "O", "pos")),
    )
    red = lab.release(by=centre.lab, component=red)
    inventory.label_printed(by=centre.clerk, component=red)
    scans = factories.label_scans(red)
    with pytest.raises(ValidationError) as refused:
        inventory.scan_back(
            by=centre.clerk,
            component=red,
            location=factories.location_for(centre.centre, "red_cells"),
            din_scan=donation.din,
            group_scan=scans["group_scan"],
            product_scan=scans["product_scan"],
        )
    assert set(refused.value.message_dict) == {"din_scan"}
    red.refresh_from_db()
    assert red.status == Status.RELEASED
