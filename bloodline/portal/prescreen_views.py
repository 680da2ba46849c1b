"""The donor's pre-screening page (issue 13 §3, decision 0058): the station's questionnaire
for one of their bookings, in their language, and the engine's answer before they travel."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.screening import prescreen
from bloodline.screening.forms import AnswersForm
from bloodline.screening.models import PreScreen


@login_required
def questionnaire(request: AuthenticatedRequest, registration_id: uuid.UUID) -> HttpResponse:
    booking = prescreen.own_booking(request.user, registration_id)
    drive = booking.drive
    rules = prescreen.rules_for(booking)
    found = PreScreen.objects.filter(registration=booking).first()
    form = AnswersForm(
        request.POST or None,
        questions=prescreen.questions(booking),
        rules=rules,
        initial=prescreen.as_choices(found),
    )
    if request.method == "POST" and form.is_valid():
        try:
            prescreen.answer(by=request.user, registration=booking, answers=form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            # Said on the page, not as a flash message: the house's message list is not
            # yet an accessible live region (its <ul> carries role="status").
            return redirect(f"{request.path}?saved=1")
    context: dict[str, Any] = {
        "booking": booking,
        "drive": drive,
        "zone": drive.time_zone().key,
        "form": form,
        "found": found,
        "saved": found is not None and request.GET.get("saved") == "1",
        "verdict": prescreen.self_check(found) if found is not None else None,
        "valid_hours": prescreen.valid_hours(),
    }
    return render(request, "portal/prescreen_form.html", context)
