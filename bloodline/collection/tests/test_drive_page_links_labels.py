"""The drive page links each donation's DIN label set (PDF and ZPL) for the people who may
print it — those who record donations at the establishment — and for nobody else."""

from __future__ import annotations

import re

from django.urls import reverse

from bloodline.demo.factories import collection as factories
from bloodline.drives.models import DriveStatus
from bloodline.drives.tests.conftest import collect, english, make_drive, users  # noqa: F401


def _label_links(page: str) -> list[str]:
    return re.findall(r'href="(/labels/[^"]+)"', page)


def test_the_drive_nurse_finds_and_opens_the_labels_of_a_drives_donation(
    demo,
    make_drive,  # noqa: F811
    collect,  # noqa: F811
    english,  # noqa: F811
):
    drive = make_drive(DriveStatus.RUNNING)
    donor = factories.donors(1, demo.nodes["vn_garment"], prefix="Label donor")[0]
    donation = collect(drive, donor)
    client = english("drive_nurse")
    page = client.get(reverse("drives:detail", args=[drive.uuid]))
    links = _label_links(page.content.decode())
    assert links == [
        reverse("labels:pdf", args=[donation.din]),
        reverse("labels:zpl", args=[donation.din]),
    ]
    pdf, zpl = (client.get(link) for link in links)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert zpl.status_code == 200 and zpl.content.decode().startswith("^XA")


def test_people_who_do_not_record_donations_see_no_label_links(
    demo,
    make_drive,  # noqa: F811
    collect,  # noqa: F811
    english,  # noqa: F811
):
    drive = make_drive(DriveStatus.RUNNING)
    donor = factories.donors(1, demo.nodes["vn_garment"], prefix="Label donor")[0]
    donation = collect(drive, donor)
    client = english("unit_organiser")
    page = client.get(reverse("drives:detail", args=[drive.uuid]))
    assert page.status_code == 200
    assert _label_links(page.content.decode()) == []
    refused = client.get(reverse("labels:zpl", args=[donation.din]))
    assert refused.status_code in (403, 404)
