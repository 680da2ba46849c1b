"""An incomplete collection (stopped below the bag's minimum) sends no sample to the
laboratory and yields no component — unless the rule set allows a low-volume product."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bloodline.collection.models import Donation
from bloodline.drives.tests import conftest as drive_fixtures
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component
from bloodline.jurisdictions.schema import LowVolumeProduct, RuleSet
from bloodline.lab import actions
from bloodline.lab.models import Sample

pytestmark = pytest.mark.django_db
english = drive_fixtures.english
WORKLIST = reverse("lab:worklist")


def stopped(centre: Any) -> Donation:
    donation = centre.donation()
    donation.outcome, donation.incomplete_reason, donation.volume_ml = "incomplete", "poor_flow", 40
    donation.save()
    return donation


@pytest.fixture
def low_volume_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule set in force, as a deployer who allows a low-volume product would set it."""
    real = inventory.rules_for

    def allowing(donation: Donation) -> RuleSet:
        rules = real(donation)
        volumes = rules.whole_blood_volumes.model_copy(
            update={"low_volume_product": LowVolumeProduct(allowed=True, verified=False)}
        )
        return rules.model_copy(update={"whole_blood_volumes": volumes})

    monkeypatch.setattr(inventory, "rules_for", allowing)


def test_the_worklist_does_not_offer_an_incomplete_collection(centre: Any, english: Any) -> None:
    full, short = centre.donation(), stopped(centre)
    page = english("lab_technician").get(WORKLIST).content.decode()
    assert full.din in page
    assert short.din not in page


def test_receiving_the_sample_of_an_incomplete_collection_is_refused(centre: Any) -> None:
    short = stopped(centre)
    with pytest.raises(ValidationError) as exc:
        actions.receive_sample(by=centre.lab, donation=short)
    assert "incomplete collection" in exc.value.message_dict["din"][0]
    assert not Sample.objects.exists()


def test_the_scan_box_says_why_and_receives_nothing(centre: Any, english: Any) -> None:
    short = stopped(centre)
    response = english("lab_technician").post(WORKLIST, {"din": short.din})
    assert response.status_code == 200
    assert "incomplete collection" in response.content.decode()
    assert not Sample.objects.exists()


def test_processing_an_incomplete_collection_is_refused(centre: Any) -> None:
    short = stopped(centre)
    with pytest.raises(ValidationError):
        inventory.process_donation(
            by=centre.clerk,
            donation=short,
            recipe="red_cells_plasma",
            volumes={"red_cells_additive": 20, "plasma_fresh_frozen": 15},
        )
    assert not Component.objects.exists()


def test_a_rule_set_allowing_a_low_volume_product_lets_it_through(
    centre: Any, low_volume_allowed: None
) -> None:
    short = stopped(centre)
    assert actions.receive_sample(by=centre.lab, donation=short).donation == short
    made = inventory.process_donation(
        by=centre.clerk,
        donation=short,
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 20, "plasma_fresh_frozen": 15},
    )
    assert len(made) == 2
