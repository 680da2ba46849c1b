"""Establishment administrators list and edit their message templates, with a preview."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from bloodline.notifications.models import Channel, Event, Template

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(demo: Any, client: Any) -> Any:
    from bloodline.accounts.models import User

    client.force_login(User.objects.get(username="establishment_admin"))
    return client


@pytest.fixture
def centre(admin_client: Any) -> Any:
    from bloodline.organisations.models import Membership

    membership = Membership.objects.filter(user__username="establishment_admin").first()
    assert membership is not None
    return membership.organisation


def edit_url(centre: Any, event: str = "thank_you", language: str = "vi") -> str:
    base = reverse("notifications:edit_template", args=[centre.uuid])
    return f"{base}?event={event}&language={language}&channel=sms"


def test_the_list_shows_house_text_for_every_event(admin_client: Any, centre: Any) -> None:
    page = admin_client.get(reverse("notifications:templates", args=[centre.uuid]))
    assert page.status_code == 200
    assert page.content.decode().count("?event=") == len(Event) * len(Channel) * 6


def test_the_edit_page_previews_the_house_text_with_sample_values(
    admin_client: Any, centre: Any
) -> None:
    page = admin_client.get(edit_url(centre, "sign_in_code", "fr"))
    assert page.status_code == 200
    assert "Votre code de connexion est 123456." in page.content.decode()


def test_a_preview_does_not_save(admin_client: Any, centre: Any) -> None:
    page = admin_client.post(
        edit_url(centre), {"subject": "", "body": "Cảm ơn {{ donor_name }}!", "preview": "1"}
    )
    assert page.status_code == 200
    assert not Template.objects.filter(establishment=centre).exists()


def test_saving_makes_the_words_the_establishments_own(admin_client: Any, centre: Any) -> None:
    answer = admin_client.post(
        edit_url(centre), {"subject": "", "body": "Cảm ơn {{ donor_name }}!"}
    )
    assert answer.status_code == 302
    own = Template.objects.get(establishment=centre)
    assert (own.event, own.language, own.channel, own.body) == (
        "thank_you",
        "vi",
        "sms",
        "Cảm ơn {{ donor_name }}!",
    )


def test_an_unknown_placeholder_is_shown_on_the_form(admin_client: Any, centre: Any) -> None:
    page = admin_client.post(
        edit_url(centre, "sign_in_code"), {"subject": "", "body": "Mã: {{ pin }}"}
    )
    assert page.status_code == 200
    # The administrator reads Vietnamese.
    assert "Biến không xác định: pin." in page.content.decode()
    assert not Template.objects.filter(establishment=centre).exists()


def test_an_unknown_event_is_not_found(admin_client: Any, centre: Any) -> None:
    assert admin_client.get(edit_url(centre, "birthday")).status_code == 404
