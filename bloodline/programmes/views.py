"""Plan pages. Thin: fetch through the access helpers, validate with a form, call an action."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.audit.models import AuditEvent
from bloodline.organisations import access as org_access
from bloodline.organisations.kinds import Kind
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm
from bloodline.programmes import access, actions, spreadsheets
from bloodline.programmes.forms import (
    AreaTargetForm,
    PlanEditForm,
    PlanForm,
    ReasonForm,
    RoundForm,
    TargetUploadForm,
)
from bloodline.programmes.models import Plan, PlanStatus, Round, Target

SIGNING_SALT = "bloodline.targets.valid-rows"


def _committees(request: AuthenticatedRequest) -> list[Organisation]:
    return list(
        org_access.organisations(request.user, Perm.PLAN_MANAGE)
        .filter(kind=Kind.STEERING_COMMITTEE)
        .order_by("path")
    )


def _round(plan: Plan, request: AuthenticatedRequest) -> Round | None:
    key = request.GET.get("round") or request.POST.get("round") or ""
    if not key:
        return None
    found = plan.rounds.filter(uuid=key).first() if _is_uuid(key) else None
    if found is None:
        raise Http404
    return found


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@login_required
def plan_list(request: AuthenticatedRequest) -> HttpResponse:
    plans = access.plans(request.user).select_related("issuer", "area").order_by("-issued_on")
    return render(
        request,
        "programmes/list.html",
        {"plans": plans, "can_create": bool(_committees(request))},
    )


@login_required
def plan_create(request: AuthenticatedRequest) -> HttpResponse:
    committees = _committees(request)
    if not committees:
        raise PermissionDenied
    form = PlanForm(request.POST or None, request.FILES or None, committees=committees)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        issuer = org_access.get_organisation(request.user, data["issuer"], Perm.PLAN_MANAGE)
        try:
            plan = actions.create_plan(
                by=request.user,
                issuer=issuer,
                number=data["number"],
                issued_on=data["issued_on"],
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                measure=data["measure"],
                total_target=data["total_target"],
                allow_over_allocation=data["allow_over_allocation"],
                document=data["document"],
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The plan was saved as a draft."))
            return redirect("programmes:detail", plan.uuid)
    return render(request, "programmes/plan_form.html", {"form": form})


def _can(request: AuthenticatedRequest, plan: Plan) -> dict[str, bool]:
    manage = org_access.has_perm(request.user, Perm.PLAN_MANAGE, plan.issuer)
    open_ = plan.status in (PlanStatus.DRAFT, PlanStatus.ISSUED)
    return {
        "manage": manage,
        "edit": manage and plan.status == PlanStatus.DRAFT,
        "issue": manage and plan.status == PlanStatus.DRAFT,
        "close": manage and plan.status == PlanStatus.ISSUED,
        "revise": manage
        and plan.status == PlanStatus.ISSUED
        and not Plan.objects.filter(supersedes=plan).exists(),
        "rounds": manage and open_,
        "allocate": open_ and org_access.has_perm(request.user, Perm.TARGET_ALLOCATE, plan.area),
        "audit": org_access.has_perm(request.user, Perm.VIEW_AUDIT, plan.issuer),
    }


def _progress_root(request: AuthenticatedRequest, plan: Plan) -> Organisation | None:
    """Where this person's view of the plan's progress starts: the plan's area if they can
    see it, else the top of their own part of it."""
    if org_access.has_perm(request.user, Perm.PROGRESS_VIEW, plan.area):
        return plan.area
    for root in org_access.scope_roots(request.user, Perm.PROGRESS_VIEW):
        if root.is_within(plan.area):
            return root
    return None


@login_required
def plan_detail(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    plan = access.get_plan(request.user, public_id)
    rounds = list(plan.rounds.all())
    totals = {
        t.round_id: t.amount for t in Target.objects.filter(plan=plan, organisation=plan.area)
    }
    return render(
        request,
        "programmes/detail.html",
        {
            "plan": plan,
            "rounds": [(r, totals.get(r.pk)) for r in rounds],
            "total": totals.get(None),
            "can": _can(request, plan),
            "round_form": RoundForm(),
            "area_form": AreaTargetForm(),
            "reason_form": ReasonForm(),
            "progress_root": _progress_root(request, plan),
            "revision": Plan.objects.filter(supersedes=plan).first(),
        },
    )


@login_required
def plan_edit(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    plan = access.get_plan(request.user, public_id)
    access.require_manage(request.user, plan)
    initial = {f: getattr(plan, f) for f in actions.EDITABLE} | {"version": plan.version}
    form = PlanEditForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            actions.update_plan(
                by=request.user,
                plan=plan,
                version=data.pop("version"),
                document=data.pop("document"),
                changes=data,
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("programmes:detail", plan.uuid)
    return render(request, "programmes/plan_form.html", {"form": form, "plan": plan})


@login_required
@require_POST
def plan_transition(request: AuthenticatedRequest, public_id: str, step: str) -> HttpResponse:
    plan = access.get_plan(request.user, public_id)
    access.require_manage(request.user, plan)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if step == "issue":
            actions.issue_plan(by=request.user, plan=plan)
            messages.success(request, _("The plan is issued."))
        elif step == "close":
            actions.close_plan(by=request.user, plan=plan, reason=reason)
            messages.success(request, _("The plan is closed."))
        elif step == "revise":
            revision = actions.revise_plan(by=request.user, plan=plan, reason=reason)
            messages.success(request, _("A revision was drafted; issue it to replace the plan."))
            return redirect("programmes:detail", revision.uuid)
        else:
            raise Http404
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("programmes:detail", plan.uuid)


@login_required
@require_POST
def round_add(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    plan = access.get_plan(request.user, public_id)
    access.require_manage(request.user, plan)
    form = RoundForm(request.POST)
    if form.is_valid():
        try:
            actions.add_round(by=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The round was added."))
            return redirect("programmes:detail", plan.uuid)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, str(message))
    return redirect("programmes:detail", plan.uuid)


@login_required
@require_POST
def area_target(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    plan = access.get_plan(request.user, public_id)
    access.require_manage(request.user, plan)
    form = AreaTargetForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Enter a target."))
        actions.set_area_target(
            by=request.user,
            plan=plan,
            round=_round(plan, request),
            amount=form.cleaned_data["amount"],
        )
        messages.success(request, _("The target was saved."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("programmes:detail", plan.uuid)


@login_required
def plan_document(request: AuthenticatedRequest, public_id: str) -> FileResponse:
    plan = access.get_plan(request.user, public_id)
    if not plan.document:
        raise Http404
    try:
        handle = plan.document.open("rb")
    except FileNotFoundError as exc:  # the record outlived its file (e.g. a restored database)
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=plan.document_name or plan.document.name,
    )


@login_required
def plan_history(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    plan = access.get_plan(request.user, public_id)
    org_access.require(request.user, Perm.VIEW_AUDIT, plan.issuer)
    events = AuditEvent.objects.for_object("programmes.plan", str(plan.uuid))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "programmes/history.html", {"plan": plan, "page": page})


def _grid_rows(
    plan: Plan, parent: Organisation, round_: Round | None, posted: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    current = {
        t.organisation_id: t.amount
        for t in Target.objects.filter(plan=plan, round=round_, organisation__parent=parent)
    }
    rows = []
    for child in (
        parent.units()
        .filter(is_active=True)
        .annotate(child_count=Count("children"))
        .order_by("name")
    ):
        key = f"t_{child.uuid}"
        value = (
            posted.get(key, "")
            if posted is not None
            else actions.plain_amount(current.get(child.pk))
        )
        rows.append({"org": child, "key": key, "value": value, "current": current.get(child.pk)})
    return rows


def _grid_context(plan: Plan, parent: Organisation, round_: Round | None) -> dict[str, Any]:
    children_total = sum(
        (
            t.amount
            for t in Target.objects.filter(plan=plan, round=round_, organisation__parent=parent)
        ),
        Decimal(0),
    )
    ceiling = Target.objects.filter(plan=plan, round=round_, organisation=parent).first()
    remaining = (ceiling.amount - children_total) if ceiling else None
    return {
        "plan": plan,
        "parent": parent,
        "round": round_,
        "rounds": plan.rounds.all(),
        "ceiling": ceiling.amount if ceiling else None,
        "allocated": children_total,
        "remaining": remaining,
        "over": -remaining if remaining is not None else None,
        "upload_form": TargetUploadForm(),
    }


@login_required
def targets(request: AuthenticatedRequest, public_id: str, node_id: str) -> HttpResponse:
    """The allocation grid: one level of the tree edited at once."""
    plan = access.get_plan(request.user, public_id)
    parent = access.node_in_plan(request.user, plan, node_id, Perm.TARGET_ALLOCATE)
    round_ = _round(plan, request)
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    posted = request.POST.dict() if request.method == "POST" else None
    if posted is not None:
        children = {f"t_{c.uuid}": c for c in parent.units()}
        amounts: dict[Organisation, Any] = {}
        for key, child in children.items():
            raw = posted.get(key, "").strip()
            if key in posted:
                amounts[child] = None if raw == "" else raw
        try:
            parsed = {}
            for child, raw in amounts.items():
                try:
                    parsed[child] = None if raw is None else actions.parse_amount(raw, plan.measure)
                except ValueError as exc:
                    errors[f"t_{child.uuid}"] = [str(exc)]
            if errors:
                raise ValidationError(_("Some targets could not be saved; see the rows marked."))
            actions.set_targets(
                by=request.user, plan=plan, parent=parent, round=round_, amounts=parsed
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors.update({f"t_{k}": v for k, v in exc.message_dict.items()})
            else:
                general.extend(exc.messages)
        else:
            messages.success(request, _("The targets were saved."))
            suffix = f"?round={round_.uuid}" if round_ else ""
            return redirect(request.path + suffix)
    rows = _grid_rows(plan, parent, round_, posted if (errors or general) else None)
    for row in rows:
        row["errors"] = errors.get(row["key"], [])
    context = _grid_context(plan, parent, round_) | {"rows": rows, "general": general}
    return render(
        request,
        "programmes/targets.html",
        context,
        status=400 if posted and (errors or general) else 200,
    )


@login_required
def targets_template(request: AuthenticatedRequest, public_id: str, node_id: str) -> HttpResponse:
    plan = access.get_plan(request.user, public_id)
    parent = access.node_in_plan(request.user, plan, node_id, Perm.TARGET_ALLOCATE)
    data = spreadsheets.target_template(plan, parent, _round(plan, request))
    response = HttpResponse(data, content_type=spreadsheets.XLSX)
    response["Content-Disposition"] = f'attachment; filename="targets-{parent.uuid}.xlsx"'
    return response


@login_required
@require_POST
def targets_upload(request: AuthenticatedRequest, public_id: str, node_id: str) -> HttpResponse:
    plan = access.get_plan(request.user, public_id)
    parent = access.node_in_plan(request.user, plan, node_id, Perm.TARGET_ALLOCATE)
    round_ = _round(plan, request)
    context = _grid_context(plan, parent, round_) | {"rows": _grid_rows(plan, parent, round_)}
    if "valid_rows" in request.POST:
        return _apply_valid_rows(request, plan, parent, round_, context)
    form = TargetUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request, "programmes/targets.html", context | {"upload_form": form}, status=400
        )
    try:
        parsed = spreadsheets.parse_targets(form.cleaned_data["file"].read(), plan, parent)
    except ValueError as exc:
        form.add_error("file", str(exc))
        return render(
            request, "programmes/targets.html", context | {"upload_form": form}, status=400
        )
    if parsed.errors:
        valid = signing.dumps(
            {str(o.uuid): str(a) for o, a in parsed.amounts.items()}, salt=SIGNING_SALT
        )
        return render(
            request,
            "programmes/targets.html",
            context
            | {
                "row_errors": parsed.errors,
                "valid_count": len(parsed.amounts),
                "valid_rows": valid,
            },
            status=400,
        )
    return _save_upload(request, plan, parent, round_, parsed.amounts, context)


def _apply_valid_rows(
    request: AuthenticatedRequest,
    plan: Plan,
    parent: Organisation,
    round_: Round | None,
    context: dict[str, Any],
) -> HttpResponse:
    try:
        rows = signing.loads(request.POST["valid_rows"], salt=SIGNING_SALT, max_age=3600)
    except signing.BadSignature as exc:
        raise Http404 from exc
    children = {str(c.uuid): c for c in parent.units()}
    amounts = {children[k]: Decimal(v) for k, v in rows.items() if k in children}
    return _save_upload(request, plan, parent, round_, amounts, context)


def _save_upload(
    request: AuthenticatedRequest,
    plan: Plan,
    parent: Organisation,
    round_: Round | None,
    amounts: dict[Organisation, Decimal],
    context: dict[str, Any],
) -> HttpResponse:
    try:
        actions.set_targets(
            by=request.user, plan=plan, parent=parent, round=round_, amounts=dict(amounts)
        )
    except ValidationError as exc:
        return render(
            request, "programmes/targets.html", context | {"general": exc.messages}, status=400
        )
    messages.success(request, _("The targets from the file were saved."))
    suffix = f"?round={round_.uuid}" if round_ else ""
    return redirect(reverse("programmes:targets", args=[plan.uuid, parent.uuid]) + suffix)
