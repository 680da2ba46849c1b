"""Booking fixtures (decision 0057): a confirmed drive, donors signed in through their own
donor account (who agreed to texts), the fake SMS gateway of the notifications tests."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from typing import Any

import pytest
from django.test import Client

from bloodline.accounts.models import User
from bloodline.donors.models import Donor, DonorAccount
from bloodline.drives.models import Drive, DriveStatus, Registration
from bloodline.drives.tests.conftest import in_days, make_drive, users  # noqa: F401
from bloodline.notifications.models import Message
from bloodline.notifications.tests.conftest import consenting, gateway, make_donor, nurse, system  # noqa: F401  # noqa: F401

_seq = itertools.count(1)


def account_for(donor: Donor | None) -> User:
    """A person signed up as a donor, acting as ``donor`` (None: no record yet)."""
    n = next(_seq)
    user = User.objects.create_user(username=f"donor-{n}", email=f"donor{n}@example.invalid")
    DonorAccount.objects.create(user=user, donor=donor)
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_to(donor: Donor, event: str) -> list[Message]:
    return list(Message.objects.filter(donor=donor, event=event).order_by("pk"))


def active(donor: Donor) -> list[Registration]:
    return list(Registration.objects.filter(donor=donor, cancelled_at__isnull=True))


@pytest.fixture
def drive(make_drive: Any) -> Drive:  # noqa: F811
    """Confirmed, in 30 days: two beds, four 30-minute slots from 07:00."""
    return make_drive(DriveStatus.CONFIRMED)


@pytest.fixture
def donor_user(consenting: Any) -> Any:  # noqa: F811
    """A donor who agreed to texts, signed in through their donor account."""

    def make(**values: Any) -> tuple[User, Donor]:
        donor = consenting("contact_sms", **values)
        return account_for(donor), donor

    return make


def noon_after(message: Message) -> dt.datetime:
    """Noon in Hanoi on the day after ``message`` was queued: due, outside quiet hours."""
    hanoi = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
    day = message.next_attempt_at.astimezone(hanoi).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=hanoi)
