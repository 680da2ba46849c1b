"""Every write leaves exactly one append-only audit event in its own transaction."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import translation

from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.audit.record import MissingReason, record
from bloodline.organisations import actions
from bloodline.organisations.kinds import Kind


def events_for(org):
    return list(AuditEvent.objects.for_object("organisations.organisation", str(org.uuid)))


@pytest.fixture
def chair(demo):
    return next(u for p, u in demo.accounts if p.username == "province_committee")


def test_creating_an_organisation_writes_one_event_with_its_values(demo, chair):
    org = actions.create_organisation(
        by=chair, parent=demo.nodes["vn_dong"], kind=Kind.SCHOOL, name="Trường THCS An Phú"
    )
    (event,) = events_for(org)
    assert event.action == "organisation.create" and event.actor_id == chair.pk
    assert event.changes["name"] == [None, "Trường THCS An Phú"]
    assert event.occurred_at.utcoffset().total_seconds() == 0  # stored in UTC


def test_an_edit_records_old_and_new_values_and_the_reason(demo, chair):
    org = demo.nodes["vn_dong_school"]
    actions.update_organisation(
        by=chair,
        organisation=org,
        version=org.version,
        changes={"name": "Trường THPT Đông Giang 1"},
        reason="renamed",
    )
    event = events_for(org)[0]
    assert event.changes == {"name": ["Trường THPT Đông Giang", "Trường THPT Đông Giang 1"]}
    assert event.reason == "renamed"


def test_an_edit_that_changes_nothing_writes_nothing(demo, chair):
    org = demo.nodes["vn_dong_school"]
    before = AuditEvent.objects.count()
    actions.update_organisation(
        by=chair, organisation=org, version=org.version, changes={"name": org.name}
    )
    assert AuditEvent.objects.count() == before


def test_a_failed_write_leaves_no_event(demo, chair):
    before = AuditEvent.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - any refusal will do; the count is the point
        actions.create_organisation(
            by=chair, parent=demo.nodes["vn_dong"], kind=Kind.PROVINCE, name="Misplaced"
        )
    assert AuditEvent.objects.count() == before


def test_the_request_id_is_kept_with_the_event(demo, login):
    org = demo.nodes["vn_dong_school"]
    client = login("district_committee")
    client.post(
        f"/organisations/{org.uuid}/edit/",
        {"name": "Trường mới", "version": org.version, "is_active": "on"},
        HTTP_X_REQUEST_ID="req-0123456789abcdef",
    )
    assert events_for(org)[0].request_id == "req-0123456789abcdef"


def test_a_correction_needs_a_reason(db):
    with pytest.raises(MissingReason), transaction.atomic():
        record(
            by=system_actor(),
            action="result.correct",
            obj=system_actor(),
            correction=True,
            reason="  ",
        )


def test_events_are_written_only_inside_a_transaction(flushable_audit):
    with pytest.raises(RuntimeError):
        record(by=system_actor(), action="x", obj=system_actor())


def test_the_model_refuses_to_edit_or_delete_an_event(demo):
    event = AuditEvent.objects.first()
    event.reason = "tampered"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditevent SET reason = 'tampered'", "DELETE FROM audit_auditevent"],
)
def test_the_database_refuses_to_edit_or_delete_an_event(demo, sql):
    count = AuditEvent.objects.count()
    with (
        pytest.raises((DatabaseError, IntegrityError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEvent.objects.count() == count
    assert not AuditEvent.objects.filter(reason="tampered").exists()


def test_the_canonical_form_is_stable_json(demo):
    event = AuditEvent.objects.order_by("id").first()
    assert event.canonical() == AuditEvent.objects.get(pk=event.pk).canonical()
    assert event.canonical().startswith('{"action":')


def test_an_authorised_user_sees_the_history_and_others_do_not(demo, login):
    org = demo.nodes["vn_dong_c0"]
    page = login("district_committee").get(f"/organisations/{org.uuid}/history/")
    # The page names the action in the reader's language, never by its code (decision 0026).
    with translation.override("vi"):
        created = translation.gettext("Organisation created")
    assert page.status_code == 200 and created in page.content.decode()
    assert "organisation.create" not in page.content.decode()
    api = login("district_committee").get(f"/api/v1/organisations/{org.uuid}/history")
    assert api.json()["items"][0]["action"] == "organisation.create"
    # a hospital user sees its hospital but not its history; outsiders do not see it at all
    hospital = demo.nodes["vn_hospital"]
    assert login("hospital_user").get(f"/organisations/{hospital.uuid}/history/").status_code == 403
    assert login("unit_organiser").get(f"/organisations/{org.uuid}/history/").status_code == 404
