"""Every workbook we hand out is saved through lib.xlsx.workbook_bytes, which makes formula-like
text inert and keeps numbers numbers (decision 0034)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import Workbook, load_workbook

from bloodline.lib.xlsx import workbook_bytes

BLOODLINE = Path(__file__).resolve().parents[2]


def test_formula_like_text_is_inert_and_numbers_stay_numbers() -> None:
    book = Workbook()
    book.active.append(["=1+1", "+84 90", "-x", "@SUM(A1)", "\tx", "\rx", "plain", -5, 2.5])
    book.create_sheet("Two").append(["=cmd|' /C calc'!A0"])
    saved = load_workbook(io.BytesIO(workbook_bytes(book)))
    first = [c for row in saved.worksheets[0].iter_rows() for c in row]
    assert [c.value for c in first] == [
        "'=1+1",
        "'+84 90",
        "'-x",
        "'@SUM(A1)",
        "'\tx",
        "'\nx",  # XML stores the carriage return as a line feed
        "plain",
        -5,
        2.5,
    ]
    assert all(c.data_type == "s" for c in first[:7])
    assert first[7].data_type == "n" and first[8].data_type == "n"
    assert saved.worksheets[1]["A1"].value == "'=cmd|' /C calc'!A0"


def test_no_module_saves_a_workbook_another_way() -> None:
    offenders = [
        str(path.relative_to(BLOODLINE))
        for path in BLOODLINE.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "xlsx.py"
        and re.search(r"\.save\(\s*(out|buffer|io\.|response|path|f\b)", path.read_text("utf-8"))
    ]
    assert offenders == []
