"""Voiding a donation number: only a number the establishment issued, typed with its check
character or scanned (issue 10, "Why" 3; decision 0021)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from bloodline.audit.models import AuditEvent
from bloodline.drives import actions
from bloodline.drives.models import DriveStatus, VoidedDin
from bloodline.drives.tests.conftest import typed


def test_voiding_a_number_never_issued_is_refused(make_drive, printed, users):
    drive = make_drive(DriveStatus.RUNNING)
    printed(drive, 1, 10)
    with pytest.raises(ValidationError) as refused:
        actions.void_din(
            by=users["establishment_admin"], drive=drive, din=typed("A999926000011"), reason="x"
        )
    assert refused.value.message_dict["din"] == [
        "This donation number was never issued by this establishment."
    ]
    with pytest.raises(ValidationError, match="never issued"):
        actions.void_din(
            by=users["establishment_admin"], drive=drive, din=typed("G151723600001"), reason="x"
        )
    assert not VoidedDin.objects.exists()
    assert not AuditEvent.objects.filter(action="din.void").exists()


def test_a_number_typed_without_its_check_character_is_refused(make_drive, printed, users):
    drive = make_drive(DriveStatus.RUNNING)
    printed(drive, 1, 10)
    with pytest.raises(ValidationError) as refused:
        actions.void_din(
            by=users["establishment_admin"], drive=drive, din="A999926000004", reason="Torn"
        )
    assert "check character" in refused.value.message_dict["din"][0]
    assert not VoidedDin.objects.exists()


def test_a_scanned_label_is_voided(make_drive, printed, users):
    from bloodline.lib.isbt128 import type3_flag

    drive = make_drive(DriveStatus.RUNNING)
    printed(drive, 1, 10)
    din = "A999926000004"
    voided = actions.void_din(
        by=users["establishment_admin"], drive=drive, din=f"={din}{type3_flag(din)}", reason="x"
    )
    assert voided.din == din


def test_a_number_reached_by_the_allocator_counts_as_issued(make_drive, users, demo):
    from bloodline.collection.models import DinCounter, Facility

    facility = Facility.objects.create(establishment=demo.nodes["vn_centre"], fin="A9999")
    DinCounter.objects.create(facility=facility, year=26, last_sequence=40)
    drive = make_drive(DriveStatus.RUNNING)
    voided = actions.void_din(
        by=users["establishment_admin"], drive=drive, din=typed("A999926000040"), reason="Spoilt"
    )
    assert voided.din == "A999926000040"
    with pytest.raises(ValidationError, match="never issued"):
        actions.void_din(
            by=users["establishment_admin"], drive=drive, din=typed("A999926000041"), reason="x"
        )
