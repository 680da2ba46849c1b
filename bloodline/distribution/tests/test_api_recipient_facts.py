"""The recipient's facts through the API: placed with the order, refused with 422 and a
translated message when wrong (nothing saved), returned with what they close or open, and the
anti-D prophylaxis condition carried on the shipment."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bloodline.distribution.models import Order
from bloodline.distribution.tests.test_api import _order_body, _scans
from bloodline.distribution.tests.test_recipient_facts import PLATELETS, o_pos_platelets

pytestmark = pytest.mark.django_db
ORDERS = "/api/v1/distribution/orders"


def _post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def hospital(login: Any) -> Any:
    return login("hospital_user", HTTP_ACCEPT_LANGUAGE="en")


def red_line(**facts: Any) -> dict[str, Any]:
    return {
        "component_code": "red_cells_additive",
        "abo": "O",
        "rhd": "neg",
        "quantity": 1,
        **facts,
    }


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        (
            {"recipient_sex": "F", "recipient_age": -1},
            "Line 1: the recipient's age must be a whole number of years from 0 to 130.",
        ),
        (
            {"recipient_sex": "F", "recipient_age": 140},
            "Line 1: the recipient's age must be a whole number of years from 0 to 130.",
        ),
        (
            {"recipient_sex": "M", "recipient_age": 8, "childbearing_potential": True},
            "Line 1: a male recipient cannot be declared of child-bearing potential.",
        ),
        (
            {"recipient_sex": "M", "recipient_age": 8, "allow_rhd_shortage": True},
            "Line 1: RhD-positive red cells cannot be accepted in shortage for this recipient "
            "(a child (18 years or younger)). Only an emergency release signed by the ordering "
            "clinician allows them.",
        ),
    ],
)
def test_bad_recipient_facts_answer_422_with_the_reason_and_save_nothing(
    centre: Any, hospital: Any, facts: dict[str, Any], message: str
) -> None:
    response = _post(hospital, ORDERS, _order_body(centre, lines=[red_line(**facts)]))
    assert response.status_code == 422
    assert [d["msg"] for d in response.json()["detail"]] == [message]
    assert not Order.objects.exists()


def test_a_non_number_age_answers_422(centre: Any, hospital: Any) -> None:
    body = _order_body(centre, lines=[red_line(recipient_age="thirty")])
    assert _post(hospital, ORDERS, body).status_code == 422
    assert not Order.objects.exists()


def test_the_order_returns_the_recipient_facts_and_their_restrictions(
    centre: Any, hospital: Any
) -> None:
    body = _order_body(
        centre,
        urgency="emergency",
        lines=[
            red_line(recipient_sex="F", recipient_age=30),
            red_line(
                recipient_sex="F",
                recipient_age=30,
                emergency_clinician="Dr Lan",
                emergency_reason="Massive bleeding",
            ),
        ],
    )
    response = _post(hospital, ORDERS, body)
    assert response.status_code == 201, response.content
    first, second = response.json()["lines"]
    assert (first["recipient_sex"], first["recipient_age"], first["anti_d"]) == ("F", 30, False)
    assert first["childbearing_potential"] is None and first["emergency_release"] is None
    assert first["restrictions"] == [
        "RhD-negative red cells only (a woman of child-bearing potential), even in shortage; "
        "RhD-positive red cells need an emergency release signed by the ordering clinician."
    ]
    release = second["emergency_release"]
    assert (release["clinician"], release["reason"]) == ("Dr Lan", "Massive bleeding")
    assert second["restrictions"] == [
        "Emergency release signed by Dr Lan: RhD-positive red cells may be given. "
        "Reason: Massive bleeding"
    ]


def test_the_shipment_carries_the_anti_d_prophylaxis_condition(
    centre: Any, hospital: Any, login: Any
) -> None:
    unit = o_pos_platelets(centre)
    line = {
        "component_code": PLATELETS,
        "abo": "O",
        "rhd": "neg",
        "quantity": 1,
        "recipient_sex": "F",
        "recipient_age": 25,
        "anti_d_prophylaxis": True,
    }
    placed = _post(hospital, ORDERS, _order_body(centre, lines=[line])).json()
    assert placed["lines"][0]["restrictions"] == [
        "Anti-D prophylaxis: the recipient may bear children; RhD-positive platelets may be "
        "given only with anti-D prophylaxis."
    ]
    desk = login("inventory_clerk", HTTP_ACCEPT_LANGUAGE="en")
    base = f"{ORDERS}/{placed['uuid']}"
    allocated = _post(desk, f"{base}/allocate", {"version": placed["version"]}).json()
    [unit_out] = allocated["lines"][0]["allocated"]
    assert unit_out["component"] == str(unit.uuid)
    assert "anti_d_prophylaxis" in unit_out["conditions"]
    shipment = _post(desk, f"{base}/pick", _scans(unit))
    assert shipment.status_code == 201, shipment.content
    [item] = shipment.json()["items"]
    assert "anti_d_prophylaxis" in item["conditions"]


def test_the_hospital_signs_an_emergency_release_through_the_api(
    centre: Any, hospital: Any
) -> None:
    placed = _post(
        hospital, ORDERS, _order_body(centre, lines=[red_line(recipient_sex="M", recipient_age=9)])
    ).json()
    url = f"{ORDERS}/{placed['uuid']}/lines/1/emergency-release"
    bad = _post(hospital, url, {"clinician": "", "reason": "x", "version": placed["version"]})
    assert bad.status_code == 422
    assert [d["msg"] for d in bad.json()["detail"]] == [
        "Line 1: an emergency release needs the ordering clinician's name and the reason."
    ]
    assert (
        _post(
            hospital,
            f"{ORDERS}/{placed['uuid']}/lines/2/emergency-release",
            {"clinician": "Dr Lan", "reason": "x", "version": placed["version"]},
        ).status_code
        == 404
    )
    done = _post(
        hospital, url, {"clinician": "Dr Lan", "reason": "Bleeding", "version": placed["version"]}
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["urgency"] == "emergency"
    assert body["lines"][0]["emergency_release"]["clinician"] == "Dr Lan"
