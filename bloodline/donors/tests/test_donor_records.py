"""A donor's own details: validated, stored normalised, paired blood-group fields, and edits
guarded by a version number."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bloodline.audit.models import AuditEvent
from bloodline.donors import actions
from bloodline.donors.models import Donor
from bloodline.lib.locking import StaleEdit


def test_it_stores_the_phone_in_e164_read_in_the_establishments_country(make_donor):
    donor = make_donor(phone="0912 345 678")
    assert donor.phone == "+84912345678"


def test_an_unreadable_phone_is_refused_at_its_field(make_donor):
    with pytest.raises(ValidationError) as exc:
        make_donor(phone="0912 34")
    assert list(exc.value.message_dict) == ["phone"]


def test_a_date_of_birth_in_the_future_is_refused(make_donor):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        make_donor(date_of_birth=tomorrow)
    assert exc.value.message_dict["date_of_birth"] == ["The date of birth is in the future."]
    make_donor(date_of_birth=timezone.localdate())


def test_creating_a_donor_is_audited_without_personal_details(make_donor):
    donor = make_donor(full_name="Lê Thị Mai", phone="0912 000 111")
    event = AuditEvent.objects.get(action="donor.create", object_id=str(donor.uuid))
    assert "Mai" not in str(event.changes) and "912000111" not in str(event.changes)
    assert "full_name" in event.changes["fields"][1]


@pytest.mark.parametrize(
    ("abo", "rhd", "at", "ok"),
    [
        ("", "", None, True),
        ("A", "pos", "now", True),
        ("A", "", None, False),
        ("", "neg", None, False),
        ("O", "neg", None, False),
        ("", "", "now", False),
        ("AB", "", "now", False),
    ],
)
def test_the_confirmed_blood_group_is_set_all_together(make_donor, abo, rhd, at, ok):
    donor = make_donor()
    update = Donor.objects.filter(pk=donor.pk)
    values = {
        "abo_confirmed": abo,
        "rhd_confirmed": rhd,
        "confirmed_at": timezone.now() if at else None,
    }
    if ok:
        update.update(**values)
    else:
        with pytest.raises(IntegrityError), transaction.atomic():
            update.update(**values)


def test_an_unknown_blood_group_is_refused_by_the_database(make_donor):
    donor = make_donor()
    with pytest.raises(IntegrityError), transaction.atomic():
        Donor.objects.filter(pk=donor.pk).update(abo_declared="C")


def test_a_donor_cannot_be_merged_into_itself_in_the_database(make_donor):
    donor = make_donor()
    with pytest.raises(IntegrityError), transaction.atomic():
        Donor.objects.filter(pk=donor.pk).update(merged_into=donor)


def test_the_declared_blood_group_is_checked(nurse, make_donor):
    donor = make_donor()
    with pytest.raises(ValidationError) as exc:
        actions.update_donor(
            by=nurse, donor=donor, version=donor.version, changes={"abo_declared": "C"}
        )
    assert list(exc.value.message_dict) == ["abo_declared"]


def test_an_edit_bumps_the_version_and_is_audited(nurse, make_donor):
    donor = make_donor()
    saved = actions.update_donor(
        by=nurse,
        donor=donor,
        version=donor.version,
        changes={"address": "Thôn 3", "abo_declared": "O", "preferred_language": "vi"},
    )
    assert saved.version == donor.version + 1 and saved.abo_declared == "O"
    event = AuditEvent.objects.get(action="donor.update")
    assert event.changes["abo_declared"] == ["", "O"]
    assert event.changes["address"] == ["", "•••n 3"]  # masked, old → new (decision 0032)
    assert event.changes["preferred_language"] == ["", "vi"]
    assert "Thôn" not in str(event.changes)


def test_an_edit_from_a_stale_version_is_refused(nurse, make_donor):
    donor = make_donor()
    actions.update_donor(by=nurse, donor=donor, version=donor.version, changes={"sex": "F"})
    with pytest.raises(StaleEdit):
        actions.update_donor(
            by=nurse, donor=donor, version=donor.version, changes={"address": "Xóm 2"}
        )
    donor.refresh_from_db()
    assert donor.address == "" and donor.version == 2


def test_an_edit_making_a_duplicate_needs_a_confirmation(nurse, make_donor):
    first = make_donor(full_name="Phạm Minh Khoa", date_of_birth=dt.date(1985, 2, 2))
    second = make_donor()
    change = {"full_name": "PHAM MINH KHOA", "date_of_birth": dt.date(1985, 2, 2)}
    with pytest.raises(actions.PossibleDuplicate) as exc:
        actions.update_donor(by=nurse, donor=second, version=second.version, changes=change)
    assert [c.donor for c in exc.value.candidates] == [first]
    actions.update_donor(
        by=nurse, donor=second, version=second.version, changes=change, confirmed_distinct=True
    )


def test_people_without_the_registry_permission_cannot_add_donors(users):
    with pytest.raises(Exception) as exc:
        actions.create_donor(
            by=users["unit_organiser"], full_name="Vũ Văn An", date_of_birth=None, region="VN"
        )
    assert type(exc.value).__name__ == "PermissionDenied"


def test_an_edit_of_name_birth_date_and_phone_records_old_and_new(nurse, make_donor):
    donor = make_donor(full_name="Lê Văn Cũ", date_of_birth=dt.date(1990, 5, 1))
    old_phone = donor.phone
    actions.update_donor(
        by=nurse,
        donor=donor,
        version=donor.version,
        changes={
            "full_name": "Lê Văn Mới",
            "date_of_birth": dt.date(1990, 5, 2),
            "phone": "0912 345 678",
        },
        region="VN",
    )
    event = AuditEvent.objects.get(action="donor.update")
    # Names and birth dates are masked too, so an erasure leaves none behind (decision 0033).
    assert event.changes["full_name"] == ["••• Cũ", "•••Mới"]
    assert event.changes["date_of_birth"] == ["•••-01", "•••-02"]
    assert "Lê Văn" not in str(event.changes)
    # The phone is personal data: masked to its last three characters (decision 0032).
    assert event.changes["phone"] == ["•••" + old_phone[-3:], "•••678"]
    assert "345" not in str(event.changes["phone"])
