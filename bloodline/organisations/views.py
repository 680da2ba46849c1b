"""Organisation pages. Thin: fetch through access.py, validate with a form, call an action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.audit.models import AuditEvent
from bloodline.organisations import access, actions
from bloodline.organisations.forms import MoveForm, OrganisationForm
from bloodline.organisations.kinds import ALLOWED_PARENTS
from bloodline.organisations.models import Membership, Organisation
from bloodline.organisations.roles import Perm


def _with_child_counts(qs):  # type: ignore[no-untyped-def]
    return qs.annotate(child_count=Count("children"))


@login_required
def organisation_list(request: AuthenticatedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    results = None
    if query:
        found = access.organisations(request.user).filter(
            Q(name__icontains=query) | Q(official_code__iexact=query)
        )
        results = Paginator(found.order_by("name"), 50).get_page(request.GET.get("page"))
    roots = [r.pk for r in access.scope_roots(request.user)]
    return render(
        request,
        "organisations/list.html",
        {
            "query": query,
            "results": results,
            "roots": _with_child_counts(Organisation.objects.filter(pk__in=roots)),
        },
    )


@login_required
def children(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    """The children of a node, as a list fragment for the tree (HTMX) or a page."""
    org = access.get_organisation(request.user, public_id)
    kids = _with_child_counts(org.children.order_by("name"))
    template = "organisations/_children.html" if request.htmx else "organisations/children.html"  # type: ignore[attr-defined]
    return render(request, template, {"organisation": org, "children": kids})


@login_required
def detail(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    org = access.get_organisation(request.user, public_id)
    ancestors = list(Organisation.objects.ancestors_of(org))
    user = request.user
    can = {
        "change": access.has_perm(user, Perm.CHANGE, org),
        "add_child": access.has_perm(user, Perm.ADD_CHILD, org),
        "move": org.parent is not None and access.has_perm(user, Perm.MOVE, org.parent),
        "audit": access.has_perm(user, Perm.VIEW_AUDIT, org),
        "members": access.has_perm(user, Perm.VIEW_MEMBERS, org),
    }
    members = (
        Membership.objects.current().filter(organisation=org).select_related("user")
        if can["members"]
        else []
    )
    return render(
        request,
        "organisations/detail.html",
        {
            "organisation": org,
            "ancestors": [(a, access.has_perm(user, Perm.VIEW, a)) for a in ancestors],
            "children": _with_child_counts(org.children.order_by("name")),
            "members": members,
            "can": can,
        },
    )


@login_required
def add_child(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    parent = access.get_organisation(request.user, public_id, Perm.ADD_CHILD)
    form = OrganisationForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = actions.create_organisation(
                by=request.user,
                parent=parent,
                kind=data["kind"],
                name=data["name"],
                name_translations=form.name_translations(),
                official_code=data["official_code"],
                time_zone=data["time_zone"],
                jurisdiction=data["jurisdiction"],
                is_active=data["is_active"],
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The organisation was added."))
            return redirect("organisations:detail", org.uuid)
    return render(request, "organisations/form.html", {"form": form, "parent": parent})


@login_required
def edit(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    org = access.get_organisation(request.user, public_id, Perm.CHANGE)
    form = OrganisationForm(
        request.POST or None, editing=True, initial=OrganisationForm.initial_for(org)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_organisation(
                by=request.user,
                organisation=org,
                version=data["version"] or 0,
                changes={
                    "name": data["name"],
                    "name_translations": form.name_translations(),
                    "official_code": data["official_code"],
                    "time_zone": data["time_zone"],
                    "jurisdiction": data["jurisdiction"],
                    "is_active": data["is_active"],
                },
                reason=data["reason"],
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("organisations:detail", org.uuid)
    return render(request, "organisations/form.html", {"form": form, "organisation": org})


@login_required
def move(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    org = access.get_organisation(request.user, public_id)
    parent = org.parent
    if parent is None:
        raise PermissionDenied
    access.require(request.user, Perm.MOVE, parent)
    low, high = org.path, org.path + "~"
    candidates = list(
        access.organisations(request.user, Perm.ADD_CHILD)
        .filter(kind__in=sorted(ALLOWED_PARENTS[org.kind]))
        .exclude(path__gte=low, path__lt=high)
        .exclude(pk=parent.pk)
        .order_by("path")[:500]
    )
    form = MoveForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        target = access.get_organisation(
            request.user, form.cleaned_data["new_parent"], Perm.ADD_CHILD
        )
        try:
            actions.move_organisation(
                by=request.user,
                organisation=org,
                new_parent=target,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("new_parent", message)
        else:
            messages.success(request, _("The organisation was moved."))
            return redirect("organisations:detail", org.uuid)
    return render(request, "organisations/move.html", {"form": form, "organisation": org})


@login_required
def history(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    org = access.get_organisation(request.user, public_id, Perm.VIEW_AUDIT)
    events = AuditEvent.objects.for_object("organisations.organisation", str(org.uuid))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "organisations/history.html", {"organisation": org, "page": page})
