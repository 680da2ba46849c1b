"""Target sums that must hold at every level of a plan (decision 0020).

- A parent's target is never below what its direct children hold, for the period and for each
  round, unless the plan allows over-allocation (then the excess shows on the targets page).
- The round targets of an organisation add up to at most its target for the whole period —
  always: rounds split a period, they cannot exceed it.
- A target that its children or rounds still lean on cannot be removed.

Every check reads the targets already stored, in a fixed number of queries, inside the caller's
transaction; the callers hold the plan's row lock, so two allocations of the same plan cannot
interleave between the check and the write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from bloodline.organisations.models import Organisation
from bloodline.programmes.models import Plan, Round, Target


def held_by_children(
    plan: Plan, round_: Round | None, parents: Iterable[Organisation]
) -> dict[int, Decimal]:
    """What the direct children of each parent hold, by the parent's id."""
    rows = (
        Target.objects.filter(plan=plan, round=round_, organisation__parent__in=list(parents))
        .values("organisation__parent")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["organisation__parent"]: row["total"] for row in rows}


def in_rounds(
    plan: Plan, organisations: Iterable[Organisation], leave_out: Round | None = None
) -> dict[int, Decimal]:
    """The sum of each organisation's round targets (without ``leave_out``), by its id."""
    targets = Target.objects.filter(
        plan=plan, round__isnull=False, organisation__in=list(organisations)
    )
    if leave_out is not None:
        targets = targets.exclude(round=leave_out)
    rows = targets.values("organisation").annotate(total=Sum("amount")).order_by()
    return {row["organisation"]: row["total"] for row in rows}


def for_period(plan: Plan, organisations: Iterable[Organisation]) -> dict[int, Decimal]:
    return {
        t.organisation_id: t.amount
        for t in Target.objects.filter(
            plan=plan, round__isnull=True, organisation__in=list(organisations)
        )
    }


def plain_amount(amount: Decimal | None) -> str:
    """An amount as people write it: 1005, 12.5 (never 1.005E+3 or 1005.00)."""
    if amount is None:
        return ""
    if amount == amount.to_integral_value():
        return str(amount.quantize(Decimal(1)))
    return str(amount.normalize())


def problems(
    plan: Plan, round_: Round | None, amounts: Mapping[Organisation, Decimal | None]
) -> dict[Organisation, str]:
    """For each organisation whose new target would break a sum, the reason (translated)."""
    orgs = list(amounts)
    below = held_by_children(plan, round_, orgs)
    rounds = in_rounds(plan, orgs, leave_out=round_)
    period = for_period(plan, orgs) if round_ is not None else {}
    found: dict[Organisation, str] = {}
    for org, amount in amounts.items():
        message = _problem(plan, round_, org, amount, below, rounds, period)
        if message:
            found[org] = message
    return found


def _problem(
    plan: Plan,
    round_: Round | None,
    org: Organisation,
    amount: Decimal | None,
    below: Mapping[int, Decimal],
    rounds: Mapping[int, Decimal],
    period: Mapping[int, Decimal],
) -> str:
    name = org.display_name()
    held = below.get(org.pk)
    if amount is None:
        if held is not None or (round_ is None and org.pk in rounds):
            return _(
                "The target of %(name)s cannot be removed while its units or rounds hold "
                "targets; remove theirs first."
            ) % {"name": name}
        return ""
    if held is not None and amount < held and not plan.allow_over_allocation:
        return _(
            "The units of %(name)s already hold %(total)s; its target cannot be lower. "
            "Lower theirs first, or allow over-allocation in the plan."
        ) % {"name": name, "total": plain_amount(held)}
    if round_ is None and amount < rounds.get(org.pk, Decimal(0)):
        return _(
            "The rounds of %(name)s already hold %(total)s; its target for the whole period "
            "cannot be lower."
        ) % {"name": name, "total": plain_amount(rounds[org.pk])}
    ceiling = period.get(org.pk)
    if round_ is not None and ceiling is not None:
        total = rounds.get(org.pk, Decimal(0)) + amount
        if total > ceiling:
            return _(
                "With this target the rounds of %(name)s add up to %(total)s, more than its "
                "%(ceiling)s for the whole period."
            ) % {"name": name, "total": plain_amount(total), "ceiling": plain_amount(ceiling)}
    return ""
