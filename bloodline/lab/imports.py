"""Importing an analyser's result file (CSV): one result per row, each row taken or refused
with its reason; refused rows are kept on the batch so none is silently lost.

Columns (header row, any order; names in English as analysers export them):
``din, test, stage, result, value, manufacturer, reagent_lot, operator, instrument,
result_id``. ``din`` may be scanned (``=`` + flags) or typed with its check character;
``stage`` defaults to screening; ``result_id`` is the analyser's own id for the result, so a
file imported twice does not add its results twice.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.collection.models import Donation
from bloodline.lab import actions
from bloodline.lab.models import ImportBatch, Source, TestResult
from bloodline.lib import isbt128
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

REQUIRED = ("din", "test", "result")
MAX_ROWS = 20_000


def _rows(content: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationError(
            {
                "file": [
                    _("The file needs the columns %(columns)s.") % {"columns": ", ".join(missing)}
                ]
            }
        )
    rows = []
    for raw in reader:
        rows.append({(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k})
        if len(rows) > MAX_ROWS:
            raise ValidationError(
                {"file": [_("A file may hold at most %(n)s rows.") % {"n": MAX_ROWS}]}
            )
    return header, rows


def _row_error(line: int, row: dict[str, str], message: str) -> dict[str, Any]:
    return {
        "line": line,
        "din": row.get("din", "")[:20],
        "test": row.get("test", "")[:60],
        "error": message,
    }


def _donation(row: dict[str, str], establishment: Organisation) -> Donation:
    try:
        din = isbt128.parse(row["din"]).din
    except isbt128.DinError as exc:
        raise ValidationError(str(exc)) from None
    donation = Donation.objects.filter(din=din, establishment=establishment).first()
    if donation is None:
        raise ValidationError(_("No donation with this DIN was collected by this establishment."))
    return donation


def _take(by: User, batch: ImportBatch, row: dict[str, str]) -> TestResult:
    """One row, in its own savepoint: either the result and its consequences, or nothing."""
    with transaction.atomic():
        donation = _donation(row, batch.establishment)
        sample = actions._receive(by, donation)
        external = row.get("result_id", "")[:100]
        if external and TestResult.objects.filter(sample=sample, external_id=external).exists():
            raise ValidationError(_("This result was imported before (same result id)."))
        values = {**row, "reading": row.get("result", "")}
        result = actions._new_result(
            by, sample, values, source=Source.IMPORT, batch=batch, external_id=external
        )
        try:
            result.save()
        except IntegrityError:
            raise ValidationError(_("This result was imported before (same result id).")) from None
        actions.consequences(by=by, result=result)
        return result


@transaction.atomic
def import_results(
    *, by: User, establishment: Organisation, file_name: str, content: str
) -> ImportBatch:
    """Import an analyser file for ``establishment``; returns the batch with its counts and
    the refused rows. A row repeated within the file is refused, not imported twice."""
    access.require(by, Perm.LAB_RESULT, establishment)
    _header, rows = _rows(content)
    if not rows:
        raise ValidationError({"file": [_("The file has no result rows.")]})
    batch = ImportBatch.objects.create(
        establishment=establishment,
        file_name=file_name[:200],
        imported_at=timezone.now(),
        imported_by=by,
    )
    seen: set[tuple[str, ...]] = set()
    refused: list[dict[str, Any]] = []
    taken = 0
    for line, row in enumerate(rows, start=2):
        key = tuple(
            row.get(c, "").upper()
            for c in (
                "din",
                "test",
                "stage",
                "result",
                "value",
                "manufacturer",
                "operator",
                "result_id",
            )
        )
        if key in seen:
            refused.append(_row_error(line, row, _("This row repeats an earlier row of the file.")))
            continue
        seen.add(key)
        try:
            _take(by, batch, row)
        except ValidationError as exc:
            refused.append(_row_error(line, row, " ".join(exc.messages)))
            continue
        taken += 1
    batch.rows_taken, batch.rows_refused, batch.refused = taken, len(refused), refused
    batch.save(update_fields=["rows_taken", "rows_refused", "refused"])
    record(
        by=by,
        action="results.import",
        obj=batch,
        changes={"rows_taken": [None, taken], "rows_refused": [None, len(refused)]},
    )
    return batch
