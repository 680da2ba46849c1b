"""Release through the sample page: refused with the gate's reasons while a test is open,
done once a passing analyser file is in."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bloodline.demo.factories import distribution as factories
from bloodline.drives.tests import conftest as drive_fixtures
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component
from bloodline.inventory.status import Status
from bloodline.lab import imports

pytestmark = pytest.mark.django_db
english = drive_fixtures.english  # a signed-in client reading the pages in English


@pytest.fixture
def processed(centre: Any) -> Any:
    donation = centre.donation()
    inventory.process_donation(
        by=centre.clerk,
        donation=donation,
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    return donation


def statuses(donation: Any) -> set[str]:
    return set(Component.objects.filter(donation=donation).values_list("status", flat=True))


def test_release_is_refused_while_a_test_is_pending_and_the_blockers_are_shown(
    centre: Any, processed: Any, english: Any
) -> None:
    rows = [r for r in factories.passing_rows(processed, "O", "pos") if r["test"] != "hiv"]
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="run.csv",
        content=factories.to_csv(rows),
    )
    lab = english("lab_technician")
    sample_page = lab.get(reverse("lab:sample", args=[processed.din])).content.decode()
    assert "Test HIV marker is not complete." in sample_page
    response = lab.post(reverse("lab:release", args=[processed.din]), follow=True)
    page = response.content.decode()
    assert "was not released: Test HIV marker is not complete." in page
    assert statuses(processed) == {Status.QUARANTINED}


def test_release_succeeds_after_a_passing_import(centre: Any, processed: Any, english: Any) -> None:
    lab = english("lab_technician")
    content = factories.to_csv(factories.passing_rows(processed, "A", "neg")).encode()
    lab.post(
        reverse("lab:import"),
        {"establishment": centre.centre.uuid, "file": SimpleUploadedFile("run.csv", content)},
    )
    page = lab.get(reverse("lab:sample", args=[processed.din])).content.decode()
    assert "Nothing: ready for release" in page
    response = lab.post(reverse("lab:release", args=[processed.din]), follow=True)
    assert "2 units released." in response.content.decode()
    assert statuses(processed) == {Status.RELEASED}
    groups = set(Component.objects.filter(donation=processed).values_list("abo", "rhd"))
    assert groups == {("A", "neg")}


def test_one_unit_is_released_with_the_version_seen(
    centre: Any, processed: Any, english: Any
) -> None:
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="run.csv",
        content=factories.to_csv(factories.passing_rows(processed, "O", "pos")),
    )
    red = Component.objects.get(donation=processed, component_kind="red_cells")
    url = reverse("lab:release", args=[processed.din])
    lab = english("lab_technician")
    stale = lab.post(url, {"component": red.uuid, "version": red.version + 1}, follow=True)
    assert "Someone else changed this record" in stale.content.decode()
    assert statuses(processed) == {Status.QUARANTINED}
    response = lab.post(url, {"component": red.uuid, "version": red.version}, follow=True)
    assert "1 unit released." in response.content.decode()
    red.refresh_from_db()
    assert red.status == Status.RELEASED
    assert Component.objects.get(donation=processed, component_kind="plasma").status == (
        Status.QUARANTINED
    )


def test_an_inventory_clerk_cannot_release(centre: Any, processed: Any, english: Any) -> None:
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="run.csv",
        content=factories.to_csv(factories.passing_rows(processed, "O", "pos")),
    )
    response = english("inventory_clerk").post(reverse("lab:release", args=[processed.din]))
    assert response.status_code == 403
    assert statuses(processed) == {Status.QUARANTINED}
