"""The configuration site's donation form goes through the same checks as the stations: a
DIN typed with its check character and issued here, a drive that is not reconciled, a
collection time within the drive's days and the drive's own establishment (issue 10,
"Why" 3 and 5; decisions 0021, 0022)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.collection.models import Donation, Facility
from bloodline.donors.models import Donor
from bloodline.drives import actions
from bloodline.drives.models import LabelSet
from bloodline.lib.isbt128 import check_character

PRINTED = "A999926000010"


@pytest.fixture
def site(demo: Any, running_drive: Any) -> dict[str, Any]:
    Facility.objects.create(establishment=demo.nodes["vn_centre"], fin="A9999")
    drive = running_drive()
    admin = User.objects.get(username="admin")
    LabelSet.objects.create(
        drive=drive,
        fin="A9999",
        year=26,
        first=1,
        last=20,
        printed_by=admin,
        printed_at=timezone.now(),
    )
    client = Client()
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    return {"drive": drive, "client": client, "demo": demo, "admin": admin}


def post(site: dict[str, Any], **overrides: Any) -> Any:
    demo, drive = site["demo"], site["drive"]
    now = timezone.localtime(timezone.now() - dt.timedelta(minutes=5))
    donor = Donor.objects.create(full_name="Nhập sau", affiliation=demo.nodes["vn_garment"])
    data = {
        "din": PRINTED + check_character(PRINTED),
        "donor": donor.pk,
        "establishment": demo.nodes["vn_centre"].pk,
        "drive": drive.pk,
        "collected_at_0": now.date().isoformat(),
        "collected_at_1": now.strftime("%H:%M:%S"),
        "donation_type": "whole_blood",
        "volume_ml": 350,
        "bag_volume_ml": 350,
        "credited_to": demo.nodes["vn_garment"].pk,
        **overrides,
    }
    return site["client"].post("/admin/collection/donation/add/", data)


def errors(response: Any) -> str:
    assert response.status_code == 200, "the form was accepted"
    return response.content.decode()


def test_a_donation_that_fits_is_recorded(site):
    response = post(site)
    assert response.status_code == 302
    assert Donation.objects.get().din == PRINTED


def test_a_reconciled_drive_takes_no_donation_from_the_admin(site):
    admin, drive = site["admin"], site["drive"]
    LabelSet.objects.all().delete()  # no labels left to account for at this drive
    actions.change_status(by=admin, drive=drive, status="closed")
    actions.change_status(by=admin, drive=drive, status="reconciled")
    page = errors(post(site))
    assert "This drive is reconciled and its records are locked; reopen it first." in page
    assert not Donation.objects.exists()


def test_a_collection_time_outside_the_drives_days_is_refused(site):
    page = errors(post(site, collected_at_0="2020-01-01"))
    assert "The collection time is outside the drive" in page
    assert not Donation.objects.exists()


def test_another_countrys_blood_centre_is_refused(site):
    page = errors(post(site, establishment=site["demo"].nodes["cn_centre"].pk))
    assert "collected by the drive&#x27;s own establishment" in page
    assert not Donation.objects.exists()


def test_a_bare_typed_din_is_refused(site):
    page = errors(post(site, din=PRINTED))
    assert "Type the DIN with its check character" in page
    assert not Donation.objects.exists()


def test_a_din_never_issued_is_refused(site):
    far = "A999926000900"
    page = errors(post(site, din=far + check_character(far)))
    assert "not issued by this establishment" in page
    assert not Donation.objects.exists()
