"""The staff side of the donor portal: one page, reached from the menu, with donors' erasure
requests for those who manage donors, and per establishment its messages to donors and
whether its donors see their test results (issue 13 §4: "results the establishment chooses
to release")."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from bloodline.audit.models import AuditEvent
from bloodline.organisations.models import Membership
from bloodline.portal.account_models import ResultRelease

pytestmark = pytest.mark.django_db

STAFF = "/donor/staff/"


def _centre_of(username: str) -> Any:
    membership = Membership.objects.filter(user__username=username).first()
    assert membership is not None and membership.organisation.is_establishment
    return membership.organisation


def test_an_establishment_admin_switches_results_on_and_off(demo: Any, login: Any) -> None:
    admin = login("establishment_admin")
    centre = _centre_of("establishment_admin")
    page = admin.get(STAFF)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="staff-establishment"') >= 1
    assert reverse("notifications:templates", args=[centre.uuid]) in html
    assert f'href="{STAFF}"' in html  # the menu leads here
    url = reverse("portal:result_release", args=[centre.uuid])

    assert admin.post(url, {"to_donors": "on"}).status_code == 302
    assert ResultRelease.objects.get(establishment=centre).to_donors is True
    assert f'id="release-{centre.uuid}" checked' in admin.get(STAFF).content.decode()
    admin.post(url, {"to_donors": "on"})  # the same again: nothing changes, nothing recorded
    assert AuditEvent.objects.filter(action="portal.result_release_set").count() == 1

    assert admin.post(url, {}).status_code == 302  # unticked: off again
    assert ResultRelease.objects.get(establishment=centre).to_donors is False
    changes = [
        e.changes["to_donors"]
        for e in AuditEvent.objects.filter(action="portal.result_release_set").order_by("pk")
    ]
    assert changes == [[False, True], [True, False]]


def test_a_nurse_sees_erasure_requests_but_cannot_release_results(demo: Any, login: Any) -> None:
    nurse = login("drive_nurse")
    page = nurse.get(STAFF)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="staff-erasures"' in html
    assert 'data-testid="staff-establishment"' not in html
    centre = _centre_of("establishment_admin")
    refused = nurse.post(reverse("portal:result_release", args=[centre.uuid]), {"to_donors": "on"})
    assert refused.status_code in {403, 404}
    assert not ResultRelease.objects.filter(establishment=centre).exists()
    assert not AuditEvent.objects.filter(action="portal.result_release_set").exists()


def test_people_without_a_donor_task_get_no_page_and_no_menu_entry(demo: Any, login: Any) -> None:
    lab = login("lab_technician")
    assert lab.get(STAFF).status_code == 403
    assert f'href="{STAFF}"' not in lab.get("/").content.decode()


def test_a_non_establishment_is_refused(demo: Any, login: Any) -> None:
    from bloodline.organisations.kinds import ESTABLISHMENTS
    from bloodline.organisations.models import Organisation

    admin = login("establishment_admin")
    target = Organisation.objects.exclude(kind__in=ESTABLISHMENTS).first()
    assert target is not None
    answer = admin.post(reverse("portal:result_release", args=[target.uuid]), {"to_donors": "on"})
    assert answer.status_code in {403, 404}
    assert not ResultRelease.objects.exists()


def test_the_menu_entry_is_shown_exactly_to_the_people_the_page_opens_for(
    demo: Any, login: Any
) -> None:
    from bloodline.demo.seed import PERSONAS

    opened = set()
    for persona in PERSONAS:
        client = login(persona.username)
        status = client.get(STAFF).status_code
        assert status in {200, 403}, persona.username
        in_menu = f'href="{STAFF}"' in client.get("/").content.decode()
        assert in_menu == (status == 200), persona.username
        if status == 200:
            opened.add(persona.username)
    assert {"establishment_admin", "drive_nurse"} <= opened
    assert "lab_technician" not in opened
