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
from bloodline.screening.tests import conftest as station_fixtures

# The screening and drives fixtures, offered to the portal's pre-screening tests; a test
# module takes them with ``from bloodline.portal.tests.prescreen_world import *``.
drive = station_fixtures.drive
english = station_fixtures.english
make_drive = station_fixtures.make_drive
nurse = station_fixtures.nurse
physician = station_fixtures.physician
register = station_fixtures.register
users = station_fixtures.users

PASSWORD = "a-donor's-passphrase"


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
def booking(request: Any) -> Registration:
    """Mai's booking at the drive running today, in the slot running now or next."""
    running: Drive = request.getfixturevalue("drive")
    book = request.getfixturevalue("register")
    registration: Registration = book(
        running, open_slot(running), full_name="Nguyễn Thị Mai"
    ).registration
    return registration


@pytest.fixture
def mai(request: Any) -> Client:
    return sign_up(request.getfixturevalue("booking"))
