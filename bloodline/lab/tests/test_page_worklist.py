"""The worklist: what waits for the laboratory, and the scan box that opens a sample."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from bloodline.drives.tests import conftest as drive_fixtures
from bloodline.lab import actions
from bloodline.lab.models import Sample
from bloodline.lib import isbt128
from bloodline.lib.querycount import assert_flat, counted

pytestmark = pytest.mark.django_db
english = drive_fixtures.english  # a signed-in client reading the pages in English
WORKLIST = reverse("lab:worklist")


def test_it_lists_a_new_donation_for_receiving(centre: Any, english: Any) -> None:
    donation = centre.donation()
    page = english("lab_technician").get(WORKLIST).content.decode()
    assert donation.din in page and "Receive" in page


def test_a_scanned_din_receives_the_sample_and_opens_it(centre: Any, english: Any) -> None:
    donation = centre.donation()
    scanned = isbt128.Din(donation.din).barcode_data(isbt128.type3_flag(donation.din))
    response = english("lab_technician").post(WORKLIST, {"din": scanned})
    assert response.status_code == 302
    assert response["Location"] == reverse("lab:sample", args=[donation.din])
    sample = Sample.objects.get(donation=donation)
    assert sample.received_by == centre.lab
    assert sample.required_tests.filter(code="hiv", required=True).exists()


def test_a_typed_din_with_its_check_character_opens_a_received_sample(
    centre: Any, english: Any
) -> None:
    donation = centre.donation()
    actions.receive_sample(by=centre.second, donation=donation)
    typed = donation.din + isbt128.check_character(donation.din)
    response = english("lab_technician").post(WORKLIST, {"din": typed})
    assert response["Location"] == reverse("lab:sample", args=[donation.din])
    assert Sample.objects.get(donation=donation).received_by == centre.second


def test_it_refuses_an_unknown_din_with_a_clear_message(centre: Any, english: Any) -> None:
    unknown = "G999926999999"
    response = english("lab_technician").post(WORKLIST, {"din": unknown})
    assert response.status_code == 200
    assert "No donation with this DIN" in response.content.decode()
    assert not Sample.objects.exists()


def test_it_refuses_a_mistyped_check_character(centre: Any, english: Any) -> None:
    donation = centre.donation()
    check = isbt128.check_character(donation.din)
    wrong = next(c for c in "0123456789" if c != check)
    response = english("lab_technician").post(WORKLIST, {"din": donation.din + wrong})
    assert "The check character does not match" in response.content.decode()
    assert not Sample.objects.exists()


def test_a_donation_of_another_country_is_unknown_to_the_scan_box(
    centre: Any, english: Any
) -> None:
    donation = centre.donation()
    response = english("cn_establishment_admin").post(WORKLIST, {"din": donation.din})
    assert "No donation with this DIN" in response.content.decode()
    assert not Sample.objects.exists()


def test_it_sorts_samples_into_pending_ready_and_failed(centre: Any, english: Any) -> None:
    pending = actions.receive_sample(by=centre.lab, donation=centre.donation())
    red, _plasma = centre.stocked()
    unsafe = actions.receive_sample(by=centre.lab, donation=centre.donation())
    screen = actions.record_result(
        by=centre.lab, sample=unsafe, test="hiv", stage="screen", reading="reactive"
    )
    actions.verify_result(by=centre.second, result=screen)
    page = english("lab_technician").get(WORKLIST).content.decode()
    progress = page.split('id="progress-heading"')[1].split('id="ready-heading"')[0]
    failed = page.split('id="failed-heading"')[1]
    assert pending.donation.din in progress
    assert unsafe.donation.din in failed and "failed a mandatory test" in failed
    # Released and stocked: no lab work left, so not on the list at all.
    assert red.donation.din not in page


def test_the_worklist_query_count_does_not_grow_with_rows(centre: Any, english: Any) -> None:
    lab = english("lab_technician")

    def add_work(n: int) -> None:
        for _ in range(n):
            sample = actions.receive_sample(by=centre.lab, donation=centre.donation())
            actions.record_result(
                by=centre.lab, sample=sample, test="hiv", stage="screen", reading="non_reactive"
            )
            centre.donation()

    add_work(1)
    lab.get(WORKLIST)  # warm the session
    with counted() as few:
        assert lab.get(WORKLIST).status_code == 200
    add_work(9)
    with counted() as many:
        page = lab.get(WORKLIST)
    assert_flat(few, many, sizes=(1, 10))
    assert len(few) <= 10
    assert page.content.decode().count("/lab/G") >= 10


def test_a_donation_not_yet_received_offers_to_receive_its_sample(
    centre: Any, english: Any
) -> None:
    donation = centre.donation()
    page = english("lab_technician").get(reverse("lab:sample", args=[donation.din]))
    assert page.status_code == 200
    assert "Sample not received" in page.content.decode()
    assert not Sample.objects.exists()  # opening the page changes nothing
