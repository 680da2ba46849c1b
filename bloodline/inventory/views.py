"""Blood-centre inventory pages: processing donations into components; a component's page with
its blood-group label, label scan-back, move and discard; the stock overview and its
thresholds; storage locations; transfers between establishments.

Thin: objects through the access layer (``inventory/access.py`` on organisations.access;
404 out of sight, 403 without the permission), a form, an action, a redirect; an action's
errors show on its form.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.collection import access as collection_access
from bloodline.collection.models import Donation, Outcome
from bloodline.inventory import access as inventory_access
from bloodline.inventory import actions, forms, labels, stock
from bloodline.inventory.models import Component, StorageLocation
from bloodline.inventory.status import FINAL, IN_STOCK, Status
from bloodline.jurisdictions.labels import component_kind, lab_test_name
from bloodline.lib import isbt128
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

RECENT_DONATIONS = 25


def eye(din: str) -> str:
    """The DIN as printed: ``A9999 21 123456 K``."""
    return isbt128.Din(din).eye_readable()


# Scope ----------------------------------------------------------------------------------------


def may_open(user: Any, perm: str, establishment: Organisation | None = None) -> bool:
    """Whether a stock page needing ``perm`` opens for the person: at ``establishment`` when
    one is named, else at any establishment in their scope. The pages refuse with 403 exactly
    when this is false, and the inventory menu shows a page only when it is true."""
    if establishment is not None:
        return access.has_perm(user, perm, establishment)
    return bool(inventory_access.establishments(user, perm))


def _chosen(request: AuthenticatedRequest, perm: str) -> tuple[Organisation, list[Organisation]]:
    """The establishment named by ``?establishment=``, else the first in the person's scope."""
    places = inventory_access.establishments(request.user, perm)
    wanted = request.GET.get("establishment", "")
    if wanted:
        chosen = access.get_organisation(request.user, wanted)
        if not chosen.is_establishment:
            raise Http404
        if not may_open(request.user, perm, chosen):
            raise PermissionDenied
        return chosen, places
    if not places:
        raise PermissionDenied
    return places[0], places


def _chooser(establishment: Organisation, places: list[Organisation]) -> forms.EstablishmentForm:
    chosen = {"establishment": str(establishment.uuid)}
    return forms.EstablishmentForm(initial=chosen, establishments=places)


def _at(name: str, establishment: Organisation) -> str:
    return f"{reverse(name)}?establishment={establishment.uuid}"


def _donation(request: AuthenticatedRequest, din: str) -> Donation:
    return collection_access.get_donation(request.user, din, perm=Perm.COMPONENT_PROCESS)


def _component(request: AuthenticatedRequest, public_id: uuid.UUID, perm: str) -> Component:
    return inventory_access.get_component(request.user, public_id, perm=perm)


# Processing -----------------------------------------------------------------------------------


@login_required
@require_GET
def process_search(request: AuthenticatedRequest) -> HttpResponse:
    """Scan a DIN to process it; the latest donations not yet processed, for a click."""
    scope = access.organisations(request.user, Perm.COMPONENT_PROCESS)
    if not may_open(request.user, Perm.COMPONENT_PROCESS):
        raise PermissionDenied
    form = forms.DinSearchForm(request.GET or None)
    if form.is_valid():
        din = form.cleaned_data["din"]
        found = Donation.objects.filter(din=din, establishment__in=scope).exists()
        if found:
            return redirect("inventory:process", din)
        form.add_error("din", _("No donation with this DIN is collected where you work."))
    made = Component.objects.filter(donation=OuterRef("pk"))
    recent = (
        Donation.objects.filter(establishment__in=scope, outcome=Outcome.COMPLETE)
        .exclude(Exists(made))
        .select_related("establishment")
        .order_by("-collected_at", "-pk")[:RECENT_DONATIONS]
    )
    rows = [(d, eye(d.din)) for d in recent]
    return render(
        request,
        "inventory/process_search.html",
        {"form": form, "rows": rows, "limit": RECENT_DONATIONS},
    )


