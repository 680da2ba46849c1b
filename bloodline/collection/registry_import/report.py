"""The report of a run's refused rows, as CSV or xlsx: line, legacy id and the reason in the
reader's language. Cells are made inert (no spreadsheet formula runs from a legacy id)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from bloodline.collection.registry_import.reasons import describe
from bloodline.lib.xlsx import inert, workbook_bytes


def _lines(rejections: Iterable[dict[str, Any]]) -> Iterable[list[Any]]:
    yield [_("Line"), _("Legacy id"), _("Reason")]
    for r in rejections:
        yield [r["line"], inert(r["legacy_id"]), inert(describe(r["reason"], r["params"]))]


def as_csv(rejections: Iterable[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(_lines(rejections))
    return ("\ufeff" + out.getvalue()).encode()  # the BOM: spreadsheets then read UTF-8


def as_xlsx(rejections: Iterable[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in _lines(rejections):
        sheet.append(row)
    return workbook_bytes(book)
