"""The look-back hold on the pages (decision 0016): the stock page, the unit page and the
trace show "look-back hold"; the sample page lists the hold and lifts it, refused with a
translated message for the person who entered the confirmatory result; the API does the
same."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.drives.tests import conftest as drive_fixtures
from bloodline.inventory.models import LookbackHold
from bloodline.inventory.status import Status
from bloodline.lab import actions as lab
from bloodline.lab import imports
from bloodline.lab.models import Sample

pytestmark = pytest.mark.django_db
english = drive_fixtures.english


@pytest.fixture
def held(centre: Any) -> Any:
    """Red cells and plasma in stock from a donation 12 days ago, held after the donor's
    new sample read anti-HIV reactive twice; the confirmatory reads negative, typed by the
    lab technician and verified by the establishment admin."""
    red, _plasma = centre.stocked(at=timezone.now() - dt.timedelta(days=12))
    new = centre.donation(donor=red.donation.donor)
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="hiv.csv",
        content=factories.to_csv(
            {"din": new.din, "test": "hiv", "stage": s, "result": "reactive"}
            for s in ("screen", "repeat")
        ),
    )
    red.refresh_from_db()
    assert red.status == Status.HELD
    return red, new


def confirm_negative(centre: Any, new: Any) -> None:
    result = lab.record_result(
        by=centre.lab,
        sample=Sample.objects.get(donation=new),
        test="hiv",
        stage="confirmatory",
        reading="negative",
    )
    lab.verify_result(by=centre.second, result=result)


def test_the_stock_and_unit_pages_show_the_hold(centre: Any, held: Any, english: Any) -> None:
    red, _new = held
    clerk = english("inventory_clerk")
    stock = clerk.get(reverse("inventory:stock")).content.decode()
    assert "2 units on look-back hold" in stock
    assert "On look-back hold" in stock and "look-back hold</span>" in stock
    unit = clerk.get(reverse("inventory:component", args=[red.uuid])).content.decode()
    assert "look-back hold" in unit and "Placed on look-back hold" in unit


def test_the_trace_shows_the_hold(centre: Any, held: Any, english: Any) -> None:
    red, _new = held
    page = english("lab_technician").get(reverse("trace:unit", args=[red.donation.din]))
    assert "look-back hold" in page.content.decode()


def test_the_stock_page_speaks_the_readers_language(centre: Any, held: Any, login: Any) -> None:
    page = login("inventory_clerk").get(reverse("inventory:stock")).content.decode()
    assert "look-back hold" not in page  # the clerk reads Vietnamese


def test_the_person_who_entered_the_confirmatory_result_is_refused_on_the_page(
    centre: Any, held: Any, english: Any
) -> None:
    _red, new = held
    confirm_negative(centre, new)
    hold = LookbackHold.objects.get()
    url = reverse("lab:lift_hold", args=[new.din, hold.uuid])
    page = english("lab_technician").post(url, follow=True).content.decode()
    assert "The person who entered the confirmatory result cannot lift the hold." in page
    hold.refresh_from_db()
    assert hold.closed_at is None


def test_a_second_person_lifts_the_hold_from_the_sample_page(
    centre: Any, held: Any, english: Any
) -> None:
    red, new = held
    confirm_negative(centre, new)
    admin = english("establishment_admin")
    sample = admin.get(reverse("lab:sample", args=[new.din])).content.decode()
    assert "Look-back holds on this donor" in sample and "Lift the hold" in sample
    hold = LookbackHold.objects.get()
    page = admin.post(reverse("lab:lift_hold", args=[new.din, hold.uuid]), follow=True)
    assert "The look-back hold is lifted" in page.content.decode()
    red.refresh_from_db()
    assert red.status == Status.AVAILABLE


def test_the_api_lifts_the_hold_and_refuses_the_author(centre: Any, held: Any, login: Any) -> None:
    _red, new = held
    confirm_negative(centre, new)
    hold = LookbackHold.objects.get()
    url = f"/api/v1/lab/holds/{hold.uuid}/lift"
    refused = login("lab_technician").post(url)
    assert refused.status_code == 422
    answer = login("establishment_admin").post(url)
    assert answer.status_code == 200
    assert (answer.json()["outcome"], answer.json()["units"]) == ("lifted", 0)
