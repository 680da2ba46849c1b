"""Optimistic locking: one version column, one check, one stale-edit error, one message.

A record that two people may edit at the same time carries ``version`` (``Versioned``). A page
or API client sends back the version it showed; the action locks the row
(``select_for_update``), calls ``check_version`` and, when it writes, ``bump``. A concurrent
change is refused with ``StaleEdit``, never overwritten (decision 0028). Pages show its message
like any refusal; the API answers it with 409 Conflict and the same body shape as other
refusals.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.expressions import CombinedExpression
from django.utils.translation import gettext as _

FIELD = "version"
CODE = "stale"


class Versioned(models.Model):
    """A model whose rows are edited with optimistic locking."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


def stale_message() -> str:
    """The one sentence every page and the API show for a stale edit."""
    return _(
        "Someone else changed this record while you were working on it. "
        "Reload the page to see their changes, then make yours again."
    )


class StaleEdit(ValidationError):
    """Someone else saved the record since the person loaded it.

    A ValidationError keyed by ``version`` (code ``stale``), so forms and the API show it like
    any refusal; the API's handler answers it with 409 instead of 422."""

    def __init__(self) -> None:
        super().__init__({FIELD: [ValidationError(stale_message(), code=CODE)]})


def check_version(obj: Versioned, expected: int | None) -> None:
    """Refuse when the locked row is no longer at the version the person saw.

    ``expected`` is ``None`` only where an action is reached without a page that showed a
    version (a scan at the bench, a background job); the row lock still serialises it."""
    if expected is not None and obj.version != expected:
        raise StaleEdit()


def bump(obj: Versioned, fields: Iterable[str] | None = None) -> None:
    """Count one more change of the locked row; with ``fields``, save those and the version."""
    obj.version += 1
    if fields is not None:
        obj.save(update_fields=[*fields, FIELD])


def bumped() -> CombinedExpression:
    """The version increment for a queryset ``update()`` (moves and merges)."""
    return models.F(FIELD) + 1
