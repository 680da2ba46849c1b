"""The donation-day station pages: check-in, questionnaire, vital signs, physician, collection
and post-donation care. Each shows one page of a live queue (HTMX, every 5 s) and one form for
the selected donor; the scan fields have focus, so a keyboard-wedge scanner works without a
mouse. Check-in opens on its scan/search field (decision 0043).

Views stay thin: drive and presentation through the access helpers, a form, an action. A
step posted by HTMX is answered with the station's next main area (message, queue, fresh
form); a plain post is redirected back to the station (no JavaScript needed).
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_htmx.http import replace_url

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.collection.actions import Shortfall
from bloodline.donors import card as donor_card
from bloodline.donors import reads
from bloodline.donors.reads import ReadPlace
from bloodline.drives.models import Drive
from bloodline.jurisdictions.loader import registry
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm
from bloodline.screening import access as screening_access
from bloodline.screening import actions, donor_history, forms, lookup, prescreen, queues
from bloodline.screening.assessment import (
    engine_deferred,
    may_override,
    offered_volumes,
    questions_for,
)
from bloodline.screening.checkin import host_credit
from bloodline.screening.models import Presentation, Step
from bloodline.screening.stations import local_date


@dataclass(frozen=True)
class Station:
    slug: str
    title: Promise
    step: str  # the step of the donors waiting here ("" for check-in)
    perm: str = Perm.STATION_RUN


STATIONS = {
    s.slug: s
    for s in [
        Station("checkin", gettext_lazy("Check-in"), ""),
        Station("questionnaire", gettext_lazy("Health questionnaire"), Step.QUESTIONNAIRE),
        Station("vitals", gettext_lazy("Vital signs and haemoglobin"), Step.VITALS),
        Station("physician", gettext_lazy("Physician"), Step.PHYSICIAN, Perm.SCREENING_DECIDE),
        Station("collection", gettext_lazy("Phlebotomy"), Step.COLLECTION),
        Station("post", gettext_lazy("Post-donation care"), Step.POST_CARE),
    ]
}


def _drive(request: AuthenticatedRequest, public_id: uuid.UUID, station: Station) -> Drive:
    return screening_access.get_drive(request.user, public_id, perm=station.perm)


def may_run(user: Any, drive: Drive, station: Station) -> bool:
    return screening_access.may_run(user, drive, station.perm)


def _station(slug: str) -> Station:
    if slug not in STATIONS:
        raise Http404
    return STATIONS[slug]


def _queue(drive: Drive, station: Station) -> QuerySet[Any]:
    if not station.step:
        return queues.not_checked_in(drive)
    return queues.at_step(drive, station.step)


def _selected(drive: Drive, station: Station, public_id: str) -> Presentation | None:
    if not public_id or not station.step:
        return None
    return screening_access.get_presentation(drive, public_id)


def _credits(drive: Drive) -> list[tuple[str, str]]:
    hosts: QuerySet[Organisation] = drive.hosts.order_by("path")
    return [(str(h.uuid), h.display_name()) for h in hosts]


def _reaction(data: dict[str, Any]) -> actions.Reaction | None:
    if not data.get("reaction_kind") and not data.get("reaction_severity"):
        return None
    return actions.Reaction(
        data.get("reaction_kind", ""),
        data.get("reaction_severity", ""),
        data.get("reaction_care", ""),
    )


# --- one handler per station: (form, done) where done is a success message or "" -------------


def _check_in(
    request: AuthenticatedRequest, drive: Drive, _p: None
) -> tuple[Any, Callable[[], str] | None]:
    credits = _credits(drive)
    form = forms.CheckInForm(request.POST or None, credits=credits)
    if request.method != "POST" or not form.is_valid():
        return form, None

    def run() -> str:
        data = form.cleaned_data
        credit = host_credit(drive, data["mobilised_by"])
        result = actions.check_in(
            by=request.user,
            drive=drive,
            scan=data["scan"],
            full_name=data["full_name"],
            date_of_birth=data["date_of_birth"],
            sex=data["sex"],
            phone=data["phone"],
            mobilised_by=credit,
        )
        if result.warning:
            messages.warning(request, result.warning)
        return _("%(name)s is checked in.") % {"name": result.presentation.donor.full_name}

    return form, run


def _questionnaire(
    request: AuthenticatedRequest, drive: Drive, presentation: Presentation
) -> tuple[Any, Callable[[], str] | None]:
    rules = registry.get(drive.establishment.jurisdiction, local_date(drive))
    home = prescreen.valid_for_station(presentation.registration, presentation.arrived_at)
    form = forms.AnswersForm(
        request.POST or None,
        questions=questions_for(presentation),
        rules=rules,
        home=prescreen.as_choices(home),
        answered_at=home.answered_at if home else None,
    )
    if request.method != "POST" or not form.is_valid():
        return form, None

    def run() -> str:
        actions.record_answers(
            by=request.user,
            presentation=presentation,
            answers=form.answers(),
            confirmed_from=home,
        )
        return _("The answers of %(name)s are saved.") % {"name": presentation.donor.full_name}

    return form, run


def _vitals(
    request: AuthenticatedRequest, drive: Drive, presentation: Presentation
) -> tuple[Any, Callable[[], str] | None]:
    form = forms.VitalsForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return form, None

    def run() -> str:
        actions.record_vitals(by=request.user, presentation=presentation, **form.cleaned_data)
        return _("The vital signs of %(name)s are saved.") % {"name": presentation.donor.full_name}

    return form, run


def _physician(
    request: AuthenticatedRequest, drive: Drive, presentation: Presentation
) -> tuple[Any, Callable[[], str] | None]:
    form = forms.DecisionForm(
        request.POST or None,
        volumes=offered_volumes(presentation),
        engine_deferred=engine_deferred(presentation),
        overridable=may_override(presentation),
        initial=forms.engine_deferral(presentation.engine_outcome, presentation.engine_reasons),
    )
    if request.method != "POST" or not form.is_valid():
        return form, None

    def run() -> str:
        data = form.cleaned_data
        actions.physician_decide(
            by=request.user,
            presentation=presentation,
            decision=data["decision"],
            volume_ml=data["volume_ml"],
            reason=data["decision_reason"],
            until=data["until"],
            permanent=data["permanent"],
        )
        return _("The decision for %(name)s is saved.") % {"name": presentation.donor.full_name}

    return form, run


def _collection(
    request: AuthenticatedRequest, drive: Drive, presentation: Presentation
) -> tuple[Any, Callable[[], str] | None]:
    zone = drive.time_zone()
    now = timezone.localtime(timezone.now(), zone)
    initial = {
        "volume_ml": presentation.volume_ml,
        "started_at": (now - dt.timedelta(minutes=10)).time(),
        "ended_at": now.time(),
        "bag_type": "triple",
    }
    form = forms.CollectionForm(request.POST or None, initial=initial)
    if request.method != "POST" or not form.is_valid():
        return form, None

    def run() -> str:
        started, ended = form.moments(now.date(), zone)
        data = form.cleaned_data
        donation = actions.collect(
            by=request.user,
            presentation=presentation,
            din=data["din"],
            bag_type=data["bag_type"],
            volume_ml=data["volume_ml"],
            started_at=started,
            ended_at=ended,
            problems=data["problems"],
            reaction=_reaction(data),
            shortfall=Shortfall(data["incomplete_reason"], data["incomplete_note"]),
        )
        if not donation.is_complete:
            return _("Collection %(din)s is recorded as incomplete; it is not a donation.") % {
                "din": donation.din
            }
        return _("Donation %(din)s is recorded.") % {"din": donation.din}

    return form, run


def _post(
    request: AuthenticatedRequest, drive: Drive, presentation: Presentation
) -> tuple[Any, Callable[[], str] | None]:
    form = forms.PostCareForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return form, None

    def run() -> str:
        actions.post_care(
            by=request.user, presentation=presentation, reaction=_reaction(form.cleaned_data)
        )
        return _("%(name)s may leave. Thank you!") % {"name": presentation.donor.full_name}

    return form, run


HANDLERS: dict[str, Any] = {
    "checkin": _check_in,
    "questionnaire": _questionnaire,
    "vitals": _vitals,
    "physician": _physician,
    "collection": _collection,
    "post": _post,
}


QUEUE_PAGE = 20  # queue rows per page: a festival's 600 donors are 30 pages, not one


def _queue_page(request: AuthenticatedRequest, drive: Drive, station: Station) -> Page[Any]:
    """One page of the station's queue: two queries (count, rows) whatever its length."""
    return Paginator(_queue(drive, station), QUEUE_PAGE).get_page(request.GET.get("page"))


