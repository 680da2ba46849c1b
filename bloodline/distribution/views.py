"""Hospital orders and the distribution desk (the trace pages are in ``trace_views``).

Views stay thin: the order through ``distribution.access.get_order`` (404 unless the reader
is its hospital or its supplier's desk — the API uses the same lookup), a form, an action
from ``distribution.actions``, a redirect back to the order. An action's refusal is shown
on the form that asked for it and changes nothing. Buttons that change an order send the
order's version, so a page left open while someone else worked on the order is refused
rather than acted on blindly.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from bloodline.accounts.models import User
from bloodline.accounts.types import AuthenticatedRequest
from bloodline.distribution import access as order_access
from bloodline.distribution import actions, forms, recipients
from bloodline.distribution.access import Sides
from bloodline.distribution.models import (
    Allocation,
    Order,
    OrderLine,
    OrderStatus,
    OrderStep,
    Shipment,
    ShipmentItem,
    Side,
    Urgency,
)
from bloodline.inventory.models import Component
from bloodline.lib.forms import refuse
from bloodline.organisations import access
from bloodline.organisations.models import SEGMENT, Organisation
from bloodline.organisations.roles import Perm

PER_PAGE = 50
URGENCY_RANK = Case(
    When(urgency=Urgency.EMERGENCY, then=0),
    When(urgency=Urgency.URGENT, then=1),
    default=2,
    output_field=IntegerField(),
)
OPEN_FIRST = Case(When(status=OrderStatus.PLACED, then=0), default=1, output_field=IntegerField())


# The list of orders ---------------------------------------------------------------------------


def _listed(orders: QuerySet[Order]) -> QuerySet[Order]:
    """With the units ordered and allocated counted in the same query."""
    live = (
        Allocation.objects.filter(line__order=OuterRef("pk"), cancelled_at__isnull=True)
        .order_by()
        .values("line__order")
        .annotate(n=Count("pk"))
        .values("n")
    )
    units = (
        OrderLine.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    return orders.select_related("hospital", "supplier").annotate(
        units=Coalesce(Subquery(units), 0), allocated=Coalesce(Subquery(live), 0)
    )


def _page(request: AuthenticatedRequest, orders: QuerySet[Order], param: str) -> Page[Order]:
    return Paginator(orders, PER_PAGE).get_page(request.GET.get(param))


@login_required
@require_GET
def order_list(request: AuthenticatedRequest) -> HttpResponse:
    """A hospital's own orders, newest first; the desk's orders to fulfil, open ones first,
    the most urgent and the soonest needed first."""
    user = request.user
    can_place, can_fulfil = order_access.places_orders(user), order_access.fulfils_orders(user)
    if not (can_place or can_fulfil):
        raise PermissionDenied
    placed = desk = None
    if can_place:
        mine = order_access.placed(user)
        placed = _page(request, _listed(mine).order_by("-placed_at", "-pk"), "page")
    if can_fulfil:
        to_fulfil = order_access.to_fulfil(user)
        ordered = _listed(to_fulfil).order_by(OPEN_FIRST, URGENCY_RANK, "needed_by", "pk")
        desk = _page(request, ordered, "desk_page")
    context = {"placed": placed, "desk": desk, "can_place": can_place}
    return render(request, "distribution/orders.html", context)


# Placing an order -----------------------------------------------------------------------------


def _hospitals(user: User) -> list[Organisation]:
    found = access.organisations(user, Perm.ORDER_PLACE).filter(
        kind__in=sorted(actions.HOSPITALS), is_active=True
    )
    return list(found.order_by("path"))


def _suppliers(hospitals: list[Organisation]) -> list[Organisation]:
    """Blood centres and stations in the countries of the person's hospitals."""
    countries = sorted({h.path[:SEGMENT] for h in hospitals})
    found = Organisation.objects.within(countries).filter(
        kind__in=sorted(actions.SUPPLIERS), is_active=True
    )
    return list(found.order_by("path"))


def _products(suppliers: list[Organisation]) -> list[tuple[str, str]]:
    codes: dict[str, str] = {}
    for supplier in suppliers:
        for code, _kind in actions.products(supplier):
            codes.setdefault(code, forms.product_label(code))
    return list(codes.items())


