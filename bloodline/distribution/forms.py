"""Forms of the order and distribution-desk pages, and the translated names of the codes
those pages show (component types, compatibility conditions).

The forms only read what people typed or scanned; every rule (compatible groups, quantities,
the gate at picking and dispatch) is checked by the actions, whose errors the forms show.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bloodline.distribution import compatibility
from bloodline.distribution.actions import LineRequest
from bloodline.distribution.models import MAX_RECIPIENT_AGE, ItemOutcome, RecipientSex, Urgency
from bloodline.jurisdictions.labels import component_type
from bloodline.lib import isbt128
from bloodline.lib.blood_groups import ABO_GROUPS, RHD_TYPES, blood_group, blood_group_long
from bloodline.lib.forms import ActionErrorsMixin
from bloodline.organisations.models import SEGMENT, Organisation

CONDITIONS = {
    compatibility.LOW_TITRE: _("only a unit tested low-titre for anti-A and anti-B"),
    compatibility.A2_PREFERRED: _("group A2 preferred"),
    compatibility.ANTI_D_PROPHYLAXIS: _(
        "RhD-positive platelets for an RhD-negative recipient: give anti-D prophylaxis"
    ),
    compatibility.LOCAL_POLICY: _("only where local policy allows it"),
    compatibility.RHD_SHORTAGE_ONLY: _(
        "RhD-positive red cells for an RhD-negative recipient: shortage only"
    ),
    compatibility.EMERGENCY_RELEASE: _(
        "RhD-positive red cells for an RhD-negative recipient: emergency release signed by "
        "the ordering clinician"
    ),
}

UNKNOWN = "unknown"  # a recipient group not yet known (emergency); "" in the order line
ABO_CHOICES = [
    ("", "—"),
    ("O", "O"),
    ("A", "A"),
    ("B", "B"),
    ("AB", "AB"),
    (UNKNOWN, _("unknown (emergency)")),
]
RHD_CHOICES = [
    ("", "—"),
    ("pos", _("RhD positive")),
    ("neg", _("RhD negative")),
    (UNKNOWN, _("unknown")),
]
# A keyboard-wedge scanner types its data and presses Enter into the field that has focus.
SCAN_ATTRS = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


def product_label(code: str) -> str:
    return component_type(code)


def condition_labels(conditional: str) -> list[str]:
    return [str(CONDITIONS.get(code, code)) for code in conditional.split("+") if code]


def recipient_group(abo: str, rhd: str) -> str:
    """An order line's recipient group as people write it (O+, A−), or in words when a part
    is unknown (an emergency)."""
    if abo in ABO_GROUPS and rhd in RHD_TYPES:
        return blood_group(abo, rhd)
    return blood_group_long(abo, rhd) or str(_("group unknown"))


# Placing an order -----------------------------------------------------------------------------


class OrderForm(ActionErrorsMixin, forms.Form):
    hospital = forms.ChoiceField(label=_("Ordering hospital"))
    supplier = forms.ChoiceField(label=_("Blood establishment"))
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE
    )
    needed_by = forms.DateTimeField(
        label=_("Needed by"),
        help_text=_("Local time at the hospital."),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        hospitals: list[Organisation],
        suppliers: list[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.hospitals = {str(h.uuid): h for h in hospitals}
        self.suppliers = {str(s.uuid): s for s in suppliers}
        hospital_field: Any = self.fields["hospital"]
        hospital_field.choices = [(key, h.display_name()) for key, h in self.hospitals.items()]
        supplier_field: Any = self.fields["supplier"]
        supplier_field.choices = [
            ("", "—"),
            *[(key, s.display_name()) for key, s in self.suppliers.items()],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hospital = self.hospitals.get(data.get("hospital", ""))
        supplier = self.suppliers.get(data.get("supplier", ""))
        if hospital and supplier and hospital.path[:SEGMENT] != supplier.path[:SEGMENT]:
            self.add_error("supplier", _("Choose a blood establishment in the hospital's country."))
        if hospital and data.get("needed_by"):
            # Typed as the hospital's wall-clock time, whatever zone the reader's page uses.
            local = timezone.make_naive(data["needed_by"])
            data["needed_by"] = timezone.make_aware(local, ZoneInfo(hospital.effective_time_zone()))
        data["hospital"], data["supplier"] = hospital, supplier
        return data


class LineForm(forms.Form):
    product = forms.ChoiceField(label=_("Product"))
    abo = forms.ChoiceField(label=_("Recipient's ABO group"), choices=ABO_CHOICES)
    rhd = forms.ChoiceField(label=_("Recipient's RhD"), choices=RHD_CHOICES)
    quantity = forms.IntegerField(label=pgettext_lazy("blood unit", "Units"), initial=1)
    allow_rhd_shortage = forms.BooleanField(
        label=_("RhD-positive acceptable in shortage"),
        required=False,
        help_text=_(
            "For an RhD-negative man or a woman past child-bearing age, of stated age, "
            "with neither anti-D nor chronic transfusion."
        ),
    )
    recipient_sex = forms.ChoiceField(
        label=_("Recipient's sex"),
        choices=[("", _("not stated")), *RecipientSex.choices],
        required=False,
    )
    recipient_age = forms.IntegerField(
        label=_("Recipient's age (years)"),
        required=False,
        help_text=_("Completed years; 0 for a baby under one year."),
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_RECIPIENT_AGE}),
    )
    childbearing_potential = forms.ChoiceField(
        label=_("Child-bearing potential"),
        choices=[("", _("by age (not declared)")), ("yes", _("yes")), ("no", _("no"))],
        required=False,
    )
    anti_d = forms.BooleanField(label=_("Known anti-D"), required=False)
    chronically_transfused = forms.BooleanField(label=_("Chronically transfused"), required=False)
    anti_d_prophylaxis = forms.BooleanField(
        label=_("Anti-D prophylaxis will be given"),
        required=False,
        help_text=_(
            "Platelets for an RhD-negative recipient who may bear children: RhD-positive "
            "platelets only with this."
        ),
    )
    emergency_clinician = forms.CharField(
        label=_("Ordering clinician"), required=False, max_length=200
    )
    emergency_reason = forms.CharField(
        label=_("Reason for the emergency release"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, products: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product_field: Any = self.fields["product"]
        product_field.choices = [("", "—"), *products]

    def request(self) -> LineRequest:
        data = self.cleaned_data
        return LineRequest(
            component_code=data["product"],
            abo="" if data["abo"] == UNKNOWN else data["abo"],
            rhd="" if data["rhd"] == UNKNOWN else data["rhd"],
            quantity=data["quantity"],
            allow_rhd_shortage=data["allow_rhd_shortage"],
            recipient_sex=data["recipient_sex"],
            recipient_age=data["recipient_age"],
            childbearing_potential={"yes": True, "no": False}.get(data["childbearing_potential"]),
            anti_d=data["anti_d"],
            chronically_transfused=data["chronically_transfused"],
            anti_d_prophylaxis=data["anti_d_prophylaxis"],
            emergency_clinician=data["emergency_clinician"],
            emergency_reason=data["emergency_reason"],
        )


# Blank lines are left out: only the lines someone filled in are ordered.
LineFormSet = forms.formset_factory(LineForm, extra=4, max_num=20, validate_max=True)


def filled_lines(formset: Any) -> list[LineRequest]:
    return [form.request() for form in formset.forms if form.has_changed()]


# The desk ------------------------------------------------------------------------------------


class VersionForm(ActionErrorsMixin, forms.Form):
    """A button acting on the order as the person saw it (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class UnitForm(VersionForm):
    unit = forms.UUIDField(widget=forms.HiddenInput)


class EmergencyReleaseForm(VersionForm):
    """The ordering clinician's emergency release of RhD-positive red cells for one line."""

    line = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    clinician = forms.CharField(label=_("Ordering clinician"), max_length=200)
    reason = forms.CharField(
        label=_("Reason for the emergency release"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AllocateUnitForm(UnitForm):
    line = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    unit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PickForm(ActionErrorsMixin, forms.Form):
    """Two scans from the bag's label. Enter after the first scan sends the form; the page
    comes back with that scan kept and the focus on the other field, so a keyboard-wedge
    scanner works with or without JavaScript, whichever label it reads first."""

    din_scan = forms.CharField(label=_("DIN"), required=False, max_length=40)
    product_scan = forms.CharField(label=_("Product code"), required=False, max_length=20)

    def __init__(self, *args: Any, focus: str = "din_scan", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.focus = focus

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        din = data.get("din_scan", "").strip()
        product = data.get("product_scan", "").strip()
        if din.startswith("=<") and not product:  # the product label was scanned first
            din, product = "", din
        data["din_scan"], data["product_scan"] = din, product
        if not din and not product:
            self.add_error("din_scan", _("Scan the DIN on the bag."))
        # A misread is told at once, before the packer scans the other label.
        for name, text, parse in (
            ("din_scan", din, isbt128.parse),
            ("product_scan", product, isbt128.parse_product_code),
        ):
            try:
                if text:
                    parse(text)
            except isbt128.DinError as exc:
                self.add_error(name, str(exc))
        return data

    def next_scan(self) -> str:
        """The field still to scan, or "" when both are in."""
        if not self.cleaned_data["din_scan"]:
            return "din_scan"
        return "" if self.cleaned_data["product_scan"] else "product_scan"


class DispatchForm(VersionForm):
    packed_count = forms.IntegerField(
        label=_("Units packed in the box"),
        help_text=_("Count the bags in the box: it must equal the number scanned."),
    )


# The hospital --------------------------------------------------------------------------------


class ReceiveForm(ActionErrorsMixin, forms.Form):
    received_count = forms.IntegerField(
        label=_("Units received"), help_text=_("Count the bags that arrived.")
    )


class OutcomeForm(ActionErrorsMixin, forms.Form):
    unit = forms.UUIDField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("What became of the unit"), choices=ItemOutcome.choices, widget=forms.RadioSelect
    )
    cold_chain_ok = forms.ChoiceField(
        label=_("Cold chain kept (returned units)"),
        choices=[("", _("not applicable")), ("yes", _("yes")), ("no", _("no"))],
        required=False,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        help_text=_("Why the unit was discarded, or anything to report."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @staticmethod
    def ids(unit: str) -> str:
        """Element ids of the form for one unit: several such forms share the page."""
        return "id_" + "".join(c for c in unit if c.isalnum()) + "_%s"

    def cold_chain(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data["cold_chain_ok"])
