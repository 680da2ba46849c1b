"""xlsx workbooks in and out, defensively (decision 0034).

In: a workbook is a zip; a small upload can unpack to gigabytes, so the declared unpacked size
and every member's compression ratio are checked before openpyxl opens it, and reading stops
after a number of rows and cells (settings XLSX_MAX_ROWS, XLSX_MAX_CELLS) or a time budget
(XLSX_READ_SECONDS). Every refusal is a translated sentence for the person uploading.

Out: every workbook we hand out is saved by ``workbook_bytes``, which makes every text cell
that a spreadsheet could take for a formula (=, +, -, @, tab, CR; OWASP "CSV injection")
inert text. Numbers stay numbers.
"""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
# A member bigger than this must not be compressed more than MAX_RATIO times: real sheets
# compress 5-30 times, a zip bomb thousands of times.
RATIO_CHECKED_FROM = 1024 * 1024
MAX_RATIO = 100
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookError(ValueError):
    """An upload that cannot be read as a workbook, with the reason to show."""


def too_large_message() -> str:
    return _("The file is larger than %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // 1024**2}


def _check_container(data: bytes) -> None:
    not_xlsx = _("This file is not an Excel workbook (.xlsx). Start from the template.")
    if not data.startswith(b"PK\x03\x04"):
        raise WorkbookError(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise WorkbookError(not_xlsx) from exc
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise WorkbookError(not_xlsx)
    # zipfile refuses to unpack more than a member's declared size (CRC check), so the
    # declared sizes are the real bound.
    unpacked = sum(info.file_size for info in members)
    bomb = any(
        info.file_size > RATIO_CHECKED_FROM
        and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        for info in members
    )
    if unpacked > MAX_UNPACKED_BYTES or bomb:
        raise WorkbookError(_("This workbook is too large once unpacked. Split it into parts."))


def check_workbook(data: bytes) -> None:
    """Refuse what is not a workbook, or would unpack too large, before openpyxl opens it
    (for readers that stream the rows themselves, such as the registry import)."""
    _check_container(data)


def _too_many_rows() -> WorkbookError:
    return WorkbookError(
        _("This workbook has more than %(rows)s rows or %(cells)s cells. Split it into parts.")
        % {"rows": settings.XLSX_MAX_ROWS, "cells": settings.XLSX_MAX_CELLS}
    )


def _bounded_rows(sheet: Any) -> list[tuple[Any, ...]]:
    """The sheet's rows, refusing past the row, cell or time bound. Trailing empty cells are
    dropped, so a sheet that claims a huge width does not count as huge."""
    deadline = time.monotonic() + settings.XLSX_READ_SECONDS
    rows: list[tuple[Any, ...]] = []
    cells = 0
    for row in sheet.iter_rows(values_only=True):
        end = len(row)
        while end and row[end - 1] is None:
            end -= 1
        cells += end
        rows.append(tuple(row[:end]))
        if len(rows) > settings.XLSX_MAX_ROWS or cells > settings.XLSX_MAX_CELLS:
            raise _too_many_rows()
        if time.monotonic() > deadline:
            raise WorkbookError(_("This workbook takes too long to read. Split it into parts."))
    while rows and not rows[-1]:
        rows.pop()
    return rows


def first_sheet_rows(data: bytes) -> list[tuple[Any, ...]]:
    """The rows of the workbook's first sheet; raises WorkbookError for anything unreadable."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise WorkbookError(too_large_message())
    _check_container(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # do not trust the declared size: read what is there
        rows = _bounded_rows(sheet)
    except WorkbookError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise WorkbookError(_("This workbook could not be read. Save it again as .xlsx.")) from exc
    if not rows:
        raise WorkbookError(_("The workbook is empty."))
    return rows


def inert(value: Any) -> Any:
    """A cell value no spreadsheet will run: text starting like a formula gets a leading
    apostrophe (OWASP CSV injection guidance); numbers, dates and empty cells are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as xlsx bytes, every text cell made inert first: the one way we save a
    workbook we hand out, whoever filled it."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type in ("s", "f") and isinstance(cell.value, str):
                    safe = inert(cell.value)
                    if safe is not cell.value:
                        cell.value = safe
                        cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
