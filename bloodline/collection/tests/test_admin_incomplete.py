"""The admin's donation form goes through the same classification as the station: an
incomplete collection needs its reason, and what lacks one is refused with nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bloodline.collection.models import DinCounter, Donation, Facility
from bloodline.demo.factories import collection as factories
from bloodline.lib.isbt128 import check_character

pytestmark = pytest.mark.django_db
ADD = "/admin/collection/donation/add/"
DIN = "W000126000123"


@pytest.fixture(autouse=True)
def issued(demo):
    """The number typed below was issued by the centre's allocator (decision 0021)."""
    facility = Facility.objects.create(establishment=demo.nodes["vn_centre"], fin="W0001")
    DinCounter.objects.create(facility=facility, year=26, last_sequence=200)


def form(demo, volume: int, **extra: str) -> dict[str, str]:
    donor = factories.donors(1, demo.nodes["vn_garment"])[0]
    now = timezone.localtime(timezone.now() - dt.timedelta(hours=1))
    return {
        "din": DIN + check_character(DIN),
        "donor": str(donor.pk),
        "establishment": str(demo.nodes["vn_centre"].pk),
        "collected_at_0": now.date().isoformat(),
        "collected_at_1": now.time().strftime("%H:%M:%S"),
        "donation_type": "whole_blood",
        "volume_ml": str(volume),
        "bag_volume_ml": "350",
        "credited_to": str(demo.nodes["vn_garment"].pk),
        **extra,
    }


def test_the_admin_refuses_an_incomplete_collection_without_a_reason(demo, login):
    client = login("admin")
    client.cookies["django_language"] = "en"
    page = client.post(ADD, form(demo, 40)).content.decode()
    assert "below the 315 mL of a complete 350 mL collection" in page
    assert not Donation.objects.exists()


def test_the_admin_records_an_incomplete_collection_with_its_reason(demo, login):
    client = login("admin")
    response = client.post(ADD, form(demo, 40, incomplete_reason="donor_request"))
    assert response.status_code == 302
    saved = Donation.objects.get()
    assert (saved.outcome, saved.incomplete_reason, saved.volume_ml) == (
        "incomplete",
        "donor_request",
        40,
    )


def test_the_admin_refuses_an_overfilled_bag(demo, login):
    client = login("admin")
    client.cookies["django_language"] = "en"
    page = client.post(ADD, form(demo, 400)).content.decode()
    assert "more than a 350 mL bag can hold (at most 385 mL)" in page
    assert not Donation.objects.exists()


def test_the_admin_accepts_a_bag_filled_within_tolerance(demo, login):
    client = login("admin")
    assert client.post(ADD, form(demo, 380)).status_code == 302  # ≤ 385 for a 350 mL bag
    assert Donation.objects.get().outcome == "complete"
