"""What the staff side of the donor portal may reach (decision 0056): the erasure requests of
the donors a person manages, and whether "Donor services" opens for them. The menu asks the
same question as the page, so the entry is shown exactly to the people the page opens for."""

from __future__ import annotations

from django.db.models import QuerySet

from bloodline.accounts.models import User
from bloodline.donors import access as donor_access
from bloodline.donors.models import Donor
from bloodline.notifications import access as notification_access
from bloodline.organisations import access as organisation_access
from bloodline.organisations.roles import Perm
from bloodline.portal.account_models import ErasureRequest, ErasureStatus


def pending_erasures(user: User) -> QuerySet[ErasureRequest]:
    """Erasure requests waiting for an answer, of the donors ``user`` manages."""
    visible = donor_access.visible(Donor.objects.all(), user, Perm.DONOR_MANAGE)
    return ErasureRequest.objects.filter(status=ErasureStatus.PENDING, donor__in=visible)


def manages_donors(user: User) -> bool:
    return organisation_access.holds_anywhere(user, Perm.DONOR_MANAGE)


def opens_staff_home(user: User) -> bool:
    """Whether "Donor services" opens for ``user``: they manage donors somewhere, or the
    messages of at least one blood establishment."""
    return manages_donors(user) or notification_access.establishments(user).exists()
