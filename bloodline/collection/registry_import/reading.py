"""Reading a legacy registry file: CSV (UTF-8, with or without BOM, ``,`` or ``;``) or xlsx
(read-only, streamed), one row per donation with the donor's columns on it (a donor without
donations has one row with the donation columns empty). The header row names the columns;
each header is matched, without case, accents or separators, against the documented names
and their aliases (docs/import-registry.md), after an optional mapping renames it.

Rows come out one at a time as ``(line, {field: text})``, so a province's file is never held
in memory whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from bloodline.lib.xlsx import WorkbookError, check_workbook

DONOR_FIELDS = (
    "legacy_id",
    "full_name",
    "sex",
    "date_of_birth",
    "document_kind",
    "document_number",
    "document_country",
    "phone",
    "blood_group",
    "address",
    "area_code",
)
DONATION_FIELDS = (
    "donation_date",
    "donation_type",
    "volume_ml",
    "bag_volume_ml",
    "place_code",
    "din",
    "outcome",
    "incomplete_reason",
)
FIELDS = DONOR_FIELDS + DONATION_FIELDS
REQUIRED = ("legacy_id", "full_name")

# Other names legacy exports give the columns (English, Vietnamese, Chinese, French, Spanish).
ALIASES: dict[str, tuple[str, ...]] = {
    "legacy_id": ("donor_id", "legacy_donor_id", "ma_nguoi_hien", "献血者编号", "identifiant"),
    "full_name": ("name", "ho_ten", "ho_va_ten", "姓名", "nom", "nombre"),
    "sex": ("gender", "gioi_tinh", "性别", "sexe", "sexo"),
    "date_of_birth": ("dob", "birth_date", "ngay_sinh", "出生日期", "date_de_naissance"),
    "document_kind": ("id_type", "document_type", "loai_giay_to", "证件类型"),
    "document_number": ("id_number", "national_id", "so_giay_to", "cccd", "证件号码"),
    "document_country": ("id_country", "issuing_country"),
    "phone": ("telephone", "mobile", "so_dien_thoai", "dien_thoai", "电话", "telefono"),
    "blood_group": ("abo_rhd", "group", "nhom_mau", "血型", "groupe_sanguin", "grupo"),
    "address": ("dia_chi", "地址", "adresse", "direccion"),
    "area_code": ("unit_code", "affiliation", "don_vi", "单位编码"),
    "donation_date": ("date", "collected_at", "ngay_hien", "献血日期", "fecha"),
    "donation_type": ("type", "loai_hien", "献血类型"),
    "volume_ml": ("volume", "the_tich", "献血量"),
    "bag_volume_ml": ("bag_volume", "bag_ml"),
    "place_code": ("credited_code", "credited_unit", "place", "noi_hien"),
    "din": ("donation_number", "isbt_din"),
    "outcome": ("result", "ket_qua"),
    "incomplete_reason": ("incomplete",),
}


class ImportFileError(ValueError):
    """A file that cannot be imported at all, with the reason to show (nothing is written)."""


def header_key(text: str) -> str:
    """A header without case, accents or separators: ``Ngày sinh`` → ``ngay_sinh``."""
    bare = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "d"))
    bare = "".join(c for c in bare if not unicodedata.combining(c)).casefold()
    return "_".join("".join(c if c.isalnum() else " " for c in bare).split())


_KNOWN = {header_key(f): f for f in FIELDS} | {
    header_key(a): f for f, names in ALIASES.items() for a in names
}


def load_mapping(path: str | Path) -> dict[str, str]:
    """A mapping file: a JSON object from the file's header to one of the documented fields."""
    try:
        mapping = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImportFileError(_("The mapping file cannot be read as JSON.")) from exc
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and v in FIELDS for k, v in mapping.items()
    ):
        raise ImportFileError(
            _("The mapping file must map column names to fields: %(fields)s.")
            % {"fields": ", ".join(FIELDS)}
        )
    return mapping


def columns(header: list[Any], mapping: dict[str, str] | None = None) -> dict[int, str]:
    """Which field each column holds (by position); unknown columns are left out."""
    renamed = {header_key(k): v for k, v in (mapping or {}).items()}
    found: dict[int, str] = {}
    for position, raw in enumerate(header):
        key = header_key(str(raw or ""))
        field = renamed.get(key) or _KNOWN.get(key)
        if field and field not in found.values():
            found[position] = field
    missing = [f for f in REQUIRED if f not in found.values()]
    if missing:
        raise ImportFileError(
            _("The file needs the columns %(columns)s.") % {"columns": ", ".join(missing)}
        )
    return found


def _text(value: Any) -> str:
    if type(value) is str:  # every CSV cell: the common case first
        return " ".join(value.split())
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _rows(
    raw_rows: Iterator[list[Any]], mapping: dict[str, str] | None
) -> Iterator[tuple[int, dict[str, str]]]:
    header = next(raw_rows, None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    found = columns(header, mapping)
    pairs = sorted(found.items())
    for line, row in enumerate(raw_rows, start=2):
        if len(row) > pairs[-1][0]:  # every column there: the common case, no bound checks
            values = {f: _text(row[i]) for i, f in pairs}
        else:
            values = {f: _text(row[i]) for i, f in pairs if i < len(row)}
        if any(values.values()):
            yield line, values


def _csv_rows(stream: IO[bytes]) -> Iterator[list[Any]]:
    # newline="" as the csv module asks: a line break inside a quoted cell stays in the cell.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        yield from csv.reader(io.StringIO(first), delimiter=delimiter)
        yield from csv.reader(text, delimiter=delimiter)
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is not UTF-8 text. Save it as CSV UTF-8.")) from exc


def _xlsx_rows(stream: IO[bytes]) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    data = stream.read()
    try:
        check_workbook(data)
    except WorkbookError as exc:
        raise ImportFileError(str(exc)) from exc
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ImportFileError(_("This file is not an Excel workbook (.xlsx).")) from exc
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def read(
    stream: IO[bytes], mapping: dict[str, str] | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a CSV or xlsx file (told apart by the file's first bytes, not its name)."""
    start = stream.read(4)
    stream.seek(0)
    reader = _xlsx_rows if start == b"PK\x03\x04" else _csv_rows
    return _rows(reader(stream), mapping)
