"""Reading uploaded xlsx workbooks defensively: size, container, unpacked size, readability.

A workbook is a zip; a small upload can unpack to gigabytes, so the unpacked size is capped
before openpyxl opens it. Every refusal is a translated sentence for the person uploading.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
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
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise WorkbookError(not_xlsx) from exc
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise WorkbookError(not_xlsx)
    if unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookError(_("This workbook is too large once unpacked. Split it into parts."))


def first_sheet_rows(data: bytes) -> list[tuple[Any, ...]]:
    """The rows of the workbook's first sheet; raises WorkbookError for anything unreadable."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise WorkbookError(too_large_message())
    _check_container(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True))
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise WorkbookError(_("This workbook could not be read. Save it again as .xlsx.")) from exc
    if not rows:
        raise WorkbookError(_("The workbook is empty."))
    return rows
