"""An action's errors land at the form's fields; errors without a field land on the form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from bloodline.lib.forms import ActionErrorsMixin
from bloodline.lib.locking import StaleEdit, stale_message


class PersonForm(ActionErrorsMixin, forms.Form):
    name = forms.CharField()


def test_field_errors_go_to_their_fields_and_unknown_ones_to_the_form():
    form = PersonForm({"name": "Lan"})
    assert form.is_valid()
    form.apply_errors(ValidationError({"name": ["Too short."], "elsewhere": ["Not here."]}))
    assert form.errors["name"] == ["Too short."]
    assert form.non_field_errors() == ["Not here."]


def test_an_error_without_fields_goes_to_the_form():
    form = PersonForm({"name": "Lan"})
    assert form.is_valid()
    form.apply_errors(ValidationError("The drive is closed."))
    assert form.non_field_errors() == ["The drive is closed."]


class VersionedForm(ActionErrorsMixin, forms.Form):
    name = forms.CharField()
    version = forms.IntegerField(widget=forms.HiddenInput)


def test_an_error_at_a_hidden_field_goes_to_the_form():
    form = VersionedForm({"name": "Lan", "version": 3})
    assert form.is_valid()
    form.apply_errors(StaleEdit())
    assert form.non_field_errors() == [stale_message()]
    assert "version" not in form.errors
