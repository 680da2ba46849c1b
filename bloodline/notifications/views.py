"""Establishment administrators' pages for their message templates, with a preview."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.notifications import access, actions
from bloodline.notifications.forms import TemplateForm
from bloodline.notifications.models import SWITCHABLE, Channel, Event, SwitchedOff
from bloodline.notifications.rendering import render as render_text


@login_required
def template_list(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    establishment = access.get_establishment(request.user, public_id)
    own = {
        (t.event, t.channel, t.language)
        for t in access.templates_of(establishment).filter(establishment=establishment)
    }
    languages = list(settings.LANGUAGES)
    rows = [
        {
            "event": event,
            "channel": channel,
            "cells": [(code, (event.value, channel.value, code) in own) for code, _n in languages],
        }
        for event in Event
        for channel in Channel
    ]
    off = set(
        SwitchedOff.objects.filter(establishment=establishment).values_list("event", flat=True)
    )
    return render(
        request,
        "notifications/template_list.html",
        {
            "establishment": establishment,
            "rows": rows,
            "languages": languages,
            "switches": [(event, event.value not in off) for event in SWITCHABLE],
        },
    )


@login_required
@require_POST
def switch_messages(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    """Which of the messages that can be switched off this establishment sends: the ticked
    ones are sent, the others are not."""
    establishment = access.get_establishment(request.user, public_id)
    sent = set(request.POST.getlist("send"))
    switchable = {event.value for event in SWITCHABLE}
    try:
        if not sent <= switchable:  # a forged value: refused as a whole
            raise ValidationError(_("These messages cannot be switched off."))
        actions.set_switched_off(
            establishment=establishment, events=switchable - sent, by=request.user
        )
    except ValidationError as exc:  # a forged value: say so, change nothing
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your changes were saved."))
    return redirect(reverse("notifications:templates", args=[establishment.uuid]))


@login_required
def template_edit(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    establishment = access.get_establishment(request.user, public_id)
    event, language, channel = (request.GET.get(k, "") for k in ("event", "language", "channel"))
    template = access.template_for(establishment, event, language, channel)
    is_own = template.establishment_id == establishment.pk
    initial: dict[str, object] = {"subject": template.subject, "body": template.body}
    initial["version"] = template.version if is_own else None
    form = TemplateForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "preview" in request.POST:
                preview = _preview(event, language, data["subject"], data["body"])
            else:
                actions.save_template(
                    establishment=establishment,
                    event=event,
                    language=language,
                    channel=channel,
                    subject=data["subject"],
                    body=data["body"],
                    version=data["version"],
                    by=request.user,
                )
                messages.success(request, _("Your changes were saved."))
                url = reverse("notifications:templates", args=[establishment.uuid])
                return redirect(url)
        except ValidationError as exc:
            form.apply_errors(exc)
    elif request.method == "GET":
        preview = _preview(event, language, template.subject, template.body)
    return render(
        request,
        "notifications/template_edit.html",
        {
            "establishment": establishment,
            "template": template,
            "is_own": is_own,
            "event": Event(event),
            "channel": Channel(channel),
            "language_name": dict(settings.LANGUAGES)[language],
            "form": form,
            "preview": preview,
        },
    )


def _preview(event: str, language: str, subject: str, body: str) -> dict[str, str]:
    """The text as a donor would read it, with sample values; refused like a save."""
    from bloodline.notifications.rendering import check_template

    check_template(event, subject, body)
    sample = _sample(language)
    return {
        "subject": render_text(subject, sample, language),
        "body": render_text(body, sample, language),
    }


def _sample(language: str) -> dict[str, Any]:
    with translation.override(language):
        day = timezone.localdate() + dt.timedelta(days=3)
        return {
            "donor_name": _("Sample Donor"),
            "drive_name": _("Red Sunday"),
            "place": _("Community hall"),
            "date": formats.date_format(day, "SHORT_DATE_FORMAT"),
            "time": "08:00",
            "hold_until": "20:00",
            "link": "https://bloodline.example/me/",
            "code": "123456",
            "minutes": 10,
        }
