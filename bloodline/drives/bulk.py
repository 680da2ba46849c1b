"""Registering many people at once from an xlsx workbook.

The organiser downloads a template, fills one person per row and uploads it. Every row is
checked before anything is written and every problem is reported with its row number. If
there is none, all rows are registered in one transaction; otherwise nothing is, and the
organiser may choose to register only the valid rows (checked again when applied, since seats
may have gone meanwhile).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl.utils import get_column_letter

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.donors import phones
from bloodline.donors.access import registry_for
from bloodline.donors.actions import phone_message
from bloodline.drives import schedule
from bloodline.drives.models import Channel, Drive, Registration, Slot
from bloodline.drives.registrations import (
    DonorMatch,
    check_person,
    find_donor,
    normalise_name,
    register_person,
)
from bloodline.jobs.tasks import Progress
from bloodline.lib.xlsx import WorkbookError, first_sheet_rows, workbook_bytes
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

MAX_ROWS = 2000


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    required: bool = True


COLUMNS = [
    Column("full_name", gettext_lazy("Full name")),
    Column("date_of_birth", gettext_lazy("Date of birth (YYYY-MM-DD)")),
    Column("sex", gettext_lazy("Sex (M/F)")),
    Column("phone", gettext_lazy("Phone")),
    Column("unit_code", gettext_lazy("Unit official code (optional)"), required=False),
    Column("slot", gettext_lazy("Slot start time (HH:MM)")),
]
_BY_KEY = {c.key: c for c in COLUMNS}


@dataclass(frozen=True)
class RawRow:
    """One row as text, keyed by column; what a "register the valid rows" form carries."""

    number: int
    values: dict[str, str]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class CheckedRow:
    raw: RawRow
    full_name: str
    date_of_birth: dt.date
    sex: str
    phone: str
    unit: Organisation
    slot: Slot


@dataclass
class Check:
    """The outcome of checking a file: the rows that can be registered and every problem."""

    valid: list[CheckedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0

    @property
    def valid_raw(self) -> list[RawRow]:
        return [row.raw for row in self.valid]


class BulkRefused(Exception):
    """Raised inside the applying transaction, so nothing stays written."""

    def __init__(self, check: Check) -> None:
        super().__init__("bulk registration refused")
        self.check = check


# Reading the file ---------------------------------------------------------------------------


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _text(value: Any) -> str:
    """A cell as the text a person typed; Excel may have turned it into a date or number."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d}" if value.time() == dt.time(0) else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_key(text: str) -> str:
    return " ".join(text.casefold().split())


def _known_headers() -> dict[str, str]:
    """Header text → column key, in every language, so a template filled in Vietnamese can be
    uploaded by someone reading the pages in English."""
    known = {c.key: c.key for c in COLUMNS}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            known.update({_header_key(str(c.label)): c.key for c in COLUMNS})
    return known


def _read_header(cells: Sequence[Any]) -> tuple[dict[int, str], list[RowError]]:
    known = _known_headers()
    positions: dict[int, str] = {}
    errors = []
    for index, cell in enumerate(cells):
        text = _text(cell)
        if not text:
            continue
        key = known.get(_header_key(text))
        if key is None or key in positions.values():
            message = _("The column “%(header)s” is not one of the template's columns.")
            errors.append(RowError(1, text, message % {"header": text}))
        else:
            positions[index] = key
    for column in COLUMNS:
        if column.required and column.key not in positions.values():
            message = _("The column “%(column)s” is missing.") % {"column": column.label}
            errors.append(RowError(1, str(column.label), message))
    return positions, errors


def read_workbook(data: bytes) -> tuple[list[RawRow], list[RowError]]:
    """The rows of the first sheet, or the problems with its header row."""
    try:
        lines = first_sheet_rows(data)
    except WorkbookError as exc:
        raise _file_error(str(exc)) from exc
    positions, errors = _read_header(lines[0])
    if errors:
        return [], errors
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        values = {key: _text(cells[i]) if i < len(cells) else "" for i, key in positions.items()}
        if any(values.values()):
            rows.append(RawRow(number, values))
    if len(rows) > MAX_ROWS:
        message = ngettext(
            "Upload at most %(n)s person at a time.",
            "Upload at most %(n)s people at a time.",
            MAX_ROWS,
        )
        raise _file_error(message % {"n": MAX_ROWS})
    return rows, []


# Checking rows ------------------------------------------------------------------------------


