"""Writes to message templates: an establishment's own wording, checked and audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.audit import record as audit
from bloodline.audit.record import diff
from bloodline.lib.locking import bump, check_version
from bloodline.notifications.models import SWITCHABLE, SwitchedOff, Template
from bloodline.notifications.rendering import check_template

if TYPE_CHECKING:
    from bloodline.audit.record import Actor
    from bloodline.organisations.models import Organisation


@transaction.atomic
def save_template(
    *,
    establishment: Organisation,
    event: str,
    language: str,
    channel: str,
    subject: str,
    body: str,
    version: int | None,
    by: Actor,
) -> Template:
    """Set the establishment's own template for one event, language and channel. Refused
    with a translated ValidationError when a placeholder is unknown or missing, and with
    StaleEdit when someone saved it since ``version`` was read. The caller checked that
    ``by`` administers ``establishment`` (``bloodline.notifications.access``)."""
    check_template(event, subject, body)
    template = (
        Template.objects.select_for_update()
        .filter(establishment=establishment, event=event, language=language, channel=channel)
        .first()
    )
    if template is None:
        template = Template(
            establishment=establishment, event=event, language=language, channel=channel
        )
        old = {"subject": None, "body": None}
    else:
        check_version(template, version)
        old = audit.snapshot(template, ["subject", "body"])
        bump(template)
    template.subject, template.body = subject, body
    template.updated_by, template.updated_at = by, timezone.now()  # type: ignore[assignment]
    template.full_clean(exclude=["updated_by"])
    template.save()
    audit.record(
        by=by,
        action="message_template.saved",
        obj=template,
        changes=diff(old, audit.snapshot(template, ["subject", "body"])),
    )
    return template


@transaction.atomic
def set_switched_off(*, establishment: Organisation, events: Iterable[str], by: Actor) -> set[str]:
    """Make ``events`` the establishment's switched-off messages (the others of
    ``SWITCHABLE`` are sent again); audited when something changed. Returns the events now
    off. The caller checked that ``by`` administers ``establishment``."""
    wanted = set(events)
    unknown = wanted - {e.value for e in SWITCHABLE}
    if unknown:
        raise ValidationError(
            {"events": [_("These messages cannot be switched off.")]}, code="not_switchable"
        )
    rows = SwitchedOff.objects.select_for_update().filter(establishment=establishment)
    before = set(rows.values_list("event", flat=True))
    if wanted == before:
        return before
    rows.exclude(event__in=wanted).delete()
    SwitchedOff.objects.bulk_create(
        SwitchedOff(establishment=establishment, event=event, switched_by=by)  # type: ignore[misc]
        for event in sorted(wanted - before)
    )
    audit.record(
        by=by,
        action="messages.switched_off",
        obj=establishment,
        changes={"switched_off": [sorted(before), sorted(wanted)]},
    )
    return wanted
