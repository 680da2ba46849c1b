"""Uploaded workbooks are bounded by unpacked size, compression ratio, rows and cells before
and while they are read (decision 0034): a zip bomb is refused, not read."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from bloodline.lib.xlsx import WorkbookError, first_sheet_rows

ROW = '<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>'


def _workbook(rows: int = 3) -> bytes:
    book = Workbook()
    for n in range(rows):
        book.active.append([f"code {n}", n])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_sheet(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet is replaced by the given XML, deflated."""
    source = zipfile.ZipFile(io.BytesIO(_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            target.writestr(info.filename, data)
    return out.getvalue()


def _sheet(rows: int) -> bytes:
    body = "".join(ROW.format(n=n) for n in range(1, rows + 1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()


def test_a_small_workbook_is_read() -> None:
    rows = first_sheet_rows(_workbook())
    assert rows == [("code 0", 0), ("code 1", 1), ("code 2", 2)]


def test_a_zip_bomb_over_the_unpacked_size_is_refused() -> None:
    padding = b" " * (41 * 1024 * 1024)  # the measured case: small upload, 41 MB unpacked
    bomb = _with_sheet(_sheet(1)[: -len("</worksheet>")] + padding + b"</worksheet>")
    assert len(bomb) < 200 * 1024
    with pytest.raises(WorkbookError, match="too large once unpacked"):
        first_sheet_rows(bomb)


def test_a_highly_compressed_member_is_refused_below_the_size_cap() -> None:
    bomb = _with_sheet(
        _sheet(1)[: -len("</worksheet>")] + b" " * (8 * 1024 * 1024) + b"</worksheet>"
    )
    with pytest.raises(WorkbookError, match="too large once unpacked"):
        first_sheet_rows(bomb)


def test_reading_stops_after_the_row_bound(settings) -> None:
    settings.XLSX_MAX_ROWS = 50
    with pytest.raises(WorkbookError, match="more than 50 rows"):
        first_sheet_rows(_with_sheet(_sheet(51)))
    assert len(first_sheet_rows(_with_sheet(_sheet(50)))) == 50


def test_reading_stops_after_the_cell_bound(settings) -> None:
    settings.XLSX_MAX_CELLS = 10
    with pytest.raises(WorkbookError, match="10 cells"):
        first_sheet_rows(_workbook(rows=6))  # 12 cells


def test_a_sheet_claiming_a_huge_width_is_read_as_what_it_holds() -> None:
    xml = _sheet(2).replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>')
    assert first_sheet_rows(_with_sheet(xml)) == [("x",), ("x",)]
