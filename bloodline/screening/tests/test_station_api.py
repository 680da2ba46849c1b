"""The donation-day stations over /api/v1/stations: the same steps, scope and refusals as the
pages (decision 0042). A drive nurse and a physician run one donor from check-in to the label;
bad input answers a translated 422 and writes nothing; a deferred donor is refused at
collection."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from bloodline.audit.models import AuditEvent
from bloodline.collection.models import Donation
from bloodline.drives.models import Drive
from bloodline.screening.models import Presentation, Step
from bloodline.screening.tests.conftest import HEALTHY

pytestmark = pytest.mark.django_db
API = "/api/v1/stations"


def post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{API}/{path}", json.dumps(body), content_type="application/json")


def check_in(client: Any, drive: Drive, registration: Any) -> dict[str, Any]:
    response = post(client, f"{drive.uuid}/check-in", {"scan": str(registration.uuid)})
    assert response.status_code == 201, response.content
    return dict(response.json())


def screened(
    nurse: Any, drive: Drive, registration: Any, **vitals: Any
) -> tuple[str, dict[str, Any]]:
    """Checked in, every question answered no, vital signs taken: at the physician."""
    found = check_in(nurse, drive, registration)
    step = f"{drive.uuid}/presentations/{found['uuid']}"
    answers = {q["code"]: "no" for q in found["questions"]}
    assert answers, "the Vietnamese questionnaire asks questions"
    assert post(nurse, f"{step}/answers", {"answers": answers}).status_code == 200
    measured = post(nurse, f"{step}/vitals", {k: float(v) for k, v in (HEALTHY | vitals).items()})
    assert measured.status_code == 200, measured.content
    return step, dict(measured.json())


def collection_body(**changes: Any) -> dict[str, Any]:
    now = timezone.now()
    body = {
        "bag_type": "triple",
        "volume_ml": 350,
        "started_at": (now - dt.timedelta(minutes=10)).isoformat(),
        "ended_at": now.isoformat(),
    }
    return body | changes


def test_a_donor_goes_from_check_in_to_the_label(drive: Drive, register: Any, english: Any) -> None:
    nurse, physician = english("drive_nurse"), english("physician")
    registration = register(drive).registration
    step, measured = screened(nurse, drive, registration)
    assert measured["step"] == Step.PHYSICIAN and measured["engine_outcome"] == "eligible"
    volume = max(measured["offered_volumes_ml"])
    decided = post(physician, f"{step}/decision", {"decision": "accept", "volume_ml": volume})
    assert decided.status_code == 200 and decided.json()["step"] == Step.COLLECTION
    collected = post(nurse, f"{step}/collection", collection_body(volume_ml=volume))
    assert collected.status_code == 201, collected.content
    din = collected.json()["din"]
    donation = Donation.objects.get(din=din)
    assert donation.is_complete and collected.json()["presentation"]["step"] == Step.POST_CARE
    label = nurse.get(f"{API}/labels/{din}").json()
    assert label["din"] == din and len(label["check_character"]) == 1
    assert label["labels"][0]["kind"] == "bag"
    assert label["labels"][0]["barcode_data"].startswith(f"={din}")
    assert label["blood_group"] == ""  # not confirmed by the laboratory yet
    cared = post(nurse, f"{step}/post-care", {})
    assert cared.status_code == 200 and cared.json()["step"] == Step.DONE


def test_reads_of_the_donor_are_logged(drive: Drive, register: Any, english: Any) -> None:
    nurse = english("drive_nurse")
    found = check_in(nurse, drive, register(drive).registration)
    before = AuditEvent.objects.filter(action="donor.read").count()
    response = nurse.get(f"{API}/{drive.uuid}/presentations/{found['uuid']}")
    assert response.status_code == 200 and response.json()["full_name"] == found["full_name"]
    assert AuditEvent.objects.filter(action="donor.read").count() == before + 1


def test_each_queue_is_paginated(drive: Drive, register: Any, english: Any) -> None:
    nurse = english("drive_nurse")
    first, second, _third = (register(drive, slot_index=i).registration for i in range(3))
    page = nurse.get(f"{API}/{drive.uuid}/arrivals?limit=2").json()
    assert page["count"] == 3 and len(page["items"]) == 2
    check_in(nurse, drive, first)
    check_in(nurse, drive, second)
    waiting = nurse.get(f"{API}/{drive.uuid}/queue/questionnaire?limit=1&offset=1").json()
    assert waiting["count"] == 2
    assert waiting["items"][0]["donor"] == str(second.donor.uuid)
    assert nurse.get(f"{API}/{drive.uuid}/arrivals").json()["count"] == 1
    # The physician's queue needs the physician's permission, as the page does.
    assert nurse.get(f"{API}/{drive.uuid}/queue/physician").status_code == 403
    assert english("physician").get(f"{API}/{drive.uuid}/queue/physician").status_code == 200


def test_an_unknown_code_is_refused_in_words_and_nothing_is_written(
    drive: Drive, english: Any
) -> None:
    nurse = english("drive_nurse")
    response = post(nurse, f"{drive.uuid}/check-in", {"scan": "nobody-123"})
    assert response.status_code == 422
    assert "Nobody was found" in json.dumps(response.json())
    assert not Presentation.objects.exists()


def test_a_walk_in_must_be_credited_to_a_host_of_the_drive(
    drive: Drive, english: Any, demo: Any
) -> None:
    walk_in = {
        "full_name": "Người đi ngang",
        "date_of_birth": "1991-02-03",
        "sex": "M",
        "mobilised_by": str(demo.nodes["cn_centre"].uuid),
    }
    response = post(english("drive_nurse"), f"{drive.uuid}/check-in", walk_in)
    assert response.status_code == 422
    assert "hosting this drive" in json.dumps(response.json())
    assert not Presentation.objects.exists()


def test_implausible_vital_signs_are_refused_and_nothing_is_written(
    drive: Drive, register: Any, english: Any
) -> None:
    nurse = english("drive_nurse")
    found = check_in(nurse, drive, register(drive).registration)
    step = f"{drive.uuid}/presentations/{found['uuid']}"
    answers = {q["code"]: "no" for q in found["questions"]}
    post(nurse, f"{step}/answers", answers | {"answers": answers})
    bad = {k: float(v) for k, v in HEALTHY.items()} | {"hb_g_l": 5000.0}
    response = post(nurse, f"{step}/vitals", bad)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "hb_g_l"
    assert Presentation.objects.get(uuid=found["uuid"]).hb_g_l is None
    assert post(nurse, f"{step}/answers", {"answers": {"nope": "yes"}}).status_code == 422


def test_a_deferred_donor_is_refused_at_collection(
    drive: Drive, register: Any, english: Any
) -> None:
    nurse, physician = english("drive_nurse"), english("physician")
    step, measured = screened(nurse, drive, register(drive).registration, hb_g_l="95")
    # Below the (candidate) Hb limit: the engine asks for the physician's review.
    assert measured["engine_outcome"] != "eligible" and measured["engine_reasons"]
    until = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    deferred = post(
        physician, f"{step}/decision", {"decision": "defer", "reason": "Hb", "until": until}
    )
    assert deferred.status_code == 200 and deferred.json()["step"] == Step.DEFERRED
    refused = post(nurse, f"{step}/collection", collection_body())
    assert refused.status_code == 422
    assert "no longer at this station" in json.dumps(refused.json())
    assert not Donation.objects.exists()


def test_the_nurse_may_not_decide_and_a_stranger_sees_nothing(
    drive: Drive, register: Any, english: Any
) -> None:
    nurse = english("drive_nurse")
    step, _measured = screened(nurse, drive, register(drive).registration)
    assert post(nurse, f"{step}/decision", {"decision": "accept"}).status_code == 403
    stranger = english("cn_establishment_admin")
    assert post(stranger, f"{step}/vitals", HEALTHY).status_code == 404
    assert stranger.get(f"{API}/{drive.uuid}/arrivals").status_code == 404


def test_a_check_in_sent_twice_is_answered_once(drive: Drive, register: Any, english: Any) -> None:
    """A double submit (no Idempotency-Key) gets the first answer, not a refusal (0035)."""
    nurse = english("drive_nurse")
    registration = register(drive).registration
    first = check_in(nurse, drive, registration)
    again = post(nurse, f"{drive.uuid}/check-in", {"scan": str(registration.uuid)})
    assert again.status_code == 201 and again.json()["uuid"] == first["uuid"]
    assert Presentation.objects.filter(registration=registration).count() == 1
