"""Pre-printed label sets belong to a drive; its reconciliation accounts for every number:
used here, used at another drive, printed but unused (voided) or missing (issue 10, "Why" 3)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from bloodline.donors.models import Donor
from bloodline.drives import actions, reconciliation
from bloodline.drives.models import DriveStatus, MismatchKind
from bloodline.drives.tests.conftest import in_days, typed


@pytest.fixture
def labelled(make_drive, register, present, collect, printed, users):
    """Labels 1–5 printed for the drive: 1 used here, 2 used at another drive, 3 voided,
    4 and 5 unaccounted."""
    drive = make_drive(DriveStatus.RUNNING)
    other = make_drive(DriveStatus.RUNNING, starts_on=in_days(31))
    printed(drive, 1, 5)
    here = register(drive).registration
    present(drive, here, step="done", decision="accept")
    collect(drive, here.donor, din="A999926000001")
    collect(other, Donor.objects.create(full_name="Ở nơi khác"), din="A999926000002")
    actions.void_din(
        by=users["establishment_admin"], drive=drive, din=typed("A999926000003"), reason="Torn"
    )
    return drive


def test_it_accounts_for_every_number_printed_for_the_drive(labelled):
    account = reconciliation.reconcile(labelled).labels
    assert account.printed == 5
    assert account.used_here == 1
    assert account.printed_unused == ["A999926000003"]
    assert [d.din for d in account.used_elsewhere] == ["A999926000002"]
    assert account.missing == ["A999926000004", "A999926000005"]


def test_missing_labels_stop_the_drive_closing_until_voided_or_resolved(
    labelled, users, second_admin
):
    admin = users["establishment_admin"]
    with pytest.raises(ValidationError, match="2 mismatches"):
        actions.change_status(by=admin, drive=labelled, status="closed")
    actions.void_din(by=admin, drive=labelled, din=typed("A999926000004"), reason="Unused")
    actions.resolve_mismatch(
        by=second_admin,
        drive=labelled,
        kind=MismatchKind.MISSING_DIN,
        subject="A999926000005",
        reason="Label sheet torn and thrown away on site",
    )
    assert actions.change_status(by=admin, drive=labelled, status="closed").status == "closed"


def test_the_page_shows_where_the_labels_went(english, labelled):
    page = english("establishment_admin").get(f"/drives/{labelled.uuid}/reconcile/")
    html = page.content.decode()
    assert '<td data-figure="printed">5</td>' in html
    assert '<td data-figure="printed_unused">1</td>' in html
    assert '<td data-figure="used_elsewhere">1</td>' in html
    assert '<td data-figure="missing">2</td>' in html
    assert "A999926000004" in html and "A999926000002" in html


def test_a_label_used_by_an_incomplete_collection_is_accounted(
    make_drive, register, present, collect, printed
):
    drive = make_drive(DriveStatus.RUNNING)
    printed(drive, 1, 1)
    registration = register(drive).registration
    present(drive, registration, step="done", decision="accept")
    stopped = collect(drive, registration.donor, din="A999926000001")
    stopped.outcome, stopped.incomplete_reason, stopped.volume_ml = "incomplete", "poor_flow", 90
    stopped.save()
    result = reconciliation.reconcile(drive)
    assert result.labels.missing == [] and result.labels.used_here == 1
    assert result.mismatches == 0