@login_required
def process(request: AuthenticatedRequest, din: str) -> HttpResponse:
    donation = _donation(request, din)
    made = list(Component.objects.filter(donation=donation).order_by("pk"))
    rules = actions.rules_for(donation)
    form = None
    if not made:
        form = forms.ProcessForm(
            request.POST or None,
            recipes=rules.recipes_for(donation.donation_type),
            rules=rules,
            donation_volume=donation.volume_ml,
        )
        if request.method == "POST" and form.is_valid():
            try:
                made = actions.process_donation(
                    by=request.user,
                    donation=donation,
                    recipe=form.cleaned_data["recipe"],
                    volumes=form.volumes(),
                )
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(
                    request,
                    _("Donation %(din)s is processed into %(count)s components.")
                    % {"din": eye(donation.din), "count": len(made)},
                )
                return redirect("inventory:process", donation.din)
    elif request.method == "POST":
        messages.error(request, _("This donation has already been processed."))
        return redirect("inventory:process", donation.din)
    context = {
        "donation": donation,
        "din": eye(donation.din),
        "form": form,
        "made": made,
        "rules": rules,
        "zone": actions.zone(donation.establishment).key,
    }
    return render(request, "inventory/process.html", context)


# One component --------------------------------------------------------------------------------


def _name(user: Any) -> str:
    return str(user.get_full_name()) if user is not None else ""


def _facts(c: Component) -> list[tuple[Any, Any, str]]:
    """The component's history as (what, when, detail), in the order things happen."""
    stocked = ", ".join(
        n for n in (_name(c.stocked_by), c.location.display_name() if c.location else "") if n
    )
    rows: list[tuple[Any, Any, str]] = [
        (gettext_lazy("Made"), c.created_at, _name(c.created_by)),
        (gettext_lazy("Released"), c.released_at, _name(c.released_by)),
        (gettext_lazy("Label printed"), c.label_printed_at, ""),
        (gettext_lazy("Label checked, in stock"), c.stocked_at, stocked),
        (gettext_lazy("Reserved"), c.reserved_at, ""),
        (gettext_lazy("Issued"), c.issued_at, c.issued_to.display_name() if c.issued_to else ""),
        (gettext_lazy("Transfused"), c.transfused_at, ""),
        (gettext_lazy("Processed further"), c.processed_at, ""),
        (gettext_lazy("Found unsafe"), c.unsafe_at, str(c.get_unsafe_reason_display())),
        (gettext_lazy("Discarded"), c.discarded_at, str(c.get_discard_reason_display())),
    ]
    for event in c.processing_events.select_related("by"):
        rows.append((event.get_kind_display(), event.at, _name(event.by)))
    if c.lookback_hold is not None:
        hold = c.lookback_hold
        rows.append(
            (gettext_lazy("Placed on look-back hold"), hold.placed_at, lab_test_name(hold.test))
        )
    rows.sort(key=lambda row: (row[1] is None, row[1] or 0))
    return [row for row in rows if row[1] is not None]


def _page(
    request: AuthenticatedRequest, component: Component, status: int = 200, **bound: Any
) -> HttpResponse:
    current = component.current_status()
    can_manage = access.has_perm(request.user, Perm.STOCK_MANAGE, component.establishment)
    version = {"version": component.version}
    context: dict[str, Any] = {
        "c": component,
        "din": eye(component.donation.din),
        "kind_name": component_kind(component.component_kind),
        "status": current,
        "zone": actions.zone(component.establishment).key,
        "facts": _facts(component),
        "can_manage": can_manage,
        "can_label": component.released_at is not None and current in (Status.RELEASED, *IN_STOCK),
        "transfers": component.transfers.select_related("source", "destination"),
    }
    if can_manage:
        locations = stock.suitable_locations(component)
        if current == Status.RELEASED and component.label_printed_at is not None:
            context["scan_form"] = forms.ScanBackForm(initial=version, locations=locations)
        if current not in FINAL and component.issued_at is None:
            context["move_form"] = forms.MoveForm(initial=version, locations=locations)
        if current not in FINAL and current != Status.ISSUED:
            context["discard_form"] = forms.DiscardForm(initial=version)
        if current not in actions.NOT_PROCESSED and current != Status.EXPIRED:
            context["processing_form"] = forms.ProcessingForm(
                initial=version, locations=_active_locations(component)
            )
            context["processing_rules"] = _processing_rules(component)
    # A refused form stays on the page with its errors, even if the unit changed meanwhile.
    context.update(bound)
    return render(request, "inventory/component.html", context, status=status)


