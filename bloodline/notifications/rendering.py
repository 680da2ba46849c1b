"""Templates' placeholders and rendering: each event has a fixed list of variables, checked
when a template is saved, so a wrong name is refused then rather than sent as a blank."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import VariableNode
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

# The variables each event's text may use; the REQUIRED ones must appear (a sign-in code
# message without the code is useless). Callers pass all of them in ``context``.
_BOOKING = frozenset({"donor_name", "drive_name", "place", "date", "time", "link"})
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "booking_confirmed": _BOOKING,
    "booking_changed": _BOOKING,
    "booking_cancelled": _BOOKING,
    "reminder_day_before": _BOOKING,
    "thank_you": frozenset({"donor_name", "date", "place", "link"}),
    "eligible_again": frozenset({"donor_name", "date", "link"}),
    "result_ready": frozenset({"donor_name", "link"}),
    "waitlist_offer": _BOOKING | {"hold_until"},
    "drive_cancelled": frozenset({"donor_name", "drive_name", "place", "date", "link"}),
    "sign_in_code": frozenset({"code", "minutes"}),
    "donation_helped": frozenset({"donor_name", "date", "place", "link"}),
}
REQUIRED: dict[str, frozenset[str]] = {
    "booking_confirmed": frozenset({"date", "time"}),
    "booking_changed": frozenset({"date", "time"}),
    "booking_cancelled": frozenset({"date"}),
    "reminder_day_before": frozenset({"date", "time"}),
    "thank_you": frozenset(),
    "eligible_again": frozenset({"date"}),
    "result_ready": frozenset({"link"}),
    "waitlist_offer": frozenset({"date", "time", "hold_until"}),
    "drive_cancelled": frozenset({"date"}),
    "sign_in_code": frozenset({"code"}),
    "donation_helped": frozenset({"date"}),
}

# Messages are plain text (mail bodies, SMS, chat): nothing to escape; only built-in tags
# and filters, no {% load %} of anything else.
_ENGINE = Engine(autoescape=False, libraries={})


def _variables(text: str) -> set[str]:
    template = _ENGINE.from_string(text)
    names = set()
    for node in template.nodelist.get_nodes_by_type(VariableNode):
        assert isinstance(node, VariableNode)
        var = node.filter_expression.var
        lookups = getattr(var, "lookups", None)
        if lookups:
            names.add(lookups[0])
    return names


def check_template(event: str, subject: str, body: str) -> None:
    """Raise a translated ValidationError if the subject or text does not parse, uses a
    placeholder the event does not have, or lacks one it needs."""
    allowed = PLACEHOLDERS.get(event)
    if allowed is None:
        raise ValidationError({"event": _("Unknown event.")}, code="unknown_event")
    found: set[str] = set()
    for field, text in (("subject", subject), ("body", body)):
        try:
            used = _variables(text)
        except TemplateSyntaxError as exc:
            raise ValidationError(
                {field: _("This text is not a valid template: check the {{ }} and {% %}.")},
                code="syntax",
            ) from exc
        unknown = sorted(used - allowed)
        if unknown:
            raise ValidationError(
                {
                    field: _("Unknown placeholder %(names)s. This message can use: %(allowed)s.")
                    % {"names": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))}
                },
                code="unknown_placeholder",
            )
        found |= used
    missing = sorted(REQUIRED[event] - found)
    if missing:
        raise ValidationError(
            {"body": _("This message must say %(names)s.") % {"names": ", ".join(missing)}},
            code="missing_placeholder",
        )


@functools.lru_cache(maxsize=512)
def _compiled(text: str) -> Any:
    return _ENGINE.from_string(text)


def render(text: str, context: Mapping[str, Any], language: str) -> str:
    """The text with its placeholders filled, dates and numbers in ``language``."""
    return render_all([text], context, language)[0]


def render_all(texts: Sequence[str], context: Mapping[str, Any], language: str) -> list[str]:
    """``render`` of each of ``texts`` (a subject and a body) with one context: the language
    is switched and the values localised once for all of them."""
    with translation.override(language):
        values = {name: _localised(value) for name, value in context.items()}
        return [_compiled(text).render(Context(values)).strip() for text in texts]


def _localised(value: Any) -> Any:
    """Dates and times in the active language's short form (the texts say "on {{ date }}")."""
    if isinstance(value, dt.datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return value
