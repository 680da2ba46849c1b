"""What a person signed in as a donor may reach: their own record, and nothing else (issue 13).

Staff reach donors through ``donors.access`` (registry and grants); a donor account holds no
grant, so every donor-facing page and ``/api/v1/me`` endpoint gets the record through here.
``donor_of`` is the one way from a signed-in person to "their" donor record; ``require_self``
is the check every donor-facing action repeats with its ``by=``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from bloodline.donors.models import Donor, DonorAccount
from bloodline.organisations.access import AnyUser


def account_of(user: AnyUser) -> DonorAccount | None:
    """The person's donor account, if they signed up as a donor."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    return DonorAccount.objects.select_related("donor").filter(user_id=user.pk).first()


def donor_of(user: AnyUser) -> Donor | None:
    """The donor record the signed-in person acts as (claimed, or made at their first
    booking); None before either, for anonymous visitors and for staff without an account.
    A record merged into another (a claim, a staff merge) leads to the one it went into."""
    account = account_of(user)
    if account is None or account.donor is None:
        return None
    donor = account.donor
    while donor.merged_into_id is not None:
        donor = Donor.objects.get(pk=donor.merged_into_id)
    return donor


def require_self(by: AnyUser, donor: Donor) -> None:
    """``by`` is the donor themself; anyone else (staff included) is refused here, as staff
    act on donors through ``donors.access``."""
    if not is_self(by, donor):
        raise PermissionDenied


def is_self(by: AnyUser, donor: Donor) -> bool:
    """Whether ``by`` is signed in as this donor (the record their account acts as)."""
    own = donor_of(by)
    return own is not None and own.pk == donor.pk
