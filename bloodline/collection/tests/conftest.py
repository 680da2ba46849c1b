"""A drive of the Vietnamese blood centre, running today, for labels and donations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.drives import actions
from bloodline.drives.models import Drive, DriveStatus


@pytest.fixture
def running_drive(demo: Any) -> Any:
    """Make a drive of the Vietnamese centre around today and bring it to ``status``."""

    def make(status: str = DriveStatus.RUNNING, **overrides: Any) -> Drive:
        admin = User.objects.get(username="establishment_admin")
        today = timezone.localdate()
        values: dict[str, Any] = {
            "establishment": demo.nodes["vn_centre"],
            "hosts": [demo.nodes["vn_garment"]],
            "title": "Ngày hội hiến máu",
            "venue": "Hội trường",
            # Yesterday to tomorrow, so "today" in Vietnam is inside whatever the UTC hour.
            "starts_on": today - dt.timedelta(days=1),
            "ends_on": today + dt.timedelta(days=1),
            "opens_at": dt.time(0, 0),
            "closes_at": dt.time(23, 30),
            "slot_minutes": 240,
            "beds": 4,
        }
        values.update(overrides)
        drive = actions.create_drive(by=admin, **values)
        for step in (DriveStatus.CONFIRMED, DriveStatus.RUNNING):
            drive = actions.change_status(by=admin, drive=drive, status=step)
        return drive

    return make


@pytest.fixture
def users_by_name(demo: Any) -> dict[str, User]:
    return {u.username: u for u in User.objects.all()}
