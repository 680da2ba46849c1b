"""The database's allocation guard (migration 0004) against the rules: for every kind of
recipient in the compatibility matrix and every flag, the guard lets through each RhD-positive
unit the rules allow (it is never stricter, so it never turns a right allocation into an
error), and refuses the ones the row alone shows to be wrong."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from bloodline.distribution import recipients
from bloodline.distribution.models import Allocation, OrderLine
from bloodline.distribution.tests.test_recipient_facts import (
    PLATELETS,
    RED,
    o_pos_platelets,
    o_pos_red_cells,
    place,
)
from bloodline.distribution.tests.test_recipient_rhd_matrix import PROFILES

pytestmark = pytest.mark.django_db
FLAGS = [(s, p, e) for s in (False, True) for p in (False, True) for e in (False, True)]
COLUMNS = {
    "sex": "recipient_sex",
    "age_years": "recipient_age",
    "childbearing_potential": "childbearing_potential",
    "anti_d": "anti_d",
    "chronically_transfused": "chronically_transfused",
}


class _Undo(Exception):
    """Raised to roll back an allocation the guard let through."""


def _guard_allows(line: OrderLine, unit: Any) -> bool:
    try:
        with transaction.atomic():
            Allocation.objects.create(
                line=line,
                component=unit,
                allocated_at=timezone.now(),
                allocated_by=line.order.placed_by,
            )
            raise _Undo
    except IntegrityError:
        return False
    except _Undo:
        return True


def test_the_guard_is_never_stricter_than_the_rules_and_refuses_unknown_recipients(
    centre: Any,
) -> None:
    ages = recipients.limits(centre.centre)
    units = {RED: o_pos_red_cells(centre), PLATELETS: o_pos_platelets(centre)}
    lines = {product: place(centre, product=product).lines.get() for product in units}
    refused = {RED: 0, PLATELETS: 0}
    for _name, facts, _protected, _bears in PROFILES:
        for shortage, prophylaxis, emergency in FLAGS:
            for product, unit in units.items():
                line = lines[product]
                values = {COLUMNS[key]: value for key, value in facts.items()}
                values = {
                    "recipient_sex": "",
                    "recipient_age": None,
                    "childbearing_potential": None,
                    "anti_d": False,
                    "chronically_transfused": False,
                    **values,
                    "allow_rhd_shortage": shortage,
                    "anti_d_prophylaxis": prophylaxis,
                    "emergency_clinician": "Dr Lan" if emergency else "",
                    "emergency_reason": "bleeding" if emergency else "",
                    "emergency_signed_at": timezone.now() if emergency else None,
                    "emergency_signed_by": line.order.placed_by if emergency else None,
                }
                OrderLine.objects.filter(pk=line.pk).update(**values)
                line.refresh_from_db()
                allowed = ("O", "pos") in {
                    (c.abo, c.rhd) for c in recipients.line_choices(line, ages)
                }
                guarded = _guard_allows(line, unit)
                assert guarded or not allowed, (product, facts, shortage, prophylaxis, emergency)
                refused[product] += not guarded
                if not facts and not emergency and not prophylaxis:
                    assert not guarded, (product, shortage)
    assert refused[RED] and refused[PLATELETS]
