"""Inventory fixtures on top of the root ``centre``: units at each step before stock, and a
clock that can be moved forward (expiry is measured against ``timezone.now``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.inventory import actions
from bloodline.inventory.models import Component
from bloodline.lab import actions as lab
from bloodline.lab import imports


@pytest.fixture
def english(login: Any) -> Callable[[str], Client]:
    """A signed-in client reading the pages in English (the personas' own language is
    Vietnamese or Chinese)."""

    def as_persona(username: str) -> Client:
        client: Client = login(username)
        client.cookies["django_language"] = "en"
        return client

    return as_persona


@pytest.fixture
def processed(centre: Any) -> Callable[..., list[Component]]:
    """A new donation's red cells and plasma, quarantined."""

    def make(**kwargs: Any) -> list[Component]:
        return actions.process_donation(
            by=centre.clerk,
            donation=centre.donation(**kwargs),
            recipe="red_cells_plasma",
            volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
        )

    return make


@pytest.fixture
def released(centre: Any, processed: Any) -> Callable[..., list[Component]]:
    """Red cells and plasma released by the laboratory, label not printed yet."""

    def make(abo: str = "O", rhd: str = "pos", **kwargs: Any) -> list[Component]:
        made = processed(**kwargs)
        donation = made[0].donation
        rows = factories.passing_rows(donation, abo, rhd)
        imports.import_results(
            by=centre.lab,
            establishment=centre.centre,
            file_name="run.csv",
            content=factories.to_csv(rows),
        )
        return [lab.release(by=centre.lab, component=c) for c in made]

    return make


@pytest.fixture
def labelled(centre: Any, released: Any) -> Callable[..., list[Component]]:
    """Released units whose label is printed, waiting for the scan-back."""

    def make(abo: str = "O", rhd: str = "pos", **kwargs: Any) -> list[Component]:
        return [
            actions.label_printed(by=centre.clerk, component=c)
            for c in released(abo, rhd, **kwargs)
        ]

    return make


@pytest.fixture
def travel(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.timedelta], dt.datetime]:
    """Move the clock forward by ``delta`` for the rest of the test; returns the new now."""

    def forward(delta: dt.timedelta) -> dt.datetime:
        moment = timezone.now() + delta
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return forward
