"""Label pages: one donation's DIN labels as PDF or ZPL, and pre-printed label sheets.

Thin: fetch through the access helpers, call the label functions, answer with the file.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.collection import access as collection_access
from bloodline.collection import label_tasks, labels
from bloodline.collection.certificates import collected_on
from bloodline.collection.models import Donation, Facility
from bloodline.drives.models import Drive
from bloodline.lib.isbt128 import parse
from bloodline.organisations import access
from bloodline.organisations.roles import Perm


def _donation(request: AuthenticatedRequest, din: str) -> Donation:
    """The donation with this DIN (stored bare or with its flags or check character):
    404 if unknown or out of sight, 403 without the right to record donations there — the
    same permission ``drives.access.may_print_labels`` asks before a page links the files."""
    return collection_access.get_donation(
        request.user, din, perm=Perm.DONATION_RECORD, with_flags=True
    )


def _tubes(request: AuthenticatedRequest) -> tuple[str, ...]:
    """Test and pilot tubes; a NAT tube too with ``?nat=1``."""
    if request.GET.get("nat") == "1":
        return (*labels.DEFAULT_TUBES, labels.NAT_TUBE)
    return labels.DEFAULT_TUBES


def _file(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def donation_pdf(request: AuthenticatedRequest, din: str) -> HttpResponse:
    donation = _donation(request, din)
    din13 = parse(donation.din).din
    pdf = labels.din_label_set_pdf(
        din13,
        establishment=donation.establishment.display_name(),
        collected_on=collected_on(donation),
        tubes=_tubes(request),
    )
    return _file(pdf, "application/pdf", f"{din13}.pdf")


@login_required
@require_GET
def donation_zpl(request: AuthenticatedRequest, din: str) -> HttpResponse:
    donation = _donation(request, din)
    din13 = parse(donation.din).din
    zpl = labels.din_label_set_zpl(
        din13,
        establishment=donation.establishment.display_name(),
        collected_on=collected_on(donation),
        tubes=_tubes(request),
    )
    return _file(zpl, "text/plain; charset=utf-8", f"{din13}.zpl")


class PreprintForm(forms.Form):
    drive = forms.ChoiceField(label=_("Drive"))
    count = forms.IntegerField(
        label=_("How many donation numbers"), min_value=1, max_value=labels.MAX_PREPRINT
    )

    def __init__(self, *args: object, choices: list[Drive], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.choices = {str(d.uuid): d for d in choices}
        field = self.fields["drive"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (key, f"{d.starts_on.isoformat()} · {d.title} · {d.establishment.display_name()}")
            for key, d in self.choices.items()
        ]

    def chosen(self) -> Drive:
        return self.choices[self.cleaned_data["drive"]]


# The preprint page offers the drives that have not ended, soonest first (bounded list).
MAX_PREPRINT_DRIVES = 200


def _preprint_drives(request: AuthenticatedRequest) -> list[Drive]:
    """Drives not yet ended, run by establishments with a facility number where the person
    records donations: a label set is printed for one drive (decision 0021)."""
    allowed = access.organisations(request.user, Perm.DONATION_RECORD)
    with_fin = Facility.objects.values("establishment_id")
    places = allowed.filter(pk__in=with_fin, is_active=True)
    return list(
        Drive.objects.filter(establishment__in=places, status__in=sorted(labels.PREPRINT_STATUSES))
        .select_related("establishment")
        .order_by("starts_on", "pk")[:MAX_PREPRINT_DRIVES]
    )


@login_required
def preprint(request: AuthenticatedRequest) -> HttpResponse:
    """Reserve DINs for a drive; their blank label sets (PDF) are drawn by the worker and
    downloaded from the task's page."""
    drives = _preprint_drives(request)
    if not drives:
        raise PermissionDenied
    form = PreprintForm(request.POST or None, choices=drives)
    if request.method == "POST" and form.is_valid():
        drive = form.chosen()
        try:
            numbers = labels.preprint_dins(
                by=request.user, drive=drive, count=form.cleaned_data["count"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            # The numbers are reserved; the worker draws their sheet (decision 0044).
            task = label_tasks.start_sheet(by=request.user, drive=drive, numbers=numbers)
            return redirect(task)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "collection/labels/preprint.html",
        {"form": form, "max": labels.MAX_PREPRINT},
        status=status,
    )
