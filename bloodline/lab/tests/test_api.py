"""The laboratory API: imports, a sample's panel, results with a second person's check,
corrections and release, with the same scope and messages as the actions."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bloodline.demo.factories import distribution as factories
from bloodline.inventory import actions as inventory
from bloodline.inventory.status import Status
from bloodline.lab.models import ImportBatch, Sample, TestResult
from bloodline.lib import isbt128


@pytest.fixture
def api(login):
    """A signed-in persona's API client, answered in English (people's saved language is
    Vietnamese; an API client's Accept-Language wins over it)."""
    return lambda persona: login(persona, HTTP_ACCEPT_LANGUAGE="en")


def _post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def _detail(response):
    return {tuple(d["loc"]): d["msg"] for d in response.json()["detail"]}


def _import_body(centre, rows, name="run.csv"):
    return {
        "establishment": str(centre.centre.uuid),
        "file_name": name,
        "csv": factories.to_csv(rows),
    }


def _processed(centre, donation=None):
    return inventory.process_donation(
        by=centre.clerk,
        donation=donation or centre.donation(),
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )


def test_the_lab_paths_are_in_the_schema(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert {
        "/api/v1/lab/results/import",
        "/api/v1/lab/results/import-file",
        "/api/v1/lab/samples/{din}",
        "/api/v1/lab/samples/{din}/results",
        "/api/v1/lab/results/{public_id}/verify",
        "/api/v1/lab/results/{public_id}/correct",
        "/api/v1/lab/components/{public_id}/release",
    } <= set(response.json()["paths"])


# Imports ------------------------------------------------------------------------------------


def test_a_technician_imports_an_analyser_file(centre, api):
    donation = centre.donation()
    rows = factories.passing_rows(donation, "O", "pos")
    response = _post(
        api("lab_technician"), "/api/v1/lab/results/import", _import_body(centre, rows)
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["rows_taken"], body["rows_refused"], body["refused"]) == (len(rows), 0, [])
    assert body["file_name"] == "run.csv" and body["establishment"] == str(centre.centre.uuid)
    assert ImportBatch.objects.get(uuid=body["uuid"]).rows_taken == len(rows)
    assert TestResult.objects.filter(sample__donation=donation).count() == len(rows)


def test_a_row_repeated_in_the_file_is_reported_and_not_imported_twice(centre, api):
    donation = centre.donation()
    rows = factories.passing_rows(donation, "O", "pos")
    body = _import_body(centre, [*rows, rows[0]])
    response = _post(api("lab_technician"), "/api/v1/lab/results/import", body)
    assert response.status_code == 201, response.content
    batch = response.json()
    assert (batch["rows_taken"], batch["rows_refused"]) == (len(rows), 1)
    [refused] = batch["refused"]
    assert refused["line"] == len(rows) + 2  # after the header and every earlier row
    assert (refused["din"], refused["test"]) == (donation.din, rows[0]["test"])
    assert refused["error"] == "This row repeats an earlier row of the file."
    assert TestResult.objects.filter(sample__donation=donation).count() == len(rows)


def test_a_file_without_rows_answers_422_at_the_csv_field(centre, api):
    body = {**_import_body(centre, []), "csv": "din,test,result\n"}
    response = _post(api("lab_technician"), "/api/v1/lab/results/import", body)
    assert response.status_code == 422
    assert _detail(response) == {("body", "csv"): "The file has no result rows."}
    assert not ImportBatch.objects.exists()


def test_a_missing_field_answers_422_with_its_location(centre, api):
    response = _post(
        api("lab_technician"),
        "/api/v1/lab/results/import",
        {"establishment": "not-a-uuid", "file_name": "x.csv"},
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert all(set(d) == {"loc", "msg", "type"} for d in detail)
    kinds = {tuple(d["loc"][-1:]): d["type"] for d in detail}
    assert kinds[("establishment",)] == "uuid_parsing" and kinds[("csv",)] == "missing"


def test_an_analyser_file_may_be_uploaded_as_a_file(centre, api):
    donation = centre.donation()
    content = factories.to_csv(factories.passing_rows(donation, "A", "neg"))
    upload = SimpleUploadedFile("analyser.csv", ("\ufeff" + content).encode(), "text/csv")
    response = api("lab_technician").post(
        "/api/v1/lab/results/import-file",
        {"establishment": str(centre.centre.uuid), "file": upload},
    )
    assert response.status_code == 201, response.content
    assert response.json()["file_name"] == "analyser.csv"
    assert response.json()["rows_refused"] == 0


def test_an_upload_that_is_not_text_is_refused(centre, api):
    upload = SimpleUploadedFile("run.csv", b"\xff\xfe\x00\x81binary", "text/csv")
    response = api("lab_technician").post(
        "/api/v1/lab/results/import-file",
        {"establishment": str(centre.centre.uuid), "file": upload},
    )
    assert response.status_code == 422
    assert _detail(response) == {("body", "file"): "The file is not UTF-8 text."}


# The panel ----------------------------------------------------------------------------------


def test_the_sample_shows_its_panel_and_results_without_donor_data(centre, api):
    donation = centre.donation()
    red, _plasma = _processed(centre, donation)
    rows = factories.passing_rows(donation, "B", "pos")
    client = api("lab_technician")
    _post(client, "/api/v1/lab/results/import", _import_body(centre, rows))
    response = client.get(f"/api/v1/lab/samples/{donation.din}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["din"] == donation.din
    assert body["panel"]["complete"] is True
    assert (body["panel"]["abo"], body["panel"]["rhd"]) == ("B", "pos")
    assert {t["state"] for t in body["panel"]["tests"]} <= {"acceptable", "not_required"}
    assert len(body["results"]) == len(rows) and all(r["counts"] for r in body["results"])
    assert {c["uuid"] for c in body["components"]} >= {str(red.uuid)}
    assert donation.donor.full_name not in response.content.decode()
    assert str(donation.donor.uuid) not in response.content.decode()


def test_a_din_may_be_given_as_scanned(centre, api):
    donation = centre.donation()
    rows = factories.passing_rows(donation, "O", "pos")
    client = api("lab_technician")
    _post(client, "/api/v1/lab/results/import", _import_body(centre, rows))
    scanned = f"={donation.din}{isbt128.type3_flag(donation.din)}"
    assert client.get(f"/api/v1/lab/samples/{scanned}").json()["din"] == donation.din


def test_a_malformed_din_answers_422(centre, api):
    response = api("lab_technician").get("/api/v1/lab/samples/NOT*A*DIN")
    assert response.status_code == 422
    assert list(_detail(response)) == [("body", "din")]


def test_a_donation_whose_sample_has_not_arrived_answers_404(centre, api):
    donation = centre.donation()
    assert api("lab_technician").get(f"/api/v1/lab/samples/{donation.din}").status_code == 404


# Results by hand ----------------------------------------------------------------------------


def _manual(test="hiv", reading="non_reactive", **extra):
    return {"test": test, "reading": reading, "operator": "Ngô Thị Lan", **extra}


def test_a_hand_entered_result_counts_once_another_person_verifies_it(centre, api):
    donation = centre.donation()
    lab = api("lab_technician")
    response = _post(lab, f"/api/v1/lab/samples/{donation.din}/results", _manual())
    assert response.status_code == 201, response.content
    entered = response.json()
    assert (entered["counts"], entered["source"], entered["entered_by"]) == (
        False,
        "manual",
        centre.lab.username,
    )
    assert Sample.objects.filter(donation=donation).exists()  # logged in on the way

    own = _post(lab, f"/api/v1/lab/results/{entered['uuid']}/verify", {})
    assert own.status_code == 422
    assert "someone other than the person who entered it" in own.json()["detail"][0]["msg"]

    second = _post(api("establishment_admin"), f"/api/v1/lab/results/{entered['uuid']}/verify", {})
    assert second.status_code == 200, second.content
    assert second.json()["counts"] is True
    assert second.json()["verified_by"] == centre.second.username


def test_a_result_for_a_test_not_on_the_panel_is_refused_and_nothing_is_saved(centre, api):
    donation = centre.donation()
    response = _post(
        api("lab_technician"),
        f"/api/v1/lab/samples/{donation.din}/results",
        _manual(test="unicorn_antigen"),
    )
    assert response.status_code == 422
    assert _detail(response) == {("body", "test"): "This test is not on the sample's panel."}
    assert not TestResult.objects.exists()
    assert not Sample.objects.filter(donation=donation).exists()


def test_a_correction_needs_its_reason(centre, api):
    donation = centre.donation()
    lab = api("lab_technician")
    entered = _post(lab, f"/api/v1/lab/samples/{donation.din}/results", _manual()).json()
    url = f"/api/v1/lab/results/{entered['uuid']}/correct"

    blank = _post(lab, url, {"reason": "  ", "reading": "reactive"})
    assert blank.status_code == 422
    assert _detail(blank) == {("body", "reason"): "Give the reason for the correction."}
    missing = _post(lab, url, {"reading": "reactive"})
    assert missing.status_code == 422 and missing.json()["detail"][0]["type"] == "missing"

    fixed = _post(lab, url, {"reason": "Transcription error", "reading": "reactive"})
    assert fixed.status_code == 201, fixed.content
    assert fixed.json()["corrects"] == entered["uuid"]
    assert fixed.json()["correction_reason"] == "Transcription error"
    assert TestResult.objects.count() == 2  # the first result is kept, never edited


# Release ------------------------------------------------------------------------------------


def test_a_component_is_released_when_the_gate_passes(centre, api):
    donation = centre.donation()
    red, _plasma = _processed(centre, donation)
    lab = api("lab_technician")
    _post(
        lab,
        "/api/v1/lab/results/import",
        _import_body(centre, factories.passing_rows(donation, "O", "neg")),
    )
    response = _post(lab, f"/api/v1/lab/components/{red.uuid}/release", {"version": red.version})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["group"], body["din"]) == ("released", "O−", donation.din)
    assert body["version"] == red.version + 1 and body["released_at"]


def test_release_is_refused_with_every_blocker_of_the_gate(centre, api):
    red, _plasma = _processed(centre)
    response = _post(
        api("lab_technician"),
        f"/api/v1/lab/components/{red.uuid}/release",
        {"version": red.version},
    )
    assert response.status_code == 422
    messages = [d["msg"] for d in response.json()["detail"]]
    assert "The laboratory has not received this donation's sample." in messages
    red.refresh_from_db()
    assert red.status == Status.QUARANTINED and red.released_at is None


def test_release_with_a_stale_version_is_refused(centre, api):
    donation = centre.donation()
    red, _plasma = _processed(centre, donation)
    lab = api("lab_technician")
    _post(
        lab,
        "/api/v1/lab/results/import",
        _import_body(centre, factories.passing_rows(donation, "O", "pos")),
    )
    response = _post(
        lab, f"/api/v1/lab/components/{red.uuid}/release", {"version": red.version + 5}
    )
    assert response.status_code == 409
    assert list(_detail(response)) == [("body", "version")]
    red.refresh_from_db()
    assert red.released_at is None


# Scope --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("hospital_user", 404),  # cannot see the centre at all
        ("cn_establishment_admin", 404),  # another country's centre
        ("inventory_clerk", 403),  # sees the centre, no laboratory rights
        ("establishment_admin", 200),
    ],
)
def test_a_sample_is_shown_only_to_the_laboratory(centre, api, persona, expected):
    donation = centre.donation()
    _post(
        api("lab_technician"),
        "/api/v1/lab/results/import",
        _import_body(centre, factories.passing_rows(donation, "O", "pos")),
    )
    assert api(persona).get(f"/api/v1/lab/samples/{donation.din}").status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("hospital_user", 404), ("cn_establishment_admin", 404), ("inventory_clerk", 403)],
)
def test_only_the_laboratory_imports_enters_verifies_and_releases(centre, api, persona, expected):
    donation = centre.donation()
    red, _plasma = _processed(centre, donation)
    entered = _post(
        api("lab_technician"), f"/api/v1/lab/samples/{donation.din}/results", _manual()
    ).json()
    client = api(persona)
    rows = factories.passing_rows(donation, "O", "pos")
    assert (
        _post(client, "/api/v1/lab/results/import", _import_body(centre, rows)).status_code
        == expected
    )
    assert (
        _post(client, f"/api/v1/lab/samples/{donation.din}/results", _manual()).status_code
        == expected
    )
    assert (
        _post(client, f"/api/v1/lab/results/{entered['uuid']}/verify", {}).status_code == expected
    )
    correction = {"reason": "x", "reading": "reactive"}
    assert (
        _post(client, f"/api/v1/lab/results/{entered['uuid']}/correct", correction).status_code
        == expected
    )
    release = _post(client, f"/api/v1/lab/components/{red.uuid}/release", {"version": red.version})
    assert release.status_code == expected
    assert TestResult.objects.count() == 1 and not ImportBatch.objects.exists()


def test_the_api_asks_strangers_to_sign_in(client, centre):
    donation = centre.donation()
    response = client.get(f"/api/v1/lab/samples/{donation.din}")
    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in first."}
