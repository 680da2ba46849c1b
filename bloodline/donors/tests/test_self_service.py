"""A person signed in as a donor reaches their own record and nobody else's (issue 13)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.demo.factories import collection as factories
from bloodline.donors.models import Donor, DonorAccount
from bloodline.donors.self_service import donor_of, require_self


@pytest.mark.django_db
def test_a_donor_account_reaches_its_own_record_only(demo):
    mine, other = factories.donors(2, demo.nodes["vn_garment"], prefix="Người hiến")
    person = User.objects.create_user(username="donor-account-1", email="a@example.test")
    assert donor_of(person) is None and donor_of(AnonymousUser()) is None
    account = DonorAccount.objects.create(user=person)
    assert donor_of(person) is None  # signed up, not yet booked or claimed
    account.donor = mine
    account.save()
    assert donor_of(person) == mine
    require_self(person, mine)
    with pytest.raises(PermissionDenied):
        require_self(person, other)
    staff = next(u for p, u in demo.accounts if p.username == "drive_nurse")
    with pytest.raises(PermissionDenied):  # staff act through donors.access, not as the donor
        require_self(staff, mine)
    # A record merged into another leads to the record kept.
    Donor.objects.filter(pk=mine.pk).update(merged_into=other)
    assert donor_of(person) == other


@pytest.mark.django_db
def test_a_claimed_account_always_names_its_record(demo):
    person = User.objects.create_user(username="donor-account-2", email="b@example.test")
    with pytest.raises(IntegrityError), transaction.atomic():
        DonorAccount.objects.create(user=person, claimed_at=timezone.now())