@login_required
def new_order(request: AuthenticatedRequest) -> HttpResponse:
    hospitals = _hospitals(request.user)
    if not hospitals:
        raise PermissionDenied
    suppliers = _suppliers(hospitals)
    data = request.POST if request.method == "POST" else None
    soon = timezone.localtime() + dt.timedelta(hours=4)
    form = forms.OrderForm(
        data,
        hospitals=hospitals,
        suppliers=suppliers,
        initial={"needed_by": soon.replace(minute=0, second=0, microsecond=0)},
    )
    lines = forms.LineFormSet(data, prefix="lines", form_kwargs={"products": _products(suppliers)})
    if data is not None and form.is_valid() and lines.is_valid():
        d = form.cleaned_data
        try:
            order = actions.place_order(
                by=request.user,
                hospital=d["hospital"],
                supplier=d["supplier"],
                urgency=d["urgency"],
                needed_by=d["needed_by"],
                note=d["note"],
                lines=forms.filled_lines(lines),
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("Order %(number)s is placed.") % {"number": order.number})
            return redirect("distribution:order", order.uuid)
    return render(request, "distribution/new.html", {"form": form, "lines": lines})


# One order ------------------------------------------------------------------------------------


def _offers(order: Order, sides: Sides, step: OrderStep) -> bool:
    """Whether the page offers ``step``: the order state table (ORDER_STEPS) allows it in the
    order's status to a side the reader acts for. The action checks the same table."""
    held = {Side.DESK} if sides.desk else set()
    if sides.hospital:
        held.add(Side.HOSPITAL)
    return order.allows(step, held)


@dataclass
class LineView:
    number: int
    line: OrderLine
    product: str
    recipient: str
    facts: str = ""
    releasable: bool = False  # the hospital may sign an emergency release on it
    restrictions: list[str] = field(default_factory=list)
    allocations: list[tuple[Allocation, list[str], bool]] = field(default_factory=list)
    suggestions: list[tuple[Component, int, list[str]]] = field(default_factory=list)

    @property
    def outstanding(self) -> int:
        return self.line.quantity - len(self.allocations)


def _order(request: AuthenticatedRequest, public_id: uuid.UUID) -> tuple[Order, Sides]:
    """The order for its parties only: anyone else gets 404, as if it did not exist."""
    found = Order.objects.select_related("placed_by")
    return order_access.get_order(request.user, public_id, queryset=found, onlookers_see=False)


def _lines(order: Order, sides: Sides, picked: set[int]) -> list[LineView]:
    live = Allocation.objects.filter(cancelled_at__isnull=True).select_related(
        "component__donation"
    )
    rows = order.lines.prefetch_related(Prefetch("allocations", queryset=live, to_attr="live"))
    ages = recipients.limits(order.supplier)
    views = []
    for number, line in enumerate(rows, start=1):
        view = LineView(
            releasable=_offers(order, sides, OrderStep.SIGN_RELEASE)
            and recipients.can_release(line),
            number=number,
            line=line,
            product=forms.product_label(line.component_code),
            recipient=forms.recipient_group(line.abo, line.rhd),
            facts=recipients.described(line),
            restrictions=recipients.restrictions(line, ages),
            allocations=[
                (a, forms.condition_labels(a.conditions), a.component_id in picked)
                for a in line.live
            ],
        )
        if _offers(order, sides, OrderStep.ALLOCATE) and view.outstanding > 0:
            view.suggestions = [
                (unit, choice.rank, forms.condition_labels(choice.conditional))
                for unit, choice in actions.candidates(line)[:10]
            ]
        views.append(view)
    return views


def _shipment_context(order: Order, sides: Sides, bound: dict[str, Any]) -> dict[str, Any]:
    shipment = Shipment.objects.filter(order=order).select_related("dispatched_by").first()
    items = (
        list(shipment.items.select_related("component__donation", "outcome_by"))
        if shipment is not None
        else []
    )
    # What the allocation said of each unit (anti-D prophylaxis, emergency release), shown
    # again on the shipment so it travels with the box.
    conditions = dict(
        Allocation.objects.filter(line__order=order)
        .order_by("pk")
        .values_list("component_id", "conditions")
    )
    reporting = _offers(order, sides, OrderStep.REPORT_OUTCOME)
    outcome_forms = bound.get("outcome_forms", {})
    rows = []
    for item in items:
        key = str(item.component.uuid)
        form = None
        if reporting and not item.outcome:
            form = outcome_forms.get(key) or forms.OutcomeForm(
                auto_id=forms.OutcomeForm.ids(key), initial={"unit": key}
            )
        rows.append(
            (
                item,
                forms.product_label(item.component.component_code),
                form,
                forms.condition_labels(conditions.get(item.component_id, "")),
            )
        )
    version = {"version": order.version}
    return {
        "order": order,
        "sides": sides,
        "shipment": shipment,
        "items": rows,
        "picking": _offers(order, sides, OrderStep.PICK),
        "receiving": _offers(order, sides, OrderStep.RECEIVE),
        "pick_form": bound.get("pick_form") or forms.PickForm(),
        "picked": bound.get("picked"),
        "dispatch_form": bound.get("dispatch_form") or forms.DispatchForm(initial=version),
        "receive_form": bound.get("receive_form") or forms.ReceiveForm(),
    }


