"""What pages get from the notifications app, through the access layer (decision 0025)."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from bloodline.accounts.models import User
from bloodline.notifications.models import Channel, Event, Template
from bloodline.organisations import access
from bloodline.organisations.kinds import ESTABLISHMENTS
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm


def get_establishment(user: User, public_id: uuid.UUID | str) -> Organisation:
    """A blood establishment whose message templates ``user`` manages (404/403 otherwise)."""
    establishment = access.get_organisation(user, public_id, Perm.MESSAGES_MANAGE)
    if not establishment.is_establishment:
        raise Http404
    return establishment


def establishments(user: User) -> QuerySet[Organisation]:
    """The blood establishments whose messages to donors ``user`` manages, by name."""
    return (
        access.organisations(user, Perm.MESSAGES_MANAGE)
        .filter(kind__in=ESTABLISHMENTS)
        .order_by("name")
    )


def templates_of(establishment: Organisation) -> QuerySet[Template]:
    """The establishment's own templates and the house ones, own first."""
    return Template.objects.filter(establishment__in=[establishment, None]).order_by(
        "event", "channel", "language", "-establishment_id"
    )


def template_for(establishment: Organisation, event: str, language: str, channel: str) -> Template:
    """The template that applies for the establishment: its own, else the house one."""
    from django.conf import settings

    if (
        event not in Event.values
        or channel not in Channel.values
        or language not in {code for code, _name in settings.LANGUAGES}
    ):
        raise Http404
    rows = Template.objects.filter(event=event, language=language, channel=channel)
    own = rows.filter(establishment=establishment).first()
    return own or rows.get(establishment__isnull=True)
