"""``{% history_rows events as rows %}``: audit events as history rows in the reader's
language (see ``bloodline.audit.presenter``)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from bloodline.audit.models import AuditEvent
from bloodline.audit.presenter import Row, present

register = template.Library()


@register.simple_tag
def history_rows(events: Iterable[AuditEvent]) -> list[Row]:
    return present(events)
