"""A donor signed in to the portal with a booking at a drive running now (for the station)
or later (for the window), built on the screening and drives fixtures."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.donors.models import DonorAccount
from bloodline.drives.models import Drive, Registration
from bloodline.screening.tests.conftest import (  # noqa: F401 (fixtures)
    HEALTHY,
    arrive,
    drive,
    english,
    make_drive,
    no_answers,
    nurse,
    physician,
    register,
    users,
)

PASSWORD = "a-donor's-passphrase"  # noqa: S105 (a generated test account)


def open_slot(drive: Drive) -> int:
    """The index of the drive's slot running now, else the next one."""
    now = timezone.now()
    slots = list(drive.slots.all())
    return next(i for i, s in enumerate(slots) if s.ends_at > now)


def sign_up(registration: Registration, username: str = "donor_mai") -> Client:
    """A donor account for the registration's person, signed in reading English."""
    user = User.objects.create_user(username=username, password=PASSWORD, full_name="Mai")
    DonorAccount.objects.create(user=user, donor=registration.donor)
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def booking(drive: Drive, register: Any) -> Registration:
    """Mai's booking at the drive running today, in the slot running now or next."""
    registration: Registration = register(
        drive, open_slot(drive), full_name="Nguyễn Thị Mai"
    ).registration
    return registration


@pytest.fixture
def mai(booking: Registration) -> Client:
    return sign_up(booking)
