"""Blood-centre fixtures: an equipped Vietnamese centre, a donation ready for the lab, and
the people who test, release, stock, allocate and receive."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.collection import factories as collection
from bloodline.collection.models import Donation
from bloodline.distribution import factories
from bloodline.organisations.demo import Demo
from bloodline.organisations.models import Organisation


@dataclass
class Centre:
    centre: Organisation
    hospital: Organisation
    unit: Organisation
    lab: User
    second: User
    clerk: User
    hospital_user: User

    def donation(self, *, at: dt.datetime | None = None, donor: Any = None) -> Donation:
        person = donor or collection.donors(1, self.unit, prefix="Lab donor")[0]
        return collection.donations(
            [person],
            credited_to=self.unit,
            establishment=self.centre,
            at=at or timezone.now() - dt.timedelta(hours=3),
            volume_ml=350,
        )[0]


@pytest.fixture
def centre(demo: Demo) -> Centre:
    nodes = demo.nodes
    users = {p.username: u for p, u in demo.accounts}
    factories.equip(nodes["vn_centre"])
    return Centre(
        centre=nodes["vn_centre"],
        hospital=nodes["vn_hospital"],
        unit=nodes["vn_garment"],
        lab=users["lab_technician"],
        second=users["establishment_admin"],
        clerk=users["inventory_clerk"],
        hospital_user=users["hospital_user"],
    )
