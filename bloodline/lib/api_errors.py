"""Translated error bodies for the JSON API.

Schema errors come from pydantic in English; each is mapped to a translated message by its
error type, keeping pydantic's location so a client can show it at the field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Schema

_FIELD_MESSAGES = {
    "missing": lambda e: _("This field is required."),
    "int_parsing": lambda e: _("Enter a whole number."),
    "int_type": lambda e: _("Enter a whole number."),
    "float_parsing": lambda e: _("Enter a number."),
    "float_type": lambda e: _("Enter a number."),
    "bool_parsing": lambda e: _("Enter true or false."),
    "bool_type": lambda e: _("Enter true or false."),
    "string_type": lambda e: _("Enter text."),
    "string_too_long": lambda e: (
        _("Enter at most %(n)s characters.") % {"n": e.get("ctx", {}).get("max_length", "?")}
    ),
    "string_too_short": lambda e: (
        _("Enter at least %(n)s characters.") % {"n": e.get("ctx", {}).get("min_length", "?")}
    ),
    "uuid_parsing": lambda e: _("Enter a valid identifier (UUID)."),
    "uuid_type": lambda e: _("Enter a valid identifier (UUID)."),
    "date_parsing": lambda e: _("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": lambda e: _("Enter a date as YYYY-MM-DD."),
    "date_type": lambda e: _("Enter a date as YYYY-MM-DD."),
    "literal_error": lambda e: (
        _("Choose one of: %(options)s.") % {"options": e.get("ctx", {}).get("expected", "")}
    ),
    "enum": lambda e: (
        _("Choose one of: %(options)s.") % {"options": e.get("ctx", {}).get("expected", "")}
    ),
    "greater_than": lambda e: (
        _("Enter a value greater than %(n)s.") % {"n": e.get("ctx", {}).get("gt", "?")}
    ),
    "greater_than_equal": lambda e: (
        _("Enter a value of at least %(n)s.") % {"n": e.get("ctx", {}).get("ge", "?")}
    ),
    "less_than": lambda e: (
        _("Enter a value less than %(n)s.") % {"n": e.get("ctx", {}).get("lt", "?")}
    ),
    "less_than_equal": lambda e: (
        _("Enter a value of at most %(n)s.") % {"n": e.get("ctx", {}).get("le", "?")}
    ),
    "dict_type": lambda e: _("Enter an object of names and values."),
    "list_type": lambda e: _("Enter a list."),
    "extra_forbidden": lambda e: _("This field is not expected here."),
    "json_invalid": lambda e: _("The request body is not valid JSON."),
    "null_not_allowed": lambda e: _("Leave this field out instead of sending null."),
}


class ErrorItem(Schema):
    """One refusal at its field: pydantic's location (names and list positions), a translated
    message and a stable type."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorsOut(Schema):
    detail: list[ErrorItem]


class MessageOut(Schema):
    detail: str


# What every operation may answer besides its own responses (the handlers in bloodline/api.py
# and the NUL-byte guard): declared once for the whole OpenAPI document (decision 0035).
COMMON_ERRORS: dict[int, type[Schema]] = {
    400: MessageOut,
    401: MessageOut,
    403: MessageOut,
    404: MessageOut,
    409: ErrorsOut,
    422: ErrorsOut,
}


def schema_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    translated = []
    for error in errors:
        kind = str(error.get("type", ""))
        make = _FIELD_MESSAGES.get(kind)
        message = make(error) if make else _("This value is not valid.")
        translated.append({"loc": list(error.get("loc", [])), "msg": message, "type": kind})
    return translated


def domain_errors(exc: DjangoValidationError, prefix: str = "body") -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {"loc": [prefix, field], "msg": str(message), "type": "invalid"}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"loc": [prefix], "msg": str(m), "type": "invalid"} for m in exc.messages]


def stale_errors(exc: DjangoValidationError, prefix: str = "body") -> list[dict[str, Any]]:
    """The body of a 409 for a stale edit: the refusal at ``version``, typed ``stale``."""
    return [{**error, "type": "stale"} for error in domain_errors(exc, prefix)]
