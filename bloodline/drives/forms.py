"""Forms for drive pages. They parse and present; the rules live in the actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bloodline.drives import areas
from bloodline.drives.access import managed_establishments
from bloodline.drives.models import (
    MAX_ARRIVAL_WINDOWS,
    Drive,
    DriveRequest,
    Slot,
    drive_default,
)
from bloodline.lib import xlsx
from bloodline.lib.forms import ActionErrorsMixin
from bloodline.organisations import access
from bloodline.organisations.models import Organisation, path_pks, subtree_bounds
from bloodline.organisations.roles import Perm
from bloodline.programmes.access import plans
from bloodline.programmes.models import Plan, PlanStatus, Round

DETAIL_NAMES = (
    "title",
    "venue",
    "address",
    "latitude",
    "longitude",
    "starts_on",
    "ends_on",
    "opens_at",
    "closes_at",
    "slot_minutes",
    "beds",
    "expected_units",
)
WINDOW_ROWS = 5  # empty rows offered on the form; the API may send up to MAX_ARRIVAL_WINDOWS


def _date_field(label: Any, required: bool = True) -> forms.DateField:
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return forms.DateField(label=label, required=required, widget=widget)


def _time_field(label: Any, required: bool = True) -> forms.TimeField:
    widget = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    return forms.TimeField(label=label, required=required, widget=widget)


def _reason_field(label: Any) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": 2})
    return forms.CharField(label=label, required=False, max_length=1000, widget=widget)


def organisation_choices(orgs: Sequence[Organisation]) -> list[tuple[str, str]]:
    return [(str(o.uuid), f"{o.display_name()} ({o.get_kind_display()})") for o in orgs]


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


class ActionForm(ActionErrorsMixin, forms.Form):
    """A form that shows an action's validation errors at the fields they concern."""


