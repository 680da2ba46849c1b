"""Fixtures shared by every app's tests: the demo tree and its personas."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from bloodline.demo.seed import DEMO_PASSWORD, Demo, seed

if TYPE_CHECKING:
    from bloodline.accounts.models import User
    from bloodline.collection.models import Donation
    from bloodline.organisations.models import Organisation


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts in the default language: a request handled in an earlier test on this
    worker may have activated another one for the thread."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


_media_folders = itertools.count()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path_factory: Any) -> None:
    # Uploaded plan documents go to a scratch folder, never into the checkout's var/: one per
    # test, named here and made only by a test that stores a file (not a tmp_path per test).
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media" / str(next(_media_folders))


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Argon2 is deliberately slow; tests hash hundreds of passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db: None) -> Demo:
    """The generated demo programme: Vietnamese and Chinese trees and one user per persona.
    Built once per test process, then copied in (bloodline/lib/db_snapshot.py)."""
    from bloodline.lib.db_snapshot import snapshots

    made, generation = snapshots.take("demo", seed)
    _demo_generation.clear()
    if generation is not None:
        _demo_generation[id(made)] = generation
    return made


# Which recorded demo the current test's ``demo`` was copied from (by the Demo's id).
_demo_generation: dict[int, int] = {}


@pytest.fixture
def login(client: Client) -> Any:
    def as_persona(username: str, **headers: Any) -> Client:
        c = Client(**headers)
        assert c.login(username=username, password=DEMO_PASSWORD)
        return c

    return as_persona


@pytest.fixture
def flushable_audit(transactional_db: None) -> Any:
    """For tests with real transactions (live server, threads): lets the test database be
    emptied afterwards. The audit table refuses DELETE and TRUNCATE by trigger, and Django
    empties the database after each such test, so the trigger is lifted just before the flush;
    the flush ends with post_migrate, which puts it back (bloodline/audit/apps.py)."""
    from django.db import connection

    from bloodline.audit import guards
    from bloodline.drives import locks
    from bloodline.lib import kept_rows

    yield
    guards.remove(connection)
    kept_rows.remove_all(connection)
    locks.remove_all(connection)


# Blood centre -------------------------------------------------------------------------------
# An equipped Vietnamese centre (local product codes, storage locations), a donation ready
# for the lab, and the people who test, verify, stock, allocate and receive.


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
        from django.utils import timezone

        from bloodline.demo.factories import collection

        person = donor or collection.donors(1, self.unit, prefix="Lab donor")[0]
        return collection.donations(
            [person],
            credited_to=self.unit,
            establishment=self.centre,
            at=at or timezone.now() - dt.timedelta(hours=3),
            volume_ml=350,
        )[0]

    def stocked(self, abo: str = "O", rhd: str = "pos", **kwargs: Any) -> list[Any]:
        """A new donation's red cells and plasma, released and in stock."""
        from bloodline.demo.factories import distribution as factories

        return factories.stocked(
            self.donation(**kwargs), lab=self.lab, clerk=self.clerk, abo=abo, rhd=rhd
        )


@pytest.fixture
def centre(demo: Demo) -> Centre:
    from bloodline.demo.factories import distribution as factories
    from bloodline.lib.db_snapshot import snapshots

    nodes = demo.nodes
    users = {p.username: u for p, u in demo.accounts}
    # The equipment is copied with the demo it was recorded on, never onto another tree.
    generation = _demo_generation.get(id(demo))
    if generation is not None:
        snapshots.take(("equip", generation), lambda: factories.equip(nodes["vn_centre"]))
    else:
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