def _active_locations(component: Component) -> list[StorageLocation]:
    return list(StorageLocation.objects.filter(establishment=component.establishment, active=True))


def _processing_rules(component: Component) -> list[tuple[str, str]]:
    """The processing the unit's rule set states for its type, with the period each gives."""
    from bloodline.inventory.models import ProcessingKind
    from bloodline.jurisdictions.labels import period_text

    rules = actions.rules_for(component.donation)
    found = []
    for kind in ProcessingKind:
        rule = rules.processing_rule(kind.value, component.component_code)
        if rule is not None:
            period = rules.processing_period(rule)
            found.append((str(kind.label), period_text(period.value, period.unit)))
    return found


@login_required
@require_GET
def component_page(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    return _page(request, _component(request, public_id, Perm.STOCK_VIEW))


@login_required
@require_GET
def label(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    """Record the label as printed and answer with it; refused for a unit not released."""
    component = _component(request, public_id, Perm.STOCK_MANAGE)
    try:
        component = actions.label_printed(by=request.user, component=component)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("inventory:component", component.uuid)
    pdf = labels.label_pdf(labels.group_label(component))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{component.donation.din}-{component.product_code}{component.division}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _act(
    request: AuthenticatedRequest,
    component: Component,
    slot: str,
    form: forms.Form,
    run: Callable[[], object],
    done: str,
) -> HttpResponse:
    if form.is_valid():
        try:
            run()
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, done)
            return redirect("inventory:component", component.uuid)
    return _page(request, component, status=400, **{slot: form})


@login_required
@require_POST
def scan_back(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    component = _component(request, public_id, Perm.STOCK_MANAGE)
    form = forms.ScanBackForm(request.POST, locations=stock.suitable_locations(component))

    def run() -> object:
        data = form.cleaned_data
        return actions.scan_back(
            by=request.user,
            component=component,
            din_scan=data["din_scan"],
            group_scan=data["group_scan"],
            product_scan=data["product_scan"],
            location=form.chosen_location(),
            version=data["version"],
        )

    done = _("The label matches this unit; it is now in stock.")
    return _act(request, component, "scan_form", form, run, done)


@login_required
@require_POST
def move(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    component = _component(request, public_id, Perm.STOCK_MANAGE)
    form = forms.MoveForm(request.POST, locations=stock.suitable_locations(component))

    def run() -> object:
        return actions.move(
            by=request.user,
            component=component,
            location=form.chosen_location(),
            version=form.cleaned_data["version"],
        )

    return _act(request, component, "move_form", form, run, _("The unit was moved."))


@login_required
@require_POST
def discard(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    component = _component(request, public_id, Perm.STOCK_MANAGE)
    form = forms.DiscardForm(request.POST)

    def run() -> object:
        data = form.cleaned_data
        return actions.discard(
            by=request.user,
            component=component,
            reason=data["reason"],
            note=data["note"],
            version=data["version"],
        )

    return _act(request, component, "discard_form", form, run, _("The unit was discarded."))


@login_required
@require_POST
def processing(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    component = _component(request, public_id, Perm.STOCK_MANAGE)
    form = forms.ProcessingForm(request.POST, locations=_active_locations(component))

    def run() -> object:
        data = form.cleaned_data
        return actions.record_processing(
            by=request.user,
            component=component,
            kind=data["kind"],
            location=form.chosen_location(),
            version=data["version"],
        )

    done = _("The processing is recorded; the expiry shown is the new one.")
    return _act(request, component, "processing_form", form, run, done)
