"""The progress export: a plan's progress report as an xlsx workbook (moved from
programmes/spreadsheets.py, decision 0023)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from bloodline.lib.xlsx import XLSX_MIME, workbook_bytes
from bloodline.reports.progress import Line, Report

XLSX = XLSX_MIME


def _line_cells(label: str, line: Line) -> list[Any]:
    f = line.figures
    return [
        label,
        float(line.target) if line.target is not None else None,
        float(line.achieved),
        float(line.percent) if line.percent is not None else None,
        f.donations,
        f.bags,
        float(f.converted_units),
        f.ml,
        f.donors,
        f.first_time,
        f.repeat,
        line.deferrals.presented,
        line.deferrals.deferred,
        float(line.deferrals.rate) if line.deferrals.rate is not None else None,
    ]


def progress_workbook(report: Report) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Progress")[:31]
    sheet.append([f"{report.plan.number} — {report.plan.title}"])
    sheet.append([report.node.display_name(), report.start.isoformat(), report.end.isoformat()])
    sheet.append([])
    header = [
        _("Organisation"),
        _("Target"),
        _("Achieved"),
        _("Percent of target"),
        _("Donations"),
        _("Bags"),
        _("Converted units"),
        _("mL"),
        _("Donors"),
        _("First-time donors"),
        _("Repeat donations"),
        _("Presentations"),
        _("Deferred"),
        _("Deferral rate (%)"),
    ]
    sheet.append(header)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    sheet.append(_line_cells(_("Total"), report.total))
    for line in report.children:
        assert line.organisation is not None
        sheet.append(_line_cells(line.organisation.display_name(), line))
    if report.direct is not None:
        sheet.append(_line_cells(_("Credited directly"), report.direct))
    sheet.append([])
    sheet.append(
        [
            _("Units meeting their target"),
            report.meeting,
            len(report.with_target),
            float(report.meeting_percent) if report.meeting_percent is not None else None,
        ]
    )
    reasons = report.total.deferrals.reasons
    if reasons:
        sheet.append([])
        sheet.append([_("Most frequent reasons for deferral")])
        for reason in reasons:
            sheet.append([reason.label, reason.count])
    sheet.column_dimensions["A"].width = 48
    return workbook_bytes(book)
