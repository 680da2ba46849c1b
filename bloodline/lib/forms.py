"""Form helpers shared by every app's pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

if TYPE_CHECKING:
    from django.forms import Field


class ActionErrorsMixin:
    """Show an action's ValidationError at the visible fields it names; anything else (a
    stale edit, keyed by the hidden ``version``) on the whole form."""

    if TYPE_CHECKING:  # provided by django.forms.Form, which this mixin is combined with
        fields: dict[str, Field]

        def add_error(self, field: str | None, error: Any) -> None: ...

    def apply_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            # A hidden field (the version a stale edit is keyed by) has nowhere to show its
            # error, so it is shown for the whole form.
            field = self.fields.get(name)
            target = name if field is not None and not field.widget.is_hidden else None
            for message in messages:
                self.add_error(target, message)


def refuse(message: str, field: str = NON_FIELD_ERRORS) -> ValidationError:
    """An action's refusal, keyed by the field it concerns (or the whole form)."""
    return ValidationError({field: [message]})