class _Context:
    """What every row is checked against, loaded once per file."""

    def __init__(self, by: User, drive: Drive, default_unit: Organisation, rows: list[RawRow]):
        self.by, self.drive, self.default_unit = by, drive, default_unit
        self.region = drive.establishment.country_code()
        zone = drive.time_zone()
        self.slots = {
            s.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"): s for s in drive.slots.all()
        }
        self.free = {s.pk: s.free for s in self.slots.values()}
        self.single_day = drive.starts_on == drive.ends_on
        codes = {r.values.get("unit_code", "") for r in rows} - {""}
        self.units: dict[str, list[Organisation]] = {}
        for org in Organisation.objects.filter(official_code__in=sorted(codes), is_active=True):
            self.units.setdefault(org.official_code, []).append(org)
        self.seen_people: dict[tuple[str, dt.date], int] = {}
        self.seen_phones: dict[str, int] = {}


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _unit(ctx: _Context, code: str, problems: list[tuple[str, str]]) -> Organisation | None:
    if not code:
        return ctx.default_unit
    found = ctx.units.get(code, [])
    mine = [o for o in found if access.has_perm(ctx.by, Perm.REGISTRATION_MANAGE, o)]
    where = {"code": code}
    if not found:
        message = _("No organisation has the official code “%(code)s”.")
    elif not mine:
        message = _("“%(code)s” is outside the part of the tree you work on.")
    elif len(mine) > 1:
        message = _("Several of your organisations have the code “%(code)s”.")
    else:
        return mine[0]
    problems.append(("unit_code", message % where))
    return None


def _slot(ctx: _Context, text: str, problems: list[tuple[str, str]]) -> Slot | None:
    where = {"slot": text}
    time = schedule.parse_hhmm(text)
    if time is not None and not ctx.single_day:
        problems.append(("slot", _("This drive lasts several days: write YYYY-MM-DD HH:MM.")))
        return None
    key = f"{ctx.drive.starts_on:%Y-%m-%d} {time:%H:%M}" if time else " ".join(text.split())
    slot = ctx.slots.get(key)
    if slot is None:
        problems.append(("slot", _("No slot of this drive starts at “%(slot)s”.") % where))
        return None
    if ctx.free[slot.pk] <= 0:
        problems.append(("slot", _("The slot at “%(slot)s” is full.") % where))
        return None
    return slot


def _person(
    values: dict[str, str], problems: list[tuple[str, str]], region: str
) -> tuple[Any, ...]:
    name = normalise_name(values.get("full_name", ""))
    born = _date(values.get("date_of_birth", ""))
    sex = values.get("sex", "").strip().upper()
    try:
        phone = phones.normalise(values.get("phone", ""), region)
    except phones.InvalidPhone:
        phone = ""
        problems.append(("phone", phone_message(region)))
    if born is None:
        problems.append(("date_of_birth", _("Write the date of birth as YYYY-MM-DD.")))
    if not sex:
        problems.append(("sex", _("Write the sex as M or F.")))
    errors: dict[str, list[str]] = {}
    check_person(name, born, sex, errors)
    problems.extend((key, message) for key, messages in errors.items() for message in messages)
    return name, born, sex, phone


def _duplicates(ctx: _Context, row: CheckedRow, problems: list[tuple[str, str]]) -> None:
    earlier = ctx.seen_people.get((row.full_name, row.date_of_birth))
    if earlier is None and row.phone:
        earlier = ctx.seen_phones.get(row.phone)
    if earlier is not None:
        message = _("This person is already listed in row %(row)s.") % {"row": earlier}
        problems.append(("full_name", message))
        return
    known = find_donor(
        row.full_name, row.date_of_birth, row.phone, registry_for(ctx.drive.establishment)
    )
    if known is not None and _registered(ctx.drive, known):
        message = _("%(name)s is already registered for this drive.")
        problems.append(("full_name", message % {"name": known.donor.full_name}))


def _registered(drive: Drive, match: DonorMatch) -> bool:
    active = Registration.objects.filter(drive=drive, cancelled_at__isnull=True)
    return active.filter(donor=match.donor).exists()


