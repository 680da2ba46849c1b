"""Forms of the donor's account pages (issue 13 §1, §2)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AddressForm(forms.Form):
    address = forms.CharField(
        label=_("Phone number or email address"),
        max_length=254,
        help_text=_("We send you a code to sign in. No password is needed."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        help_text=_("The 6-digit code we sent you."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ClaimForm(forms.Form):
    number = forms.CharField(
        label=_("Identity document number"),
        max_length=40,
        help_text=_("The number of the identity card or passport you showed when you gave blood."),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )


class LinkCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown on the donor's phone"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class ErasureDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("erase", _("Erase the donor's details")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea)


class PasswordSignInForm(forms.Form):
    address = forms.CharField(
        label=_("Phone number or email address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
