"""Allocating targets: the grid, sum checks, and xlsx template and upload."""

from __future__ import annotations

import html
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from bloodline.audit.models import AuditEvent
from bloodline.programmes import actions
from bloodline.programmes.models import Plan, Target

from .conftest import amounts


def targets_of(plan: Plan, parent, round_=None) -> dict[str, Decimal]:
    return {
        t.organisation.name: t.amount
        for t in Target.objects.filter(
            plan=plan, round=round_, organisation__parent=parent
        ).select_related("organisation")
    }


def test_the_grid_saves_a_whole_level_at_once(plan, demo, communes, login):
    client = login("district_committee")
    data = {f"t_{c.uuid}": "40" for c in communes} | {f"t_{demo.nodes['vn_garment'].uuid}": "50"}
    response = client.post(f"/plans/{plan.uuid}/targets/{demo.nodes['vn_dong'].uuid}/", data)
    assert response.status_code == 302
    assert sum(targets_of(plan, demo.nodes["vn_dong"]).values()) == 290
    event = AuditEvent.objects.filter(object_id=str(plan.uuid), action="plan.set_targets").get()
    assert len(event.changes) == 7


def test_under_allocation_is_shown_and_over_allocation_refused(plan, demo, communes, chair, login):
    actions.set_targets(
        by=chair, plan=plan, parent=demo.nodes["vn_dong"], round=None, amounts=amounts(communes, 40)
    )
    client = login("district_committee")
    client.cookies["django_language"] = "en"
    page = client.get(f"/plans/{plan.uuid}/targets/{demo.nodes['vn_dong'].uuid}/").content.decode()
    assert "Not yet allocated" in page and ">60<" in page  # 300 − 6 × 40
    response = client.post(
        f"/plans/{plan.uuid}/targets/{demo.nodes['vn_dong'].uuid}/",
        {f"t_{communes[0].uuid}": "200"},
    )
    assert response.status_code == 400
    assert "more than the 300 set for" in response.content.decode()
    assert targets_of(plan, demo.nodes["vn_dong"])[communes[0].name] == 40  # nothing written


def test_over_allocation_is_allowed_when_the_plan_says_so(plan, demo, communes, chair):
    plan.allow_over_allocation = True
    plan.save()
    actions.set_targets(
        by=chair, plan=plan, parent=demo.nodes["vn_dong"], round=None, amounts=amounts(communes, 60)
    )
    assert sum(targets_of(plan, demo.nodes["vn_dong"]).values()) == 360


