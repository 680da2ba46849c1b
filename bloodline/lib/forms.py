"""Form helpers shared by every app's pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

if TYPE_CHECKING:
    from django.forms import Field


class ActionErrorsMixin:
    """Show an action's ValidationError at the fields it names; anything else on the form."""

    if TYPE_CHECKING:  # provided by django.forms.Form, which this mixin is combined with
        fields: dict[str, Field]

        def add_error(self, field: str | None, error: Any) -> None: ...

    def apply_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)


def refuse(message: str, field: str = NON_FIELD_ERRORS) -> ValidationError:
    """An action's refusal, keyed by the field it concerns (or the whole form)."""
    return ValidationError({field: [message]})
