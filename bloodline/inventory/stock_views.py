"""Stock, thresholds, storage locations and transfers between establishments."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.inventory import access as inventory_access
from bloodline.inventory import actions, forms, public_supply, stock, supply
from bloodline.inventory.models import (
    Component,
    StockThreshold,
    StorageLocation,
    SupplyLevel,
    SupplyLevelChange,
    Transfer,
)
from bloodline.inventory.views import _at, _chooser, _chosen, eye
from bloodline.jurisdictions.labels import COMPONENT_KINDS, component_kind
from bloodline.lib.blood_groups import group_order
from bloodline.organisations import access
from bloodline.organisations.kinds import ESTABLISHMENTS
from bloodline.organisations.models import SEGMENT, Organisation, subtree_bounds
from bloodline.organisations.roles import Perm

# Stock and thresholds -------------------------------------------------------------------------


@login_required
@require_GET
def stock_page(request: AuthenticatedRequest) -> HttpResponse:
    establishment, places = _chosen(request, Perm.STOCK_VIEW)
    summary = stock.summary(establishment)
    context = {
        "establishment": establishment,
        "chooser": _chooser(establishment, places),
        "summary": summary,
        "buckets": stock.BUCKET_LABELS,
        "kind_names": COMPONENT_KINDS,
        "expiring": [(c, eye(c.donation.din)) for c in summary.expiring],
        "on_hold": [(c, eye(c.donation.din)) for c in summary.on_hold],
        "zone": actions.zone(establishment).key,
        "can_manage": access.has_perm(request.user, Perm.STOCK_MANAGE, establishment),
    }
    return render(request, "inventory/stock.html", context)


# Supply levels (issue 15 §1, decision 0060) ----------------------------------------------

HISTORY_DAYS = 30


@login_required
@require_GET
def supply_page(request: AuthenticatedRequest) -> HttpResponse:
    establishment, places = _chosen(request, Perm.STOCK_VIEW)
    keys = ("component_kind", "abo", "rhd", "level")
    initial = {k: request.GET[k] for k in keys if request.GET.get(k)}
    return _supply(request, establishment, places, forms.SupplyLevelForm(initial=initial))


@login_required
@require_POST
def supply_set(request: AuthenticatedRequest) -> HttpResponse:
    """Set a class and group's level by hand (stock managers of the establishment)."""
    establishment, places = _chosen(request, Perm.STOCK_MANAGE)
    form = forms.SupplyLevelForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            supply.override(
                by=request.user,
                establishment=establishment,
                component_kind=data["component_kind"],
                abo=data["abo"],
                rhd=data["rhd"],
                level=data["level"],
                reason=data["reason"],
                until=timezone.now() + dt.timedelta(hours=data["hours"]),
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The level was set."))
            return redirect(_at("inventory:supply", establishment))
    return _supply(request, establishment, places, form, status=400)


@login_required
@require_POST
def supply_public(request: AuthenticatedRequest) -> HttpResponse:
    """Choose what the public supply page shows of the establishment (stock managers)."""
    establishment, places = _chosen(request, Perm.STOCK_MANAGE)
    shown = forms.SupplyPublicationForm(request.POST)
    if shown.is_valid():
        try:
            public_supply.set_shown(
                by=request.user, establishment=establishment, shows=shown.cleaned_data["shows"]
            )
        except ValidationError as exc:
            shown.apply_errors(exc)
        else:
            messages.success(request, _("The public page's choice was saved."))
            return redirect(_at("inventory:supply", establishment))
    form = forms.SupplyLevelForm()
    return _supply(request, establishment, places, form, status=400, shown=shown)


def _supply(
    request: AuthenticatedRequest,
    establishment: Organisation,
    places: list[Organisation],
    form: forms.SupplyLevelForm,
    status: int = 200,
    shown: forms.SupplyPublicationForm | None = None,
) -> HttpResponse:
    now = timezone.now()
    rules = supply.rules_of(establishment, now)
    history = (
        SupplyLevelChange.objects.filter(
            establishment=establishment, at__gte=now - dt.timedelta(days=HISTORY_DAYS)
        )
        .select_related("by")
        .order_by("-at", "-pk")
    )
    context = {
        "establishment": establishment,
        "chooser": _chooser(establishment, places),
        "rules": rules,
        "statuses": supply.statuses(establishment, now),
        "history": history,
        "timelines": supply.timelines(establishment, now, HISTORY_DAYS),
        "history_days": HISTORY_DAYS,
        "levels": SupplyLevel.choices,
        "form": form,
        "can_manage": access.has_perm(request.user, Perm.STOCK_MANAGE, establishment),
        "shown": shown
        or forms.SupplyPublicationForm(initial={"shows": public_supply.shown(establishment)}),
    }
    return render(request, "inventory/supply.html", context, status=status)


def _threshold_initial(
    request: AuthenticatedRequest, establishment: Organisation
) -> dict[str, Any]:
    key = {k: request.GET.get(k, "") for k in ("component_kind", "abo", "rhd")}
    if not all(key.values()):
        return {}
    found = StockThreshold.objects.filter(establishment=establishment, **key).first()
    if found is None:
        return key
    return key | {
        "daily_use": found.daily_use,
        "minimum_days": found.minimum_days,
        "critical_days": found.critical_days,
    }


@login_required
def thresholds(request: AuthenticatedRequest) -> HttpResponse:
    establishment, places = _chosen(request, Perm.STOCK_MANAGE)
    form = forms.ThresholdForm(
        request.POST or None, initial=_threshold_initial(request, establishment)
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_threshold(by=request.user, establishment=establishment, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The threshold was saved."))
            return redirect(_at("inventory:thresholds", establishment))
    rows = sorted(
        StockThreshold.objects.filter(establishment=establishment),
        key=lambda t: (t.component_kind, group_order(t.abo, t.rhd)),
    )
    context = {
        "establishment": establishment,
        "chooser": _chooser(establishment, places),
        "form": form,
        "rows": [(t, component_kind(t.component_kind)) for t in rows],
    }
    return render(request, "inventory/thresholds.html", context, status=400 if form.errors else 200)


# Storage locations ----------------------------------------------------------------------------


@login_required
def locations(request: AuthenticatedRequest) -> HttpResponse:
    establishment, places = _chosen(request, Perm.STOCK_MANAGE)
    form = forms.LocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_location(by=request.user, establishment=establishment, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The location was added."))
            return redirect(_at("inventory:locations", establishment))
    kept = Q(components__status__in=stock.LIVE)
    rows = StorageLocation.objects.filter(establishment=establishment).annotate(
        units=Count("components", filter=kept)
    )
    context = {
        "establishment": establishment,
        "chooser": _chooser(establishment, places),
        "form": form,
        "rows": rows.order_by("-active", "name"),
    }
    return render(request, "inventory/locations.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def location_deactivate(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    location = inventory_access.get_location(request.user, public_id, perm=Perm.STOCK_MANAGE)
    try:
        actions.deactivate_location(by=request.user, location=location)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s is out of use.") % {"name": location.display_name()})
    return redirect(_at("inventory:locations", location.establishment))


# Transfers ------------------------------------------------------------------------------------


def _destinations(source: Organisation) -> list[Organisation]:
    """Other blood establishments in the same country."""
    low, high = subtree_bounds(source.path[:SEGMENT])
    found = Organisation.objects.filter(
        path__gte=low, path__lt=high, kind__in=sorted(ESTABLISHMENTS), is_active=True
    ).exclude(pk=source.pk)
    return list(found.order_by("path"))


def _units(source: Organisation, scans: list[forms.UnitScan]) -> tuple[list[Component], list[str]]:
    """The components scanned, held by ``source``; and a message for each not found."""
    wanted = Q(pk__in=[])
    for s in scans:
        wanted |= Q(donation__din=s.din, product_code=s.product_code, division=s.division)
    found = {
        (c.donation.din, c.product_code, c.division): c
        for c in Component.objects.filter(wanted, establishment=source).select_related("donation")
    }
    missing = [
        _("Unit %(din)s %(code)s is not held here.") % {"din": eye(s.din), "code": s.product_code}
        for s in scans
        if (s.din, s.product_code, s.division) not in found
    ]
    units = [found[k] for s in scans if (k := (s.din, s.product_code, s.division)) in found]
    return units, missing


UNITS = {"components": "units"}


def _send(request: AuthenticatedRequest, source: Organisation, form: forms.TransferForm) -> bool:
    units, missing = _units(source, form.cleaned_data["units"])
    for message in missing:
        form.add_error("units", message)
    if missing:
        return False
    try:
        transfer = actions.send_transfer(
            by=request.user,
            source=source,
            destination=form.chosen_destination(),
            components=units,
            number=form.cleaned_data["number"],
        )
    except ValidationError as exc:
        # The action names the units "components"; on this form they are "units".
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        form.apply_errors(ValidationError({UNITS.get(k, k): v for k, v in errors.items()}))
        return False
    messages.success(request, _("Transfer %(number)s is sent.") % {"number": transfer.number})
    return True


@login_required
def transfers(request: AuthenticatedRequest) -> HttpResponse:
    establishment, places = _chosen(request, Perm.STOCK_VIEW)
    can_manage = access.has_perm(request.user, Perm.STOCK_MANAGE, establishment)
    form = None
    if can_manage:
        suggested = (
            f"T{timezone.localtime(timezone.now(), actions.zone(establishment)):%y%m%d-%H%M%S}"
        )
        form = forms.TransferForm(
            request.POST or None,
            initial={"number": suggested},
            destinations=_destinations(establishment),
        )
        if request.method == "POST" and form.is_valid() and _send(request, establishment, form):
            return redirect(_at("inventory:transfers", establishment))
    elif request.method == "POST":
        raise PermissionDenied
    rows = (
        Transfer.objects.filter(Q(source=establishment) | Q(destination=establishment))
        .select_related("source", "destination", "sent_by", "received_by")
        .annotate(units=Count("components"))
        .order_by("-sent_at")[:100]
    )
    context = {
        "establishment": establishment,
        "chooser": _chooser(establishment, places),
        "form": form,
        "rows": rows,
        "can_manage": can_manage,
        "zone": actions.zone(establishment).key,
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "inventory/transfers.html", context, status=status)


@login_required
@require_POST
def transfer_receive(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    transfer = inventory_access.get_transfer(request.user, public_id)
    try:
        actions.receive_transfer(by=request.user, transfer=transfer)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Transfer %(number)s is received.") % {"number": transfer.number}
        )
    return redirect(_at("inventory:transfers", transfer.destination))
