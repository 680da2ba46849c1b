"""The release gate (safety.md §3): what stops a component from being released or issued.

``blockers`` lists every reason, translated, so a person sees all of them at once. The same
conditions are enforced again by database triggers (migration lab 0002), which refuse a
release or an issue that bypasses this module.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.inventory.actions import zone
from bloodline.inventory.models import Component, LookbackHold, UnsafeDonation
from bloodline.inventory.status import Status
from bloodline.jurisdictions.labels import lab_test_name
from bloodline.lab import panel
from bloodline.lab.models import Sample
from bloodline.screening.models import Deferral


def donor_deferred(component: Component, on: dt.date) -> bool:
    return (
        Deferral.objects.filter(donor_id=component.donation.donor_id)
        .filter(Deferral.in_force_on(on))
        .exists()
    )


def local_day(component: Component, now: dt.datetime) -> dt.date:
    return timezone.localtime(now, zone(component.establishment)).date()


def lab_blockers(
    component: Component, now: dt.datetime
) -> tuple[list[str], panel.PanelState | None]:
    """Tests, group and donor: the part of the gate that the laboratory answers for."""
    problems: list[str] = []
    sample = Sample.objects.filter(donation_id=component.donation_id).first()
    if sample is None:
        return [_("The laboratory has not received this donation's sample.")], None
    donor = component.donation.donor
    state = panel.evaluate(sample, donor.abo_confirmed, donor.rhd_confirmed)
    for test in state.tests:
        if test.problem:
            problems.append(
                _("Test %(test)s: %(problem)s")
                % {"test": lab_test_name(test.code), "problem": test.problem}
            )
        elif test.state == "pending":
            problems.append(
                _("Test %(test)s is not complete.") % {"test": lab_test_name(test.code)}
            )
    problems += state.problems
    if not state.abo or not state.rhd:
        problems.append(_("The ABO/RhD group is not confirmed."))
    if UnsafeDonation.objects.filter(donation_id=component.donation_id).exists():
        problems.append(_("The donation was found unsafe."))
    if LookbackHold.objects.filter(donor_id=donor.pk, closed_at__isnull=True).exists():
        problems.append(
            _(
                "The donor's units are on look-back hold after a repeatedly reactive test; "
                "none is released or issued until the confirmatory result lifts the hold."
            )
        )
    # The database's copy of this rule (lab migration 0002) reads the day in UTC, the gate in
    # the establishment's zone; a donor deferred on either day is refused here, so the
    # database never refuses a release the gate let through.
    days = {local_day(component, now), now.astimezone(dt.UTC).date()}
    if any(donor_deferred(component, day) for day in days):
        problems.append(_("The donor is deferred."))
    return problems, state


def blockers(
    component: Component, now: dt.datetime | None = None, *, at_issue: bool = False
) -> list[str]:
    """Why the component may not be released now (or, ``at_issue``, may not leave now)."""
    return assess(component, now, at_issue=at_issue)[0]


def assess(
    component: Component, now: dt.datetime | None = None, *, at_issue: bool = False
) -> tuple[list[str], panel.PanelState | None]:
    """``blockers`` and the panel they were read from (its group is what a release records)."""
    now = now or timezone.now()
    status = component.current_status() if not at_issue else None
    problems: list[str] = []
    if component.unsafe_at is not None:
        problems.append(_("The unit is unsafe."))
    if component.discarded_at is not None or component.processed_at is not None:
        problems.append(_("The unit no longer exists as such."))
    if component.expires_at <= now:
        problems.append(_("The unit has expired."))
    if component.lookback_hold_id is not None:
        problems.append(_("The unit is on look-back hold."))
    if at_issue:
        if component.stocked_at is None:
            problems.append(_("The unit's label has not been checked into stock."))
        if component.issued_at is not None:
            problems.append(_("The unit has already been issued."))
    elif status != Status.QUARANTINED:
        problems.append(_("Only a quarantined unit can be released."))
    lab, state = lab_blockers(component, now)
    problems += lab
    if at_issue and state is not None and (state.abo, state.rhd) != (component.abo, component.rhd):
        problems.append(_("The unit's group does not match the laboratory's result."))
    return list(dict.fromkeys(problems)), state
