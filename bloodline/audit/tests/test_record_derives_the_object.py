"""``audit.record(obj=…)`` names the object itself (decision 0028): the model's label, the
object's public id, and a label that copies nothing personal."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from bloodline.accounts.system import system_actor
from bloodline.audit.record import record
from bloodline.collection.models import Facility
from bloodline.demo.factories import collection
from bloodline.inventory import actions as inventory


def _recorded(obj):
    with transaction.atomic():
        return record(by=system_actor(), action="test.look", obj=obj)


def test_it_names_an_organisation_by_its_model_uuid_and_entered_name(demo):
    commune = demo.nodes["vn_dong_c1"]
    event = _recorded(commune)
    assert (event.object_type, event.object_id, event.object_label) == (
        "organisations.organisation",
        str(commune.uuid),
        commune.name,
    )


def test_it_copies_nothing_personal_about_a_donor(demo):
    (donor,) = collection.donors(1, demo.nodes["vn_garment"], prefix="Đỗ Thu Lan")
    event = _recorded(donor)
    assert (event.object_type, event.object_id) == ("donors.donor", str(donor.uuid))
    assert event.object_label == ""


def test_it_uses_the_string_of_an_object_without_its_own_label(centre):
    red, _plasma = centre.stocked()
    event = _recorded(red)
    assert (event.object_type, event.object_id, event.object_label) == (
        "inventory.component",
        str(red.uuid),
        str(red),
    )


def test_it_falls_back_to_the_primary_key_without_a_public_id(demo):
    facility, _made = Facility.objects.get_or_create(
        establishment=demo.nodes["vn_centre"], defaults={"fin": "G1234"}
    )
    event = _recorded(facility)
    assert (event.object_type, event.object_id) == ("collection.facility", str(facility.pk))


def test_a_threshold_keeps_its_establishment_class_and_group_as_its_id(centre):
    threshold = inventory.set_threshold(
        by=centre.clerk,
        establishment=centre.centre,
        component_kind="red_cells",
        abo="O",
        rhd="neg",
        daily_use=Decimal(4),
        minimum_days=Decimal(5),
        critical_days=Decimal(2),
    )
    event = _recorded(threshold)
    assert event.object_id == f"{centre.centre.uuid}:red_cells:O:neg"
