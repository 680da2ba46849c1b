"""Issuing, revising and closing plans; rounds; documents; who may do what."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from bloodline.audit.models import AuditEvent
from bloodline.programmes import actions
from bloodline.programmes.models import Plan, PlanStatus, Target


def test_a_committee_member_drafts_a_plan_through_the_form(demo, login):
    client = login("district_committee")
    client.cookies["django_language"] = "en"
    committee = demo.nodes["vn_dong_committee"]
    pdf = SimpleUploadedFile("ke-hoach-276.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    response = client.post(
        "/plans/new/",
        {
            "issuer": str(committee.uuid),
            "number": "276/KH-BCĐ",
            "issued_on": "2020-12-28",
            "title": "Hiến máu tình nguyện năm 2021",
            "period_start": "2021-01-01",
            "period_end": "2021-12-31",
            "measure": "bags",
            "total_target": "1005",
            "document": pdf,
        },
    )
    plan = Plan.objects.get(number="276/KH-BCĐ")
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.uuid}/"
    assert (plan.area, plan.base_volume_ml, plan.status) == (demo.nodes["vn_dong"], 250, "draft")
    assert plan.rule_set == "VN-TT26-2013 2013"
    assert Target.objects.get(plan=plan, round=None, organisation=plan.area).amount == 1005
    download = client.get(f"/plans/{plan.uuid}/document/")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert login("unit_organiser").get(f"/plans/{plan.uuid}/document/").status_code == 200
    assert login("cn_committee").get(f"/plans/{plan.uuid}/document/").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.exe", b"MZ", "Attach the plan as a PDF or Word document."),
        ("plan.pdf", b"PK\x03\x04 not a pdf", "The file's content is not a PDF document."),
        ("plan.docx", b"%PDF-1.7", "The file's content is not a DOCX document."),
    ],
)
def test_a_wrong_document_is_refused_at_the_field(demo, login, name, content, message):
    client = login("district_committee")
    client.cookies["django_language"] = "en"
    page = client.post(
        "/plans/new/",
        {
            "issuer": str(demo.nodes["vn_dong_committee"].uuid),
            "number": "1/KH",
            "issued_on": "2026-01-01",
            "title": "T",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "measure": "bags",
            "total_target": "10",
            "document": SimpleUploadedFile(name, content),
        },
    )
    assert page.status_code == 200 and message in html.unescape(page.content.decode())
    assert not Plan.objects.exists()


def test_a_document_over_10_mb_is_refused(demo, chair):
    big = SimpleUploadedFile("plan.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as caught:
        actions.create_plan(
            by=chair,
            issuer=demo.nodes["vn_dong_committee"],
            number="2/KH",
            issued_on=dt.date(2026, 1, 1),
            title="T",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            measure="bags",
            total_target=1,
            document=big,
        )
    assert "document" in caught.value.message_dict


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"period_end": dt.date(2025, 1, 1)}, "period_end"),
        ({"measure": "litres"}, "measure"),
        ({"total_target": "12.5"}, "total_target"),  # bags are whole
        ({"total_target": "lots"}, "total_target"),
        ({"total_target": "-3"}, "total_target"),
    ],
)
def test_bad_plan_input_is_refused_at_the_field(demo, chair, changes, field):
    values = {
        "by": chair,
        "issuer": demo.nodes["vn_dong_committee"],
        "number": "3/KH",
        "issued_on": dt.date(2026, 1, 1),
        "title": "T",
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 12, 31),
        "measure": "bags",
        "total_target": 10,
    }
    values.update(changes)
    with pytest.raises(ValidationError) as caught:
        actions.create_plan(**values)
    assert field in caught.value.message_dict
    assert not Plan.objects.exists()


def test_only_a_committee_issues_plans(demo, login):
    assert login("unit_organiser").get("/plans/new/").status_code == 403
    assert login("drive_nurse").get("/plans/new/").status_code == 403
    assert login("district_committee").get("/plans/new/").status_code == 200


def test_a_round_must_lie_in_the_period_and_not_overlap(plan, chair):
    with pytest.raises(ValidationError) as outside:
        actions.add_round(
            by=chair,
            plan=plan,
            name="Late",
            starts_on=dt.date(2026, 12, 1),
            ends_on=dt.date(2027, 1, 15),
        )
    with pytest.raises(ValidationError) as overlap:
        actions.add_round(
            by=chair,
            plan=plan,
            name="Extra",
            starts_on=dt.date(2026, 3, 1),
            ends_on=dt.date(2026, 4, 15),
        )
    assert "starts_on" in outside.value.message_dict and "starts_on" in overlap.value.message_dict


def test_a_revision_keeps_history_and_supersedes_on_issue(plan, chair, communes):
    revision = actions.revise_plan(by=chair, plan=plan, reason="Tăng chỉ tiêu")
    assert revision.status == "draft" and revision.rounds.count() == 4
    assert Target.objects.get(plan=revision, round=None, organisation=plan.area).amount == 300
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ISSUED  # still in force until the revision is issued
    actions.set_area_target(by=chair, plan=revision, round=None, amount=350)
    actions.issue_plan(by=chair, plan=revision)
    plan.refresh_from_db()
    assert (plan.status, revision.supersedes) == (PlanStatus.SUPERSEDED, plan)
    assert AuditEvent.objects.filter(object_id=str(plan.uuid), action="plan.superseded").exists()
    with pytest.raises(ValidationError):
        actions.add_round(
            by=chair,
            plan=plan,
            name="X",
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 1, 2),
        )


def test_plans_are_visible_down_and_up_the_tree_but_not_across(plan, login):
    for persona, status in [
        ("district_committee", 200),
        ("province_committee", 200),
        ("unit_organiser", 200),
        ("cn_committee", 404),
        ("hospital_user", 404),
    ]:
        assert login(persona).get(f"/plans/{plan.uuid}/").status_code == status, persona


def test_the_plan_list_and_detail_pages_render(plan, login):
    client = login("district_committee")
    client.cookies["django_language"] = "en"
    assert plan.number in client.get("/plans/").content.decode()
    page = client.get(f"/plans/{plan.uuid}/").content.decode()
    assert "Đợt 4" in page and "Allocate targets" in page


def test_issue_close_and_revise_through_the_pages(demo, chair, login):
    plan = actions.create_plan(
        by=chair,
        issuer=demo.nodes["vn_dong_committee"],
        number="9/KH",
        issued_on=dt.date(2026, 1, 1),
        title="T",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        measure="bags",
        total_target=5,
    )
    client = login("district_committee")
    assert client.post(f"/plans/{plan.uuid}/issue/").status_code == 302
    plan.refresh_from_db()
    assert plan.status == "issued"
    response = client.post(f"/plans/{plan.uuid}/revise/", {"reason": "Điều chỉnh"})
    revision = Plan.objects.get(supersedes=plan)
    assert response["Location"] == f"/plans/{revision.uuid}/"
    assert client.post(f"/plans/{plan.uuid}/close/", {"reason": "Hết năm"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "closed"
    assert login("unit_organiser").post(f"/plans/{revision.uuid}/issue/").status_code == 403


def test_a_document_missing_from_storage_answers_404(demo, login):
    client = login("district_committee")
    pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n", content_type="application/pdf")
    client.post(
        "/plans/new/",
        {
            "issuer": str(demo.nodes["vn_dong_committee"].uuid),
            "number": "8/KH",
            "issued_on": "2026-01-01",
            "title": "T",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "measure": "bags",
            "total_target": "10",
            "document": pdf,
        },
    )
    plan = Plan.objects.get(number="8/KH")
    plan.document.storage.delete(plan.document.name)
    assert client.get(f"/plans/{plan.uuid}/document/").status_code == 404