def _arrival(request: AuthenticatedRequest, drive: Drive, station: Station) -> Any:
    """At check-in, the person chosen from the queue (``?r=`` a registration) or from a
    search (``?d=`` a donor of the registry), shown with one check-in form."""
    if station.step or request.method != "GET":
        return None
    found = lookup.arrival(
        drive, registration=request.GET.get("r", ""), donor=request.GET.get("d", "")
    )
    if found is not None:
        reads.log_read(by=request.user, donor=found.donor, where=ReadPlace.STATION)
    return found


def _history(presentation: Presentation | None) -> dict[str, Any]:
    """The donor's count and last donations for the selected donor's card; after collection,
    today's donation's own number as its certificate gives it (an 18th donation)."""
    if presentation is None:
        return {}
    today = presentation.donation
    counted = today is not None and today.is_complete
    return {
        "history": donor_history.of(presentation.donor, before=today),
        "donation_number": donor_history.number_of(today) if today and counted else None,
    }


def _context(
    request: AuthenticatedRequest,
    drive: Drive,
    station: Station,
    presentation: Presentation | None,
) -> dict[str, Any]:
    return {
        "drive": drive,
        "station": station,
        "stations": [s for s in STATIONS.values() if may_run(request.user, drive, s)],
        "queue": _queue_page(request, drive, station),
        "presentation": presentation,
        **_history(presentation),
        "zone": drive.time_zone().key,
        "htmx": bool(getattr(request, "htmx", False)),
        "yes_answers": [
            code
            for code, answer in (presentation.answers if presentation else {}).items()
            if answer is not False
        ],
    }


