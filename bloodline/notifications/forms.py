from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bloodline.lib.forms import ActionErrorsMixin


class TemplateForm(ActionErrorsMixin, forms.Form):
    subject = forms.CharField(label=_("Subject (email only)"), max_length=200, required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
