"""The same donor sent twice is registered once (decision 0035): two identical POSTs at the
same moment, a retry with the same Idempotency-Key, a double submit without one."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from bloodline.demo.seed import DEMO_PASSWORD, seed
from bloodline.donors.models import Donor

PERSON = {
    "full_name": "Lò Thị Sáu",
    "date_of_birth": "1991-04-02",
    "sex": "F",
    "phone": "0912 555 031",
    "confirmed_distinct": True,
}


def _client() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username="drive_nurse", password=DEMO_PASSWORD)
    return client


def _post(client: Client, body: dict, **headers: str):
    return client.post(
        "/api/v1/donors", json.dumps(body), content_type="application/json", headers=headers
    )


def _count() -> int:
    return Donor.objects.filter(full_name=PERSON["full_name"]).count()


@pytest.mark.postgres_only
def test_two_identical_concurrent_creates_make_one_donor(flushable_audit):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to lose")
    seed()
    clients = [_client() for _ in range(4)]
    start = threading.Barrier(len(clients))
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def send(client: Client) -> None:
        try:
            start.wait()
            response = _post(client, PERSON)
            with lock:
                answers.append((response.status_code, response.json()["uuid"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _count() == 1
    assert {status for status, _ in answers} == {201}
    assert len({uuid for _, uuid in answers}) == 1


def test_a_retry_with_the_same_key_gets_the_same_answer(demo):
    client = _client()
    first = _post(client, PERSON, **{"Idempotency-Key": "form-7f3a"})
    again = _post(client, PERSON, **{"Idempotency-Key": "form-7f3a"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count() == 1


def test_a_key_used_for_another_request_is_refused(demo):
    client = _client()
    _post(client, PERSON, **{"Idempotency-Key": "form-7f3a"})
    other = _post(client, PERSON | {"full_name": "Lò Văn Tám"}, **{"Idempotency-Key": "form-7f3a"})
    assert other.status_code == 422
    assert other.json()["detail"][0]["type"] == "idempotency_key"
    assert not Donor.objects.filter(full_name="Lò Văn Tám").exists()


def test_a_double_submit_without_a_key_is_done_once(demo):
    client = _client()
    first, second = _post(client, PERSON), _post(client, PERSON)
    assert first.status_code == second.status_code == 201
    assert first.json()["uuid"] == second.json()["uuid"]
    assert _count() == 1


def test_a_refusal_is_not_kept(demo):
    client = _client()
    refused = _post(client, PERSON | {"phone": "12"})
    assert refused.status_code == 422
    fixed = _post(client, PERSON)
    assert fixed.status_code == 201 and _count() == 1
    assert _post(client, PERSON | {"phone": "12"}).status_code == 422


def test_another_caller_is_not_answered_from_the_first(demo):
    _post(_client(), PERSON)
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert admin.login(username="establishment_admin", password=DEMO_PASSWORD)
    assert "Idempotent-Replayed" not in _post(admin, PERSON).headers
