"""xlsx files organisers work in: the target template and its upload (the progress export is
reports/spreadsheets.py).

Uploads are read defensively: the header must be the template's (in any of the six
languages), every problem is reported with its row number, and nothing is applied from a
file with errors unless the user then asks for the valid rows only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from bloodline.lib.xlsx import XLSX_MIME, first_sheet_rows, workbook_bytes
from bloodline.organisations.models import Organisation
from bloodline.programmes.actions import parse_amount
from bloodline.programmes.models import Plan, Round, Target

XLSX = XLSX_MIME


def _headers() -> list[str]:
    return [_("Code"), _("Name"), _("Current target"), _("New target")]


def _all_headers() -> set[tuple[str, ...]]:
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(tuple(h.casefold() for h in _headers()))
    return found


def code_of(org: Organisation) -> str:
    """The code a row names a unit by: its official code, or its public id if it has none."""
    return org.official_code or str(org.uuid)


def target_template(plan: Plan, parent: Organisation, round_: Round | None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Targets")[:31]
    sheet.append(_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    current = {
        t.organisation_id: t.amount
        for t in Target.objects.filter(plan=plan, round=round_, organisation__parent=parent)
    }
    for child in parent.units().filter(is_active=True).order_by("name"):
        amount = current.get(child.pk)
        sheet.append(
            [code_of(child), child.display_name(), float(amount) if amount else None, None]
        )
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 48
    return workbook_bytes(book)


@dataclass
class Parsed:
    amounts: dict[Organisation, Decimal] = field(default_factory=dict)
    errors: list[tuple[int, str]] = field(default_factory=list)


def parse_targets(data: bytes, plan: Plan, parent: Organisation) -> Parsed:
    """Read an uploaded template. Raises ValueError for a file that cannot be read at all."""
    rows = first_sheet_rows(data)
    header = tuple(str(c or "").strip().casefold() for c in rows[0][:4])
    if header not in _all_headers():
        raise ValueError(
            _("The columns are not the template's. Expected: %(columns)s.")
            % {"columns": ", ".join(_headers())}
        )
    children = list(parent.units())
    by_code = {code_of(c).casefold(): c for c in children}
    parsed, seen = Parsed(), dict[int, int]()
    for number, row in enumerate(rows[1:], start=2):
        code, amount = (row + (None,) * 4)[0], (row + (None,) * 4)[3]
        if code is None and amount is None:
            continue
        org = by_code.get(str(code or "").strip().casefold())
        if org is None:
            parsed.errors.append(
                (
                    number,
                    _("“%(code)s” is not a unit directly under %(parent)s.")
                    % {"code": code or "", "parent": parent.display_name()},
                )
            )
            continue
        if org.pk in seen:
            parsed.errors.append(
                (
                    number,
                    _("%(name)s is already on row %(row)d.")
                    % {"name": org.display_name(), "row": seen[org.pk]},
                )
            )
            continue
        seen[org.pk] = number
        if amount is None or str(amount).strip() == "":
            continue  # left empty: no change
        try:
            parsed.amounts[org] = parse_amount(amount, plan.measure)
        except ValueError as exc:
            parsed.errors.append((number, str(exc)))
    return parsed
