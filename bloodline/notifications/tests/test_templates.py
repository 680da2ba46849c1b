"""Templates: the house set is complete and valid; an establishment's own wording with a
wrong or missing placeholder in one language is refused at save, in the reader's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from bloodline.audit.models import AuditEvent
from bloodline.lib.locking import StaleEdit
from bloodline.notifications.actions import save_template
from bloodline.notifications.models import Channel, Event, Template
from bloodline.notifications.outbox import enqueue
from bloodline.notifications.rendering import check_template

pytestmark = pytest.mark.django_db


def test_every_event_has_a_house_template_in_every_language_on_every_channel() -> None:
    house = Template.objects.filter(establishment__isnull=True)
    have = set(house.values_list("event", "language", "channel"))
    want = {
        (e, code, c)
        for e in Event.values
        for code, _name in settings.LANGUAGES
        for c in Channel.values
    }
    assert have == want
    for template in house:
        check_template(template.event, template.subject, template.body)


@pytest.fixture
def centre(demo: Any) -> Any:
    from bloodline.organisations.models import Organisation

    return Organisation.objects.filter(time_zone="Asia/Ho_Chi_Minh", jurisdiction__gt="").first()


def test_an_establishments_wording_replaces_the_house_one(
    centre: Any, system: Any, consenting: Any
) -> None:
    save_template(
        establishment=centre,
        event="eligible_again",
        language="vi",
        channel="sms",
        subject="",
        body="{{ donor_name }} ơi, từ {{ date }} bạn lại hiến máu được rồi!",
        version=None,
        by=system,
    )
    donor = consenting(preferred_language="vi")
    outcome = enqueue(
        "eligible_again",
        to_donor=donor,
        context={"donor_name": "Mẫu", "date": "01/03/2027", "link": ""},
        key="e:1",
        establishment=centre,
        by=system,
    )
    assert outcome.message is not None
    assert outcome.message.body == "Mẫu ơi, từ 01/03/2027 bạn lại hiến máu được rồi!"
    assert AuditEvent.objects.filter(action="message_template.saved").count() == 1


def test_a_missing_placeholder_in_one_language_is_refused_in_the_readers_language(
    centre: Any, system: Any
) -> None:
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        save_template(
            establishment=centre,
            event="sign_in_code",
            language="fr",
            channel="sms",
            subject="",
            body="Votre code de connexion arrive.",
            version=None,
            by=system,
        )
    with translation.override("vi"):
        assert refused.value.message_dict == {"body": ["Tin nhắn này phải có code."]}
    assert not Template.objects.filter(establishment=centre).exists()


def test_an_unknown_placeholder_is_refused(centre: Any, system: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        save_template(
            establishment=centre,
            event="thank_you",
            language="en",
            channel="email",
            subject="Thanks {{ donor_nmae }}",
            body="Thank you.",
            version=None,
            by=system,
        )
    [message] = refused.value.message_dict["subject"]
    assert message.startswith("Unknown placeholder donor_nmae. This message can use: date,")


def test_a_broken_template_is_refused(centre: Any, system: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        save_template(
            establishment=centre,
            event="thank_you",
            language="es",
            channel="sms",
            subject="",
            body="Gracias {% if %}",
            version=None,
            by=system,
        )
    assert "body" in refused.value.message_dict


def test_a_stale_edit_is_refused(centre: Any, system: Any) -> None:
    values = {
        "establishment": centre,
        "event": "thank_you",
        "language": "en",
        "channel": "sms",
        "subject": "",
        "by": system,
    }
    first = save_template(body="Thanks, {{ donor_name }}.", version=None, **values)
    save_template(body="Thank you, {{ donor_name }}.", version=first.version, **values)
    with pytest.raises(StaleEdit):
        save_template(body="Cheers.", version=first.version, **values)