def _unshown_errors(context: dict[str, Any], bound: dict[str, Any]) -> list[str]:
    """Errors of a form the page no longer shows (the order moved on meanwhile): they go to
    the top of the page rather than nowhere."""
    shown = {
        "pick_form": context["picking"],
        "dispatch_form": context["picking"] and context["items"],
        "receive_form": context["receiving"],
    }
    on_page = [form for _item, _label, form, _c in context["items"] if form is not None]
    forms_sent = [bound[slot] for slot in shown if slot in bound and not shown[slot]]
    forms_sent += [f for f in bound.get("outcome_forms", {}).values() if f not in on_page]
    return [error for form in forms_sent for errors in form.errors.values() for error in errors]


def _detail(
    request: AuthenticatedRequest, order: Order, sides: Sides, **bound: Any
) -> HttpResponse:
    context = _shipment_context(order, sides, bound)
    picked = {item.component_id for item, _label, _form, _c in context["items"]}
    context |= {
        "lines": _lines(order, sides, picked),
        "version": order.version,
        "action_errors": bound.get("action_errors", []) + _unshown_errors(context, bound),
        "can_cancel": _offers(order, sides, OrderStep.CANCEL),
    }
    return render(request, "distribution/order.html", context)


@login_required
@require_GET
def order_detail(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    order, sides = _order(request, public_id)
    return _detail(request, order, sides)


def _act(
    request: AuthenticatedRequest,
    public_id: uuid.UUID,
    form_class: type[Any],
    act: Callable[[Order, dict[str, Any]], str],
    *,
    desk: bool | None = None,
    slot: str = "",
) -> HttpResponse:
    """Run one button or form of the order page: the action's message on success (and back
    to the order), its refusal on the form (``slot``) or at the top of the page."""
    order, sides = _order(request, public_id)
    if (desk is True and not sides.desk) or (desk is False and not sides.hospital):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            done = act(order, form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, done)
            return redirect("distribution:order", order.uuid)
    order.refresh_from_db()
    if slot:
        return _detail(request, order, sides, **{slot: form})
    problems = [e for errors in form.errors.values() for e in errors]
    return _detail(request, order, sides, action_errors=problems)


@login_required
@require_POST
def allocate(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    def act(order: Order, data: dict[str, Any]) -> str:
        made = actions.allocate(by=request.user, order=order, version=data["version"])
        if not made:
            raise refuse(_("No compatible unit is available for the lines still open."))
        return ngettext("%(n)s unit allocated.", "%(n)s units allocated.", len(made)) % {
            "n": len(made)
        }

    return _act(request, public_id, forms.VersionForm, act, desk=True)


@login_required
@require_POST
def allocate_unit(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    def act(order: Order, data: dict[str, Any]) -> str:
        lines = list(order.lines.all())
        if data["line"] > len(lines):
            raise refuse(_("This order has no such line."))
        unit = (
            Component.objects.filter(uuid=data["unit"], establishment=order.supplier)
            .select_related("donation")
            .first()
        )
        if unit is None:
            raise refuse(_("No such unit is held by this establishment."))
        actions.allocate_unit(
            by=request.user,
            line=lines[data["line"] - 1],
            component=unit,
            version=data["unit_version"],
            order_version=data["version"],
        )
        return _("Unit %(unit)s is allocated.") % {"unit": unit}

    return _act(request, public_id, forms.AllocateUnitForm, act, desk=True)


@login_required
@require_POST
def unallocate(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    def act(order: Order, data: dict[str, Any]) -> str:
        allocation = (
            Allocation.objects.filter(
                line__order=order, component__uuid=data["unit"], cancelled_at__isnull=True
            )
            .select_related("line__order", "component__donation")
            .first()
        )
        if allocation is None:
            raise refuse(_("This unit is not allocated to this order."))
        actions.unallocate(by=request.user, allocation=allocation, version=data["version"])
        return _("Unit %(unit)s is back in stock.") % {"unit": allocation.component}

    return _act(request, public_id, forms.UnitForm, act, desk=True)


@login_required
@require_POST
def pick(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    """One scan of the packer. With HTMX only the shipment part of the page comes back, with
    the scan field focused again for the next bag."""
    order, sides = _order(request, public_id)
    if not sides.desk:
        raise PermissionDenied
    form = forms.PickForm(request.POST)
    picked = None
    if form.is_valid():
        waiting = form.next_scan()
        if waiting:
            form = forms.PickForm(initial=form.cleaned_data, focus=waiting)
        else:
            try:
                picked = actions.pick(
                    by=request.user,
                    order=order,
                    din_scan=form.cleaned_data["din_scan"],
                    product_scan=form.cleaned_data["product_scan"],
                )
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                form = forms.PickForm()
    htmx = bool(getattr(request, "htmx", False))
    if picked is not None and not htmx:
        messages.success(
            request, _("Unit %(unit)s is in the shipment.") % {"unit": picked.component}
        )
        return redirect(reverse("distribution:order", args=[order.uuid]) + "#shipment")
    if htmx:
        context = _shipment_context(order, sides, {"pick_form": form, "picked": picked})
        return render(request, "distribution/_shipment.html", context)
    return _detail(request, order, sides, pick_form=form)


@login_required
@require_POST
def dispatch(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    def act(order: Order, data: dict[str, Any]) -> str:
        shipment = actions.dispatch(
            by=request.user, order=order, packed_count=data["packed_count"], version=data["version"]
        )
        n = shipment.packed_count or 0
        return ngettext(
            "Dispatched: %(n)s unit packed and scanned.",
            "Dispatched: %(n)s units packed and scanned.",
            n,
        ) % {"n": n}

    return _act(request, public_id, forms.DispatchForm, act, desk=True, slot="dispatch_form")


@login_required
@require_POST
def cancel(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    def act(order: Order, data: dict[str, Any]) -> str:
        actions.cancel_order(by=request.user, order=order, version=data["version"])
        return _("Order %(number)s is cancelled.") % {"number": order.number}

    return _act(request, public_id, forms.VersionForm, act)


@login_required
@require_POST
def emergency_release(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    def act(order: Order, data: dict[str, Any]) -> str:
        lines = list(order.lines.all())
        if data["line"] > len(lines):
            raise refuse(_("This order has no such line."))
        actions.sign_emergency_release(
            by=request.user,
            line=lines[data["line"] - 1],
            clinician=data["clinician"],
            reason=data["reason"],
            version=data["version"],
        )
        return _("The emergency release for line %(n)s is recorded.") % {"n": data["line"]}

    return _act(request, public_id, forms.EmergencyReleaseForm, act, desk=False)


@login_required
@require_POST
def receive(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    def act(order: Order, data: dict[str, Any]) -> str:
        actions.receive(by=request.user, order=order, received_count=data["received_count"])
        return _("The shipment is received.")

    return _act(request, public_id, forms.ReceiveForm, act, desk=False, slot="receive_form")


@login_required
@require_POST
def outcome(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    order, sides = _order(request, public_id)
    if not sides.hospital:
        raise PermissionDenied
    key = str(request.POST.get("unit", ""))
    form = forms.OutcomeForm(request.POST, auto_id=forms.OutcomeForm.ids(key))
    if form.is_valid():
        item = (
            ShipmentItem.objects.filter(
                shipment__order=order, component__uuid=form.cleaned_data["unit"]
            )
            .select_related("component__donation")
            .first()
        )
        if item is None:
            raise Http404
        try:
            actions.report_outcome(
                by=request.user,
                item=item,
                outcome=form.cleaned_data["outcome"],
                cold_chain_ok=form.cold_chain(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(
                request, _("What became of unit %(unit)s is recorded.") % {"unit": item.component}
            )
            return redirect(reverse("distribution:order", args=[order.uuid]) + "#shipment")
    return _detail(request, order, sides, outcome_forms={key: form})