def _search(request: AuthenticatedRequest, drive: Drive, text: str) -> list[lookup.Arrival]:
    return lookup.for_check_in(request.user, drive, text)


def _main(request: AuthenticatedRequest, context: dict[str, Any]) -> HttpResponse:
    """The station's main area (queue and selected donor): the whole page, or for HTMX only
    the fragment it swaps in."""
    template = "screening/_main.html" if context["htmx"] else "screening/station.html"
    return render(request, template, context)


@login_required
def station_page(request: AuthenticatedRequest, public_id: uuid.UUID, slug: str) -> HttpResponse:
    station = _station(slug)
    drive = _drive(request, public_id, station)
    chosen = request.POST.get("presentation") or request.GET.get("p", "")
    presentation = _selected(drive, station, chosen)
    if presentation is not None and request.method == "GET":
        # The page shows the donor's history, deferrals and answers: a logged read.
        reads.log_read(by=request.user, donor=presentation.donor, where=ReadPlace.STATION)
    if station.step and presentation is None:
        context = _context(request, drive, station, None) | {"selected": ""}
        return _main(request, context)
    form, run = HANDLERS[slug](request, drive, presentation)
    searching = not station.step and bool(request.POST.get("search"))
    done = ""
    if run is not None and not searching:
        try:
            done = run()
        except ValidationError as exc:
            form.apply_errors(exc)
    here = reverse("stations:station", args=[drive.uuid, slug])
    if done:
        messages.success(request, done)
        if not getattr(request, "htmx", False):
            return redirect(here)  # without JavaScript: POST, redirect, page
        # HTMX: the next fragment at once — the message, the queue, a fresh form.
        context = _context(request, drive, station, None) | {"selected": ""}
        if not station.step:
            context["form"], _run = HANDLERS[slug](_fresh(request), drive, None)
        return replace_url(_main(request, context), here)
    context = _context(request, drive, station, presentation) | {
        "form": form,
        "selected": str(presentation.uuid) if presentation else "",
    }
    if not station.step:
        # A search, or typed words nobody answers to: the people the words find (a refused
        # code — another drive's registration, a cancelled one — is only explained).
        typed = request.POST.get("scan", "").strip()
        code = lookup.as_uuid(typed) is not None or donor_card.looks_like_card(typed)
        words = form.has_error("scan") and not code
        scan = typed if searching or words else ""
        found = None
        if scan:
            try:
                found = _search(request, drive, scan)
            except ValidationError as exc:  # a card that opens nobody: only explained
                form.apply_errors(exc)
        arrival = _arrival(request, drive, station)
        context |= {
            "arrival": arrival,
            "arrival_history": donor_history.of(arrival.donor) if arrival else None,
            "arrival_prescreen": prescreen.valid_for_station(
                arrival.registration if arrival else None, timezone.now()
            ),
            "query": scan,
            "found": found,
        }
    return _main(request, context)


def _fresh(request: AuthenticatedRequest) -> AuthenticatedRequest:
    """The request as a GET, to build an empty form after a step was saved."""
    fresh = copy.copy(request)
    fresh.method = "GET"
    fresh.POST = QueryDict()
    return fresh


@login_required
def queue(request: AuthenticatedRequest, public_id: uuid.UUID, slug: str) -> HttpResponse:
    """One page of a station's live queue, polled by the page every few seconds."""
    station = _station(slug)
    drive = _drive(request, public_id, station)
    selected = request.GET.get("p", "")
    context = _context(request, drive, station, None) | {"selected": selected}
    return render(request, "screening/_queue.html", context)


@login_required
def index(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    return redirect(reverse("stations:station", args=[public_id, "checkin"]))
