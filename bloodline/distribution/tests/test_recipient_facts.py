"""Order lines carry what the hospital knows of the recipient, and allocation obeys it
(components.md §5.4, decision 0017): RhD-positive red cells never reach a protected RhD-negative
recipient, even in shortage, except under a signed emergency release; RhD-positive platelets
reach one who may bear children only with anti-D prophylaxis; bad facts are refused whole."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from bloodline.audit.models import AuditEvent
from bloodline.collection.models import DonationType
from bloodline.demo.factories import collection
from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions as distribution
from bloodline.distribution.models import Allocation, Order, OrderLine
from bloodline.inventory.models import Component

pytestmark = pytest.mark.django_db
RED = "red_cells_additive"
PLATELETS = "platelets_apheresis"
WOMAN_OF_30: dict[str, Any] = {"recipient_sex": "F", "recipient_age": 30}
MAN_OF_40: dict[str, Any] = {"recipient_sex": "M", "recipient_age": 40}


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def place(
    centre: Any, rhd: str = "neg", product: str = RED, urgency: str = "routine", **facts: Any
) -> Order:
    return distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency=urgency,
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[distribution.LineRequest(product, "O", rhd, 1, **facts)],
    )


def refused(centre: Any, **kwargs: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        place(centre, **kwargs)
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    return caught.value.message_dict["lines"]


def o_pos_red_cells(centre: Any) -> Component:
    red, _plasma = centre.stocked("O", "pos")
    return red


def o_pos_platelets(centre: Any) -> Component:
    donation = collection.donations(
        collection.donors(1, centre.unit, prefix="Platelet donor"),
        credited_to=centre.unit,
        establishment=centre.centre,
        at=timezone.now() - dt.timedelta(hours=3),
        volume_ml=250,
        donation_type=DonationType.PLATELETS,
    )[0]
    [unit] = factories.stocked(
        donation,
        lab=centre.lab,
        clerk=centre.clerk,
        abo="O",
        rhd="pos",
        recipe=PLATELETS,
        volumes={PLATELETS: 250},
    )
    return unit


@pytest.mark.parametrize("age", [-1, 131, 400])
def test_it_refuses_a_recipient_age_out_of_range_and_writes_nothing(centre: Any, age: int) -> None:
    assert refused(centre, recipient_sex="M", recipient_age=age) == [
        "Line 1: the recipient's age must be a whole number of years from 0 to 130."
    ]


def test_it_refuses_child_bearing_potential_declared_for_a_male(centre: Any) -> None:
    assert refused(centre, recipient_sex="M", recipient_age=30, childbearing_potential=True) == [
        "Line 1: a male recipient cannot be declared of child-bearing potential."
    ]


def test_it_refuses_an_unknown_sex_code(centre: Any) -> None:
    assert refused(centre, recipient_sex="X") == [
        "Line 1: choose the recipient's sex, or leave it empty if it is not known."
    ]


@pytest.mark.parametrize(
    ("facts", "reasons"),
    [
        (WOMAN_OF_30, "a woman of child-bearing potential"),
        ({"recipient_sex": "M", "recipient_age": 12}, "a child (18 years or younger)"),
        ({**MAN_OF_40, "anti_d": True}, "known anti-D"),
        ({**MAN_OF_40, "chronically_transfused": True}, "chronically transfused"),
        ({}, "age not stated, sex not stated"),
    ],
)
def test_it_refuses_the_shortage_flag_for_a_protected_recipient_and_says_why(
    centre: Any, facts: dict[str, Any], reasons: str
) -> None:
    assert refused(centre, allow_rhd_shortage=True, **facts) == [
        "Line 1: RhD-positive red cells cannot be accepted in shortage for this recipient "
        f"({reasons}). Only an emergency release signed by the ordering clinician allows them."
    ]


@pytest.mark.parametrize(
    "facts",
    [
        MAN_OF_40,
        {"recipient_sex": "F", "recipient_age": 51},
        {**WOMAN_OF_30, "childbearing_potential": False},
    ],
)
def test_rhd_positive_red_cells_reach_an_unprotected_recipient_in_shortage(
    centre: Any, facts: dict[str, Any]
) -> None:
    unit = o_pos_red_cells(centre)
    [allocation] = distribution.allocate(
        by=centre.clerk, order=place(centre, allow_rhd_shortage=True, **facts)
    )
    assert allocation.component == unit and allocation.conditions == "rhd_shortage_only"


def test_a_woman_who_may_bear_children_never_gets_rhd_positive_red_cells(centre: Any) -> None:
    unit = o_pos_red_cells(centre)
    order = place(centre, **WOMAN_OF_30)
    assert distribution.allocate(by=centre.clerk, order=order) == []
    with pytest.raises(ValidationError) as caught:
        distribution.allocate_unit(by=centre.clerk, line=order.lines.get(), component=unit)
    assert caught.value.messages == [
        "RhD-positive red cells must not be given to this RhD-negative recipient (a woman of "
        "child-bearing potential); only an emergency release signed by the ordering clinician "
        "allows them."
    ]
    assert not Allocation.objects.exists()


def test_an_unprotected_recipient_without_the_shortage_flag_is_told_what_is_missing(
    centre: Any,
) -> None:
    unit = o_pos_red_cells(centre)
    order = place(centre, **MAN_OF_40)
    with pytest.raises(ValidationError) as caught:
        distribution.allocate_unit(by=centre.clerk, line=order.lines.get(), component=unit)
    assert caught.value.messages == [
        "RhD-positive red cells reach this RhD-negative recipient only if the order accepts "
        "them in shortage."
    ]


def test_a_line_from_before_the_recipient_facts_gets_the_strictest_answer(centre: Any) -> None:
    """A line as the migration leaves it: shortage accepted, no sex, no age."""
    o_pos_red_cells(centre)
    order = place(centre, **MAN_OF_40)
    OrderLine.objects.filter(order=order).update(
        allow_rhd_shortage=True, recipient_sex="", recipient_age=None
    )
    assert distribution.allocate(by=centre.clerk, order=order) == []


def test_a_signed_emergency_release_opens_rhd_positive_red_cells_and_is_audited(
    centre: Any,
) -> None:
    unit = o_pos_red_cells(centre)
    order = place(
        centre,
        urgency="emergency",
        emergency_clinician="BS. Trần Thị Lan",
        emergency_reason="Xuất huyết ồ ạt, không còn hồng cầu RhD âm",
        **WOMAN_OF_30,
    )
    line = order.lines.get()
    assert line.emergency_signed_by == centre.hospital_user and line.emergency_signed_at
    [allocation] = distribution.allocate(by=centre.clerk, order=order)
    assert allocation.component == unit and allocation.conditions == "emergency_release"
    event = AuditEvent.objects.get(action="order.emergency_release")
    assert event.object_id == str(order.uuid)
    assert event.reason == "Xuất huyết ồ ạt, không còn hồng cầu RhD âm"
    assert event.changes["clinician"] == [None, "BS. Trần Thị Lan"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            {"urgency": "emergency", "emergency_clinician": "Dr Lan"},
            "Line 1: an emergency release needs the ordering clinician's name and the reason.",
        ),
        (
            {"urgency": "urgent", "emergency_clinician": "Dr Lan", "emergency_reason": "bleeding"},
            "Line 1: an emergency release is possible only on an order of emergency urgency.",
        ),
        (
            {
                "urgency": "emergency",
                "rhd": "pos",
                "emergency_clinician": "Dr Lan",
                "emergency_reason": "bleeding",
            },
            "Line 1: an emergency release applies only to red cells or whole blood for an "
            "RhD-negative recipient.",
        ),
        (
            {"product": "plasma_fresh_frozen", "anti_d_prophylaxis": True},
            "Line 1: anti-D prophylaxis applies only to platelets for an RhD-negative recipient.",
        ),
    ],
)
def test_it_refuses_a_release_or_a_prophylaxis_flag_where_it_does_not_belong(
    centre: Any, line: dict[str, Any], message: str
) -> None:
    assert refused(centre, **line) == [message]


def test_rhd_positive_platelets_need_anti_d_prophylaxis_for_a_woman_who_may_bear_children(
    centre: Any,
) -> None:
    unit = o_pos_platelets(centre)
    without = place(centre, product=PLATELETS, **WOMAN_OF_30)
    assert distribution.allocate(by=centre.clerk, order=without) == []
    with pytest.raises(ValidationError) as caught:
        distribution.allocate_unit(by=centre.clerk, line=without.lines.get(), component=unit)
    assert caught.value.messages == [
        "RhD-positive platelets for an RhD-negative recipient who may bear children need the "
        "anti-D prophylaxis flag on the order line."
    ]
    flagged = place(centre, product=PLATELETS, anti_d_prophylaxis=True, **WOMAN_OF_30)
    [allocation] = distribution.allocate(by=centre.clerk, order=flagged)
    assert allocation.component == unit and "anti_d_prophylaxis" in allocation.conditions


def test_rhd_positive_platelets_still_reach_an_rhd_negative_man(centre: Any) -> None:
    unit = o_pos_platelets(centre)
    [allocation] = distribution.allocate(
        by=centre.clerk, order=place(centre, product=PLATELETS, **MAN_OF_40)
    )
    assert allocation.component == unit


def test_rhd_positive_platelets_reach_a_recipient_past_child_bearing_age_of_unstated_sex(
    centre: Any,
) -> None:
    unit = o_pos_platelets(centre)
    [allocation] = distribution.allocate(
        by=centre.clerk, order=place(centre, product=PLATELETS, recipient_age=60)
    )
    assert allocation.component == unit


def _forced(line: OrderLine, unit: Component) -> None:
    with transaction.atomic():
        Allocation.objects.create(
            line=line,
            component=unit,
            allocated_at=timezone.now(),
            allocated_by=line.order.placed_by,
        )


def test_the_database_refuses_rhd_positive_red_cells_for_a_protected_line(centre: Any) -> None:
    unit = o_pos_red_cells(centre)
    line = place(centre, **WOMAN_OF_30).lines.get()
    OrderLine.objects.filter(pk=line.pk).update(allow_rhd_shortage=True, recipient_age=None)
    with pytest.raises(IntegrityError):
        _forced(line, unit)
    OrderLine.objects.filter(pk=line.pk).update(recipient_age=60, recipient_sex="M")
    _forced(line, unit)  # shortage for a man of stated age: the database lets it through
    assert Allocation.objects.count() == 1


def test_the_database_refuses_rhd_positive_platelets_without_prophylaxis(centre: Any) -> None:
    unit = o_pos_platelets(centre)
    line = place(centre, product=PLATELETS).lines.get()  # sex and age not stated
    with pytest.raises(IntegrityError):
        _forced(line, unit)
    OrderLine.objects.filter(pk=line.pk).update(anti_d_prophylaxis=True)
    _forced(line, unit)
    assert Allocation.objects.count() == 1


def test_the_database_keeps_an_emergency_release_whole(centre: Any) -> None:
    line = place(centre).lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.filter(pk=line.pk).update(emergency_clinician="Dr Lan")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.filter(pk=line.pk).update(recipient_age=131)


def test_an_emergency_release_signed_after_placing_opens_rhd_positive_red_cells(
    centre: Any,
) -> None:
    unit = o_pos_red_cells(centre)
    order = place(centre, urgency="urgent", **WOMAN_OF_30)
    assert distribution.allocate(by=centre.clerk, order=order) == []
    line = distribution.sign_emergency_release(
        by=centre.hospital_user,
        line=order.lines.get(),
        clinician="BS. Lan",
        reason="Sốc mất máu",
        version=order.version,
    )
    assert line.emergency_release and line.emergency_signed_by == centre.hospital_user
    order.refresh_from_db()
    assert order.urgency == "emergency"
    assert AuditEvent.objects.filter(action="order.urgency").count() == 1
    assert AuditEvent.objects.get(action="order.emergency_release").reason == "Sốc mất máu"
    [allocation] = distribution.allocate(by=centre.clerk, order=order)
    assert allocation.component == unit and allocation.conditions == "emergency_release"


@pytest.mark.parametrize(
    ("product", "rhd", "clinician", "reason", "message"),
    [
        (RED, "neg", "", "bleeding", "an emergency release needs the ordering clinician's name"),
        (RED, "neg", "Dr Lan", " ", "an emergency release needs the ordering clinician's name"),
        (RED, "pos", "Dr Lan", "bleeding", "applies only to red cells or whole blood"),
        ("plasma_fresh_frozen", "neg", "Dr Lan", "bleeding", "applies only to red cells"),
    ],
)
def test_an_emergency_release_after_placing_is_refused_where_it_does_not_apply(
    centre: Any, product: str, rhd: str, clinician: str, reason: str, message: str
) -> None:
    order = place(centre, rhd=rhd, product=product)
    with pytest.raises(ValidationError) as caught:
        distribution.sign_emergency_release(
            by=centre.hospital_user, line=order.lines.get(), clinician=clinician, reason=reason
        )
    [said] = caught.value.messages
    assert said.startswith("Line 1: ") and message in said
    line = order.lines.get()
    assert not line.emergency_release
    order.refresh_from_db()
    assert order.urgency == "routine" and order.version == 1
    assert not AuditEvent.objects.filter(action="order.emergency_release").exists()


def test_only_the_ordering_hospital_signs_an_emergency_release(centre: Any) -> None:
    from django.core.exceptions import PermissionDenied

    order = place(centre, **WOMAN_OF_30)
    with pytest.raises(PermissionDenied):
        distribution.sign_emergency_release(
            by=centre.clerk, line=order.lines.get(), clinician="Dr Lan", reason="bleeding"
        )
    assert not order.lines.get().emergency_release
