"""An organisation name that looks like a formula leaves the progress export as inert text
(OWASP CSV injection, decision 0034)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from bloodline.organisations.models import Organisation
from bloodline.programmes import actions

from .conftest import amounts

EVIL = '=HYPERLINK("http://x","y")'


def test_a_formula_named_organisation_exports_as_inert_text(plan, demo, communes, chair, login):
    actions.set_targets(
        by=chair, plan=plan, parent=demo.nodes["vn_dong"], round=None, amounts=amounts(communes, 40)
    )
    Organisation.objects.filter(pk=communes[0].pk).update(name=EVIL, name_translations={})
    client = login("district_committee")
    client.cookies["django_language"] = "en"
    export = client.get(f"/plans/{plan.uuid}/progress/{demo.nodes['vn_dong'].uuid}/export.xlsx")
    assert export.status_code == 200
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "HYPERLINK" not in sheet_xml.split("<sheetData>")[0]
    book = load_workbook(io.BytesIO(export.content))
    cells = [
        c for row in book.active.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)
    ]
    assert [(c.value, c.data_type) for c in cells] == [("'" + EVIL, "s")]
    row = next(r for r in book.active.iter_rows(values_only=True) if r[0] == "'" + EVIL)
    assert row[1] == 40  # the numbers beside it stay numbers