def test_a_bad_cell_is_marked_on_its_row_and_nothing_is_saved(plan, demo, communes, login):
    client = login("district_committee")
    client.cookies["django_language"] = "en"
    response = client.post(
        f"/plans/{plan.uuid}/targets/{demo.nodes['vn_dong'].uuid}/",
        {
            f"t_{communes[0].uuid}": "40",
            f"t_{communes[1].uuid}": "forty",
            f"t_{communes[2].uuid}": "12.5",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    page = html.unescape(page)
    assert "“forty” is not a number." in page and "Targets in bags are whole numbers." in page
    assert f'id="t_{communes[1].uuid}_error"' in page
    assert targets_of(plan, demo.nodes["vn_dong"]) == {}


def test_a_commune_allocates_further_but_not_above_itself(plan, demo, chair):
    actions.set_targets(
        by=chair,
        plan=plan,
        parent=demo.nodes["vn_dong"],
        round=None,
        amounts={demo.nodes["vn_dong_c0"]: Decimal(30)},
    )
    commune = demo.nodes["vn_dong_c0"]
    actions.set_targets(
        by=chair,
        plan=plan,
        parent=commune,
        round=None,
        amounts={demo.nodes["vn_seafood"]: Decimal(20)},
    )
    with pytest.raises(ValidationError):
        actions.set_targets(
            by=chair,
            plan=plan,
            parent=commune,
            round=None,
            amounts={demo.nodes["vn_dong_c0_party"]: Decimal(11)},
        )
    with pytest.raises(ValidationError):  # not a direct child
        actions.set_targets(
            by=chair,
            plan=plan,
            parent=demo.nodes["vn_dong"],
            round=None,
            amounts={demo.nodes["vn_seafood"]: Decimal(1)},
        )


def test_round_targets_need_the_rounds_total_first(plan, demo, communes, chair):
    first = plan.rounds.get(name="Đợt 1")
    with pytest.raises(ValidationError):
        actions.set_targets(
            by=chair,
            plan=plan,
            parent=demo.nodes["vn_dong"],
            round=first,
            amounts=amounts(communes, 10),
        )
    actions.set_area_target(by=chair, plan=plan, round=first, amount=80)
    actions.set_targets(
        by=chair,
        plan=plan,
        parent=demo.nodes["vn_dong"],
        round=first,
        amounts=amounts(communes, 10),
    )
    assert sum(targets_of(plan, demo.nodes["vn_dong"], first).values()) == 60


def test_an_organiser_allocates_only_inside_its_unit(plan, demo, login):
    client = login("unit_organiser")
    assert (
        client.get(f"/plans/{plan.uuid}/targets/{demo.nodes['vn_dong'].uuid}/").status_code == 404
    )
    assert (
        client.get(f"/plans/{plan.uuid}/targets/{demo.nodes['vn_garment'].uuid}/").status_code
        == 200
    )
    assert (
        login("drive_nurse")
        .get(f"/plans/{plan.uuid}/targets/{demo.nodes['vn_dong'].uuid}/")
        .status_code
        == 404
    )


def xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("targets.xlsx", out.getvalue())


def test_the_template_round_trips(plan, demo, communes, login):
    client = login("district_committee")
    client.cookies["django_language"] = "vi"
    url = f"/plans/{plan.uuid}/targets/{demo.nodes['vn_dong'].uuid}/"
    data = client.get(url + "template.xlsx").content
    sheet = load_workbook(io.BytesIO(data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] != "Code"  # headers in the reader's language
    for row in rows[1:]:
        row[3] = 20
    response = client.post(url + "upload/", {"file": xlsx(rows)})
    assert response.status_code == 302
    assert set(targets_of(plan, demo.nodes["vn_dong"]).values()) == {Decimal(20)}
    assert demo.nodes["vn_dong_committee"].name not in targets_of(plan, demo.nodes["vn_dong"])
    assert len(targets_of(plan, demo.nodes["vn_dong"])) == len(rows) - 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["Name", "Code", "x", "y"]], "The columns are not the template's."),
        (
            [["Code", "Name", "Current target", "New target"], ["VN-D01-01-01", "", None, "abc"]],
            "“abc” is not a number.",
        ),
        (
            [["Code", "Name", "Current target", "New target"], ["NOPE", "", None, 5]],
            "“NOPE” is not a unit directly under",
        ),
        (
            [
                ["Code", "Name", "Current target", "New target"],
                ["VN-D01-01-01", "", None, 5],
                ["VN-D01-01-01", "", None, 6],
            ],
            "is already on row 2.",
        ),
        (
            [["Code", "Name", "Current target", "New target"], ["VN-D01-01-01", "", None, -5]],
            "A target cannot be negative.",
        ),
    ],
)
def test_a_bad_upload_is_reported_with_its_row_and_nothing_is_saved(
    plan, demo, login, rows, message
):
    client = login("district_committee")
    client.cookies["django_language"] = "en"
    url = f"/plans/{plan.uuid}/targets/{demo.nodes['vn_dong'].uuid}/upload/"
    response = client.post(url, {"file": xlsx(rows)})
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert targets_of(plan, demo.nodes["vn_dong"]) == {}


def test_a_file_that_is_not_xlsx_is_refused(plan, demo, login):
    client = login("district_committee")
    client.cookies["django_language"] = "en"
    url = f"/plans/{plan.uuid}/targets/{demo.nodes['vn_dong'].uuid}/upload/"
    page = client.post(url, {"file": SimpleUploadedFile("t.xlsx", b"code,name\n1,2")})
    message = "This file is not an Excel workbook (.xlsx). Start from the template."
    assert message in html.unescape(page.content.decode())


def test_the_valid_rows_can_be_applied_after_seeing_the_errors(plan, demo, communes, login):
    client = login("district_committee")
    client.cookies["django_language"] = "en"
    url = f"/plans/{plan.uuid}/targets/{demo.nodes['vn_dong'].uuid}/upload/"
    header = ["Code", "Name", "Current target", "New target"]
    page = client.post(
        url,
        {
            "file": xlsx(
                [
                    header,
                    [communes[0].official_code, "", None, 30],
                    [communes[1].official_code, "", None, "x"],
                ]
            )
        },
    )
    assert page.status_code == 400 and "Apply the 1 valid row only" in page.content.decode()
    token = page.context["valid_rows"]
    assert client.post(url, {"valid_rows": token}).status_code == 302
    assert targets_of(plan, demo.nodes["vn_dong"]) == {communes[0].name: Decimal(30)}
    assert client.post(url, {"valid_rows": token + "tampered"}).status_code == 404