def _check_row(ctx: _Context, raw: RawRow) -> tuple[CheckedRow | None, list[RowError]]:
    problems: list[tuple[str, str]] = []
    name, born, sex, phone = _person(raw.values, problems, ctx.region)
    code = raw.values.get("unit_code", "")
    unit = _unit(ctx, code, problems)
    slot_text = raw.values.get("slot", "")
    slot = _slot(ctx, slot_text, problems) if slot_text else None
    if not slot_text:
        problems.append(("slot", _("Write the slot start time as HH:MM.")))
    row = None
    if not problems and unit is not None and slot is not None and born is not None:
        row = CheckedRow(raw, name, born, sex, phone, unit, slot)
        _duplicates(ctx, row, problems)
    errors = [RowError(raw.number, str(_BY_KEY[key].label), text) for key, text in problems]
    if row is None or errors:
        return None, errors
    ctx.free[row.slot.pk] -= 1
    ctx.seen_people[(row.full_name, row.date_of_birth)] = raw.number
    if row.phone:
        ctx.seen_phones[row.phone] = raw.number
    return row, []


# Stage codes reported to a task's progress (decision 0044); words in ``bulk_tasks``.
CHECKING, CONFIRMING, REGISTERING = "checking", "confirming", "registering"


def check_rows(
    *,
    by: User,
    drive: Drive,
    default_unit: Organisation,
    rows: Iterable[RawRow],
    progress: Progress | None = None,
    stage: str = CHECKING,
) -> Check:
    rows = list(rows)
    ctx = _Context(by, drive, default_unit, rows)
    check = Check(total=len(rows))
    if not drive.takes_registrations:
        message = _("This drive is %(status)s and takes no registrations.")
        status = {"status": drive.get_status_display()}
        check.errors.append(RowError(1, "", message % status))
        return check
    if not rows:
        check.errors.append(RowError(2, "", _("The workbook lists nobody below the header row.")))
    if progress is not None:
        progress.phase(stage, len(rows))
    for raw in rows:
        row, errors = _check_row(ctx, raw)
        check.errors.extend(errors)
        if row is not None:
            check.valid.append(row)
        if progress is not None:
            progress.advance()
    return check


# Applying -----------------------------------------------------------------------------------


@dataclass
class Applied:
    registrations: list[Registration]
    reused: int  # people found in the registry rather than added


@transaction.atomic
def apply(
    *,
    by: User,
    drive: Drive,
    default_unit: Organisation,
    rows: Iterable[RawRow],
    progress: Progress | None = None,
) -> Applied:
    """Register every row, or none: any problem (found now or while booking) refuses all."""
    access.require(by, Perm.REGISTRATION_MANAGE, default_unit)
    check = check_rows(
        by=by,
        drive=drive,
        default_unit=default_unit,
        rows=rows,
        progress=progress,
        stage=CONFIRMING,
    )
    if check.errors or not check.valid:
        raise BulkRefused(check)
    if progress is not None:
        progress.phase(REGISTERING, len(check.valid))
    applied = Applied([], 0)
    for row in check.valid:
        try:
            result = register_person(
                by=by,
                drive=drive,
                slot=row.slot,
                full_name=row.full_name,
                date_of_birth=row.date_of_birth,
                sex=row.sex,
                phone=row.phone,
                unit=row.unit,
                channel=Channel.BULK,
            )
        except ValidationError as exc:  # a seat went, or the person was booked, meanwhile
            check.errors.extend(RowError(row.raw.number, "", m) for m in exc.messages)
            raise BulkRefused(check) from exc
        applied.registrations.append(result.registration)
        applied.reused += int(result.match.is_duplicate)
        if progress is not None:
            progress.advance()
    record(
        by=by,
        action="drive.bulk_register",
        obj=drive,
        changes={"registrations": [None, len(applied.registrations)]},
    )
    return applied


# The template -------------------------------------------------------------------------------


def template_workbook(drive: Drive, units: Sequence[Organisation]) -> bytes:
    """An empty sheet with the header row, and two sheets listing the slots and unit codes."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("People")
    sheet.append([str(c.label) for c in COLUMNS])
    for index, _column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 28
        # Text cells, so Excel keeps leading zeros of phones and does not reformat dates.
        for row in range(2, 502):
            sheet.cell(row=row, column=index).number_format = "@"
    slots = book.create_sheet(_("Slots"))
    slots.append([_("Slot start time (HH:MM)"), _("Free places")])
    zone = drive.time_zone()
    for slot in drive.slots.all():
        local = slot.starts_at.astimezone(zone)
        text = f"{local:%H:%M}" if drive.starts_on == drive.ends_on else f"{local:%Y-%m-%d %H:%M}"
        slots.append([text, slot.free])
    codes = book.create_sheet(_("Units"))
    codes.append([_("Unit official code (optional)"), _("Name")])
    for unit in units:
        if unit.official_code:
            codes.append([unit.official_code, unit.display_name()])
    return workbook_bytes(book)
