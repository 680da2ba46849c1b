from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from bloodline.lib.forms import ActionErrorsMixin
from bloodline.organisations.models import Organisation
from bloodline.programmes.models import Measure

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(ActionErrorsMixin, forms.Form):
    issuer = forms.ChoiceField(label=_("Issued by"))
    number = forms.CharField(
        label=_("Plan number"),
        max_length=60,
        help_text=_("As written on the plan, e.g. 276/KH-BCĐ."),
    )
    issued_on = forms.DateField(label=_("Date of the plan"), widget=DATE)
    title = forms.CharField(label=_("Title"), max_length=300)
    period_start = forms.DateField(label=_("Period start"), widget=DATE)
    period_end = forms.DateField(label=_("Period end"), widget=DATE)
    measure = forms.ChoiceField(label=_("Targets are set in"), choices=Measure.choices)
    total_target = forms.CharField(label=_("Total target"), max_length=20)
    allow_over_allocation = forms.BooleanField(
        label=_("Allow units' targets to add up to more than their parent's"), required=False
    )
    document = forms.FileField(label=_("Plan document (PDF or Word)"), required=False)

    def __init__(self, *args: Any, committees: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["issuer"]).choices = [
            (str(c.uuid), c.display_name()) for c in committees
        ]


class PlanEditForm(ActionErrorsMixin, forms.Form):
    number = PlanForm.base_fields["number"]
    issued_on = PlanForm.base_fields["issued_on"]
    title = PlanForm.base_fields["title"]
    period_start = PlanForm.base_fields["period_start"]
    period_end = PlanForm.base_fields["period_end"]
    measure = PlanForm.base_fields["measure"]
    allow_over_allocation = PlanForm.base_fields["allow_over_allocation"]
    document = PlanForm.base_fields["document"]
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RoundForm(ActionErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Round name"), max_length=120)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)


class AreaTargetForm(ActionErrorsMixin, forms.Form):
    amount = forms.CharField(label=_("Target for the whole area"), max_length=20)


class TargetUploadForm(forms.Form):
    file = forms.FileField(label=_("Filled-in template (.xlsx)"))
