"""Who may open the laboratory's work; built on organisations.access (decision 0025).

A donation's sample, its results, an import batch and a look-back hold are seen through the
establishment whose laboratory works on them. The laboratory pages and the laboratory API
get them here, so both answer alike: 404 outside the person's sight (existence not revealed),
403 when they see it but do not hold the permission asked for.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from bloodline.collection import access as collection_access
from bloodline.collection.models import Donation
from bloodline.inventory.models import LookbackHold
from bloodline.lab.models import ImportBatch, NotificationTask, Sample, TestResult
from bloodline.organisations import access
from bloodline.organisations.access import AnyUser
from bloodline.organisations.kinds import ESTABLISHMENTS
from bloodline.organisations.models import OrganisationQuerySet
from bloodline.organisations.roles import Perm


def establishments(user: AnyUser, perm: str = Perm.LAB_RESULT) -> OrganisationQuerySet:
    """The establishments whose laboratory work the person may do with ``perm``."""
    return access.organisations(user, perm).filter(kind__in=sorted(ESTABLISHMENTS))


def lab_scope(user: AnyUser) -> OrganisationQuerySet:
    """The person's laboratory establishments; 403 for someone who does no laboratory work."""
    if not access.holds_anywhere(user, Perm.LAB_RESULT):
        raise PermissionDenied
    return establishments(user)


def get_donation(user: AnyUser, din: str, perm: str = Perm.LAB_RESULT) -> Donation:
    """The donation with this DIN, if the person may see it; 403 without ``perm`` there."""
    found = Donation.objects.select_related("establishment", "donor")
    return collection_access.get_donation(user, din, perm=perm, queryset=found)


def get_result(
    user: AnyUser,
    public_id: uuid.UUID | str,
    *,
    perm: str = Perm.VIEW,
    sample: Sample | None = None,
) -> TestResult:
    """A test result, seen through the establishment of its sample (of ``sample`` only, when
    one is given: a page's result buttons act on the sample the page shows)."""
    found = TestResult.objects.select_related("sample__establishment")
    if sample is not None:
        found = found.filter(sample=sample)
    return access.get_in_scope(user, found, perm=perm, via="sample__establishment", uuid=public_id)


def get_batch(user: AnyUser, public_id: uuid.UUID | str, *, perm: str) -> ImportBatch:
    found = ImportBatch.objects.select_related("imported_by")
    return access.get_in_scope(user, found, perm=perm, via="establishment", uuid=public_id)


def get_hold(
    user: AnyUser,
    public_id: uuid.UUID | str,
    *,
    perm: str = Perm.VIEW,
    queryset: QuerySet[LookbackHold] | None = None,
) -> LookbackHold:
    """A look-back hold, seen through the establishment that placed it."""
    found = queryset if queryset is not None else LookbackHold.objects.all()
    return access.get_in_scope(user, found, perm=perm, via="establishment", uuid=public_id)


def notification_tasks(user: AnyUser) -> QuerySet[NotificationTask]:
    """Look-back notices of the person's hospitals, and those raised from their laboratory's
    donations; 403 for someone who neither places orders nor does laboratory work."""
    hospital = access.holds_anywhere(user, Perm.ORDER_PLACE)
    lab = access.holds_anywhere(user, Perm.LAB_RESULT)
    if not (hospital or lab):
        raise PermissionDenied
    found = NotificationTask.objects.select_related(
        "hospital", "component__donation", "result", "acknowledged_by"
    )
    if access.unbounded(user):
        return found
    # The scope is a handful of organisations: ask with their ids, not with two subqueries
    # OR-ed across joins, which PostgreSQL can plan as a scan per row (minutes on a big table).
    hospitals = list(access.organisations(user, Perm.ORDER_PLACE).values_list("pk", flat=True))
    labs = list(establishments(user).values_list("pk", flat=True))
    return found.filter(
        Q(hospital_id__in=hospitals) | Q(component__donation__establishment_id__in=labs)
    )