class DriveForm(ActionForm):
    """A drive's details; used to create and to edit."""

    establishment = forms.ChoiceField(label=_("Collecting establishment"))
    title = forms.CharField(label=_("Title"), max_length=200)
    venue = forms.CharField(label=_("Venue"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, required=False
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, required=False
    )
    starts_on = _date_field(_("First day"))
    ends_on = _date_field(_("Last day"))
    opens_at = _time_field(_("Opens at"))
    closes_at = _time_field(_("Closes at"))
    slot_minutes = forms.IntegerField(label=_("Slot length (minutes)"), min_value=0)
    beds = forms.IntegerField(
        label=_("Beds"), min_value=0, help_text=_("Each slot takes as many donors as beds.")
    )
    expected_units = forms.IntegerField(label=_("Expected units"), min_value=0, initial=0)
    hosts = forms.MultipleChoiceField(
        label=_("Host organisations"),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    round = forms.ChoiceField(label=_("Plan round"), required=False)
    reason = _reason_field(_("Reason for the change"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, drive: Drive | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", self.initial_for(drive))
        super().__init__(*args, **kwargs)
        self.window_errors: list[str] = []
        existing = len(drive.arrival_windows) if drive else 0
        self.window_rows = min(MAX_ARRIVAL_WINDOWS, max(WINDOW_ROWS, existing))
        establishments = [drive.establishment] if drive else managed_establishments(user)
        if drive is None:
            del self.fields["reason"], self.fields["version"]
            _set_choices(self, "establishment", organisation_choices(establishments))
        else:
            del self.fields["establishment"]
        self.host_options = {str(o.uuid): o for o in _host_candidates(user, establishments)}
        _set_choices(self, "hosts", organisation_choices(list(self.host_options.values())))
        self.rounds = {str(r.uuid): r for r in _rounds(user, establishments, drive)}
        _set_choices(
            self, "round", [("", "—"), *((k, _round_label(r)) for k, r in self.rounds.items())]
        )
        self._add_window_fields()

    def _add_window_fields(self) -> None:
        for n in range(1, self.window_rows + 1):
            self.fields[f"window_label_{n}"] = forms.CharField(
                label=_("Group"), required=False, max_length=80
            )
            self.fields[f"window_start_{n}"] = _time_field(_("From"), required=False)
            self.fields[f"window_end_{n}"] = _time_field(_("Until"), required=False)

    def window_fields(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"window_label_{n}"], self[f"window_start_{n}"], self[f"window_end_{n}"])
            for n in range(1, self.window_rows + 1)
        ]

    def arrival_windows(self) -> list[dict[str, str]]:
        windows = []
        for n in range(1, self.window_rows + 1):
            label = self.cleaned_data.get(f"window_label_{n}", "")
            start, end = (self.cleaned_data.get(f"window_{p}_{n}") for p in ("start", "end"))
            if label or start or end:
                windows.append(
                    {
                        "label": label,
                        "start": f"{start:%H:%M}" if start else "",
                        "end": f"{end:%H:%M}" if end else "",
                    }
                )
        return windows

    def apply_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            self.window_errors = error.message_dict.get("arrival_windows", [])
            rest = {k: v for k, v in error.message_dict.items() if k != "arrival_windows"}
            if not rest:
                return
            error = ValidationError(rest)
        super().apply_errors(error)

    def chosen_hosts(self) -> list[Organisation]:
        return [self.host_options[key] for key in self.cleaned_data["hosts"]]

    def chosen_round(self) -> Round | None:
        return self.rounds.get(self.cleaned_data.get("round") or "")

    def details(self) -> dict[str, Any]:
        """The cleaned values as the actions take them."""
        data = self.cleaned_data
        values = {name: data[name] for name in DETAIL_NAMES}
        values["address"] = values["address"] or ""
        values["expected_units"] = values["expected_units"] or 0
        values["arrival_windows"] = self.arrival_windows()
        values["round"] = self.chosen_round()
        return values

    @staticmethod
    def initial_for(drive: Drive | None) -> dict[str, Any]:
        if drive is None:
            return {"slot_minutes": drive_default("slot_minutes"), "beds": drive_default("beds")}
        initial: dict[str, Any] = {name: getattr(drive, name) for name in DETAIL_NAMES}
        initial["version"] = drive.version
        initial["hosts"] = [str(h.uuid) for h in drive.hosts.all()]
        initial["round"] = str(drive.round.uuid) if drive.round else ""
        for n, window in enumerate(drive.arrival_windows or [], start=1):
            initial[f"window_label_{n}"] = window.get("label", "")
            initial[f"window_start_{n}"] = window.get("start", "")
            initial[f"window_end_{n}"] = window.get("end", "")
        return initial


def _host_candidates(user: Any, establishments: Sequence[Organisation]) -> list[Organisation]:
    """Organisations the person can see, and those the establishments serve."""
    condition = Q(pk__in=access.organisations(user, Perm.VIEW).values("pk"))
    for establishment in establishments:
        condition |= Q(pk__in=areas.served_by(establishment).values("pk"))
    return list(Organisation.objects.filter(condition, is_active=True).order_by("path"))


def _rounds(
    user: Any, establishments: Sequence[Organisation], drive: Drive | None = None
) -> list[Round]:
    """Rounds of the plans the drive's organisers may hold it under: plans the person sees,
    and plans covering or lying inside the area an establishment serves (a blood centre's
    staff hold the drives of the district committee's plan without seeing the committee)."""
    condition = Q(pk__in=plans(user).values("pk"))
    for establishment in establishments:
        area = areas.service_area(establishment)
        low, high = subtree_bounds(area.path)
        condition |= Q(area__path__gte=low, area__path__lt=high) | Q(
            area_id__in=path_pks(area.path)
        )
    current = Plan.objects.filter(condition).exclude(status=PlanStatus.SUPERSEDED)
    kept = Q(pk=drive.round_id) if drive is not None and drive.round_id else Q(pk__in=[])
    found = Round.objects.filter(Q(plan__in=current) | kept).select_related("plan")
    return list(found.order_by("starts_on", "name"))


def _round_label(round_: Round) -> str:
    period = f"{round_.starts_on:%Y-%m-%d} – {round_.ends_on:%Y-%m-%d}"
    return f"{round_.plan.number} — {round_.name} ({period})"


class CancelForm(ActionForm):
    reason = _reason_field(_("Why is the drive cancelled?"))


class DriveRequestForm(ActionForm):
    requested_by = forms.ChoiceField(label=_("Requesting unit"))
    establishment = forms.ChoiceField(label=_("Blood establishment"))
    option_1 = _date_field(_("First choice of date"))
    option_2 = _date_field(_("Second choice of date"), required=False)
    option_3 = _date_field(_("Third choice of date"), required=False)
    expected_donors = forms.IntegerField(label=_("Expected donors"), min_value=0)
    venue = forms.CharField(label=_("Proposed venue"), max_length=200)
    note = _reason_field(_("Note"))

    def __init__(
        self,
        *args: Any,
        units: Sequence[Organisation],
        establishments: Sequence[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(o.uuid): o for o in units}
        self.establishments = {str(o.uuid): o for o in establishments}
        _set_choices(self, "requested_by", [("", "—"), *organisation_choices(units)])
        _set_choices(self, "establishment", [("", "—"), *organisation_choices(establishments)])

    def options(self) -> list[dt.date | None]:
        return [self.cleaned_data.get(f"option_{n}") for n in (1, 2, 3)]


class AcceptForm(ActionForm):
    date = forms.ChoiceField(label=_("Date of the drive"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    opens_at = _time_field(_("Opens at"))
    closes_at = _time_field(_("Closes at"))
    slot_minutes = forms.IntegerField(label=_("Slot length (minutes)"), min_value=0)
    beds = forms.IntegerField(label=_("Beds"), min_value=0)

    def __init__(self, *args: Any, request: DriveRequest, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": request.requested_by.name,
                "slot_minutes": drive_default("slot_minutes"),
                "beds": drive_default("beds"),
            },
        )
        super().__init__(*args, **kwargs)
        _set_choices(self, "date", [(d.isoformat(), d.isoformat()) for d in request.options()])

    def chosen_date(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["date"])


class DeclineForm(ActionForm):
    reason = _reason_field(_("Why is the request declined?"))


class RegistrationForm(ActionForm):
    """One person booked into a slot, with the organisation credited."""

    slot = forms.ChoiceField(label=_("Slot"))
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, help_text=_("As the person writes it.")
    )
    date_of_birth = _date_field(_("Date of birth"))
    sex = forms.ChoiceField(
        label=_("Sex"), choices=[("", "—"), ("M", _("Male")), ("F", _("Female"))]
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    unit = forms.ChoiceField(label=_("The person's unit"))
    mobilised_by = forms.ChoiceField(
        label=_("Mobilising organisation"),
        required=False,
        help_text=_("Credited with this donor. By default, the person's unit."),
    )

    def __init__(
        self,
        *args: Any,
        slots: Sequence[Slot],
        zone: Any,
        units: Sequence[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.slots = {s.starts_at.isoformat(): s for s in slots}
        self.units = {str(o.uuid): o for o in units}
        several_days = len({s.starts_at.astimezone(zone).date() for s in slots}) > 1
        _set_choices(
            self, "slot", [("", "—"), *(_slot_choice(s, zone, several_days) for s in slots)]
        )
        _set_choices(self, "unit", [("", "—"), *organisation_choices(units)])
        same = str(_("Same as the person's unit"))
        _set_choices(self, "mobilised_by", [("", same), *organisation_choices(units)])

    def chosen(self) -> dict[str, Any]:
        data = self.cleaned_data
        credit = data.get("mobilised_by") or ""
        return {
            "slot": self.slots[data["slot"]],
            "full_name": data["full_name"],
            "date_of_birth": data["date_of_birth"],
            "sex": data["sex"],
            "phone": data["phone"],
            "unit": self.units[data["unit"]],
            "mobilised_by": self.units.get(credit),
        }


def _slot_choice(slot: Slot, zone: Any, several_days: bool) -> tuple[str, str]:
    local = slot.starts_at.astimezone(zone)
    when = f"{local:%Y-%m-%d %H:%M}" if several_days else f"{local:%H:%M}"
    label = _("%(when)s — %(free)s of %(capacity)s places free") % {
        "when": when,
        "free": slot.free,
        "capacity": slot.capacity,
    }
    return slot.starts_at.isoformat(), str(label)


class UploadForm(ActionForm):
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{xlsx.XLSX_MIME}"}),
    )
    unit = forms.ChoiceField(
        label=_("Unit of the people listed"),
        help_text=_("Used, and credited, for rows without a unit code."),
    )

    def __init__(self, *args: Any, units: Sequence[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(o.uuid): o for o in units}
        _set_choices(self, "unit", organisation_choices(units))
        self.fields["file"].help_text = _("Start from the template. At most %(size)s MB.") % {
            "size": xlsx.MAX_UPLOAD_BYTES // 1024**2
        }

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > xlsx.MAX_UPLOAD_BYTES:
            raise ValidationError(xlsx.too_large_message())
        return upload

    def chosen_unit(self) -> Organisation:
        return self.units[self.cleaned_data["unit"]]
