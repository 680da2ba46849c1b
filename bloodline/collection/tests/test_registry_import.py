"""Importing a legacy registry (decision 0045): donors and donations in, duplicates and bad
rows refused with their line and reason, re-runs idempotent, nothing half-applied, imported
donations counted by progress and by the eligibility engine."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent
from bloodline.collection.models import DailyCredit, Donation, LegacyDonor, RegistryImport
from bloodline.collection.registry_import import reading
from bloodline.collection.registry_import.importer import import_registry
from bloodline.collection.registry_import.reasons import describe
from bloodline.donors.models import Donor
from bloodline.donors.search import by_identity_number, by_phone
from bloodline.screening import lookup

HEADER = (
    "legacy_id,full_name,sex,date_of_birth,document_kind,document_number,phone,blood_group,"
    "area_code,donation_date,donation_type,volume_ml,din,outcome"
)
MAN = "001090123456"  # a man born in 1990 (vn_citizen_identity_card)
WOMAN = "001192654321"  # a woman born in 1992


def days_ago(n: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=n)).isoformat()


def csv_file(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def run(demo: Any, data: bytes, *, by: str = "establishment_admin", **kw: Any) -> Any:
    return import_registry(
        by=User.objects.get(username=by),
        establishment=demo.nodes["vn_centre"],
        rows=reading.read(io.BytesIO(data)),
        source=kw.pop("source", "old-system"),
        file_name="registry.csv",
        **kw,
    )


def good_file() -> bytes:
    return csv_file(
        f"A1,Nguyễn Văn An,M,1990-03-01,cccd,{MAN},0912345678,O+,,{days_ago(400)},"
        "whole_blood,350,,complete",
        f"A1,Nguyễn Văn An,M,1990-03-01,cccd,{MAN},0912345678,O+,,{days_ago(20)},wb,350,,",
        f"B2,Trần Thị Bình,F,01/05/1992,cccd,{WOMAN},,,,{days_ago(100)},whole_blood,250,,",
        "C3,Lê Văn Cường,M,1985-07-07,,,,,,,,,,",
    )


@pytest.mark.django_db
def test_it_imports_donors_and_their_donations(demo: Any) -> None:
    outcome = run(demo, good_file())
    assert outcome.counts() == {
        "rows": 4,
        "donors_added": 3,
        "donors_already": 0,
        "donations_added": 3,
        "donations_already": 0,
        "rejected": 0,
    }
    an = Donor.objects.get(legacy_ids__legacy_id="A1")
    assert (an.abo_confirmed, an.rhd_confirmed, an.sex) == ("O", "pos", "M")
    assert an.donations.count() == 2
    assert an.registry == demo.nodes["vn_centre"].parent or an.registry.parent_id is None
    # Written with their blind indexes: the exact lookups find them.
    assert list(by_identity_number(MAN)) == [an]
    assert list(by_phone("0912 345 678", "VN")) == [an]
    # Legacy donations without a DIN get a reference that can never be an ISBT 128 DIN.
    assert all(d.din.startswith("L~") for d in an.donations.all())


@pytest.mark.django_db
def test_the_same_file_twice_adds_nothing_the_second_time(demo: Any) -> None:
    run(demo, good_file())
    again = run(demo, good_file())
    assert again.counts()["donors_added"] == 0
    assert again.counts()["donations_added"] == 0
    assert again.counts()["donors_already"] == 3
    assert again.counts()["donations_already"] == 3
    assert Donor.objects.filter(legacy_ids__source="old-system").count() == 3
    assert Donation.objects.filter(donor__legacy_ids__source="old-system").count() == 3


@pytest.mark.django_db
def test_every_refused_row_is_reported_with_its_line_and_reason(demo: Any) -> None:
    run(demo, good_file(), source="first")
    outcome = run(
        demo,
        csv_file(
            "D1,Phạm Văn Dũng,M,1990-02-30,,,,,,,,,,",  # line 2: no such date
            "D2,Phạm Văn Đức,M,1991-01-01,,,12ab,,,,,,,",  # 3: phone
            f"D3,Nguyễn Văn An,M,1990-03-01,cccd,{MAN},,,,,,,,",  # 4: number on record
            "D4,Võ Thị Em,F,1993-03-03,,,,,NO-SUCH-UNIT,,,,,",  # 5: unknown code
            "D5,Đỗ Văn Phúc,M,1980-01-01,,,,,,,,,,",  # 6: fine
            f"D5,,,,,,,,,{days_ago(10)},whole_blood,-5,,",  # 7: volume
            f"D1,,,,,,,,,{days_ago(10)},whole_blood,350,,",  # 8: its donor was refused
            f"D9,,,,,,,,,{days_ago(10)},whole_blood,350,,",  # 9: no such donor
            f"D5,,,,,,,,,{days_ago(5)},whole_blood,350,,",  # 10: fine
            f"D5,,,,,,,,,{days_ago(5)},whole_blood,350,,",  # 11: same donation again
            "D6,Nguyễn Văn An,M,1990-03-01,,,0912345678,,,,,,,",  # 12: same name and phone
        ),
        source="second",
    )
    reasons = {r["line"]: r["reason"] for r in outcome.rejections}
    assert reasons == {
        2: "bad_date",
        3: "bad_phone",
        4: "same_number_in_registry",
        5: "unknown_code",
        7: "bad_volume",
        8: "donor_refused",
        9: "unknown_donor",
        11: "same_donation_in_file",
        12: "same_person_in_registry",
    }
    assert outcome.rows == 11
    assert outcome.donors_added == 1 and outcome.donations_added == 1
    # Every row is accounted for: taken (donor or donation) or refused.
    refused = next(r for r in outcome.rejections if r["line"] == 8)
    assert describe(refused["reason"], refused["params"]).endswith("line 2.")
    run_row = RegistryImport.objects.get(source="second")
    assert run_row.counts["rejected"] == 9 and len(run_row.rejections) == 9


@pytest.mark.django_db
def test_a_number_twice_in_the_file_is_refused_the_second_time(demo: Any) -> None:
    outcome = run(
        demo,
        csv_file(
            f"E1,Hồ Văn Giang,M,1990-01-01,cccd,{MAN},,,,,,,,",
            f"E2,Hồ Văn Giang,M,1990-01-01,cccd,{MAN},,,,,,,,",
        ),
        chunk=1,  # across chunks too
    )
    assert [(r["line"], r["reason"]) for r in outcome.rejections] == [(3, "same_number_in_file")]
    assert outcome.donors_added == 1


@pytest.mark.django_db
def test_a_file_without_the_needed_columns_writes_nothing(demo: Any) -> None:
    before = (Donor.objects.count(), RegistryImport.objects.count(), AuditEvent.objects.count())
    with pytest.raises(reading.ImportFileError):
        run(demo, csv_file("X1,Somebody", header="legacy_id,surname"))
    after = (Donor.objects.count(), RegistryImport.objects.count(), AuditEvent.objects.count())
    assert after == before


@pytest.mark.django_db
def test_a_dry_run_reports_and_writes_nothing(demo: Any) -> None:
    before = (Donor.objects.count(), Donation.objects.count(), DailyCredit.objects.count())
    outcome = run(demo, good_file(), dry_run=True)
    assert outcome.donors_added == 3 and outcome.run is None
    after = (Donor.objects.count(), Donation.objects.count(), DailyCredit.objects.count())
    assert after == before
    assert not LegacyDonor.objects.exists()


@pytest.mark.django_db
def test_one_audit_event_per_run_with_the_counts(demo: Any) -> None:
    before = AuditEvent.objects.count()
    run(demo, good_file())
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [e.action for e in events] == ["registry.import"]
    assert events[0].changes["donors_added"] == [None, 3]
    assert events[0].actor_label == "establishment_admin"


@pytest.mark.django_db
def test_only_the_establishments_administration_may_import(demo: Any) -> None:
    with pytest.raises(PermissionDenied):
        run(demo, good_file(), by="drive_nurse")
    assert not Donor.objects.filter(legacy_ids__isnull=False).exists()


@pytest.mark.django_db
def test_imported_donations_count_in_progress_summaries(demo: Any) -> None:
    run(demo, good_file())
    call_command("check_progress_summaries")  # raises when the summaries disagree
    an = Donor.objects.get(legacy_ids__legacy_id="A1")
    first = an.donations.order_by("collected_at").first()
    assert first is not None and first.first_time
    assert DailyCredit.objects.filter(credited_to=demo.nodes["vn_centre"], first_time=1).exists()


@pytest.mark.django_db
def test_a_donor_imported_with_a_donation_20_days_ago_may_not_give_whole_blood_today(
    demo: Any,
) -> None:
    run(demo, good_file())
    an = Donor.objects.get(legacy_ids__legacy_id="A1")
    nurse = User.objects.get(username="drive_nurse")
    card = lookup.card(nurse, an)
    assert card.eligibility.outcome == "deferred_temporary"
    assert card.eligibility.next_eligible_on is not None
    assert card.eligibility.next_eligible_on > timezone.localdate()
    assert len(card.last_donations) == 2


@pytest.mark.django_db
def test_it_reads_csv_with_bom_and_semicolons_and_xlsx(demo: Any) -> None:
    text = "\ufeffMã người hiến;Họ tên;Ngày sinh\nV1;Lý Thị Hạnh;1990-01-01\n"
    outcome = run(demo, text.encode())
    assert outcome.donors_added == 1
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["donor_id", "name", "dob", "date", "volume"])
    sheet.append(["X1", "Mai Văn Khoa", dt.date(1988, 8, 8), dt.date(2024, 1, 2), 350])
    stream = io.BytesIO()
    book.save(stream)
    outcome = run(demo, stream.getvalue(), source="xlsx")
    assert outcome.counts()["donations_added"] == 1 and not outcome.rejections


@pytest.mark.django_db
def test_it_reads_quoted_line_breaks_and_short_rows_and_refuses_other_encodings(
    demo: Any,
) -> None:
    data = (
        'legacy_id,full_name,address\nQ1,"Generated, Person","1 Street\r\nWard 2"\nQ2,Short Row\n'
    )
    outcome = run(demo, data.encode())
    assert (outcome.donors_added, outcome.rejections) == (2, [])
    assert Donor.objects.get(full_name="Generated, Person").address == "1 Street Ward 2"
    with pytest.raises(reading.ImportFileError):  # a legacy code page, not read as garbage
        run(demo, "legacy_id,full_name\nZ1,Tr\u00e1n\n".encode("latin-1"))
    assert not Donor.objects.filter(legacy_ids__legacy_id="Z1").exists()


@pytest.mark.django_db
def test_a_mapping_renames_the_columns(demo: Any, tmp_path: Any) -> None:
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"Ma so": "legacy_id", "Ten day du": "full_name"}')
    data = b"Ma so,Ten day du\nM1,Somebody Generated\n"
    outcome = import_registry(
        by=User.objects.get(username="establishment_admin"),
        establishment=demo.nodes["vn_centre"],
        rows=reading.read(io.BytesIO(data), reading.load_mapping(mapping)),
        source="mapped",
        file_name="m.csv",
    )
    assert outcome.donors_added == 1


@pytest.mark.django_db
def test_the_command_prints_counts_and_writes_the_report(demo: Any, tmp_path: Any) -> None:
    source = tmp_path / "legacy.csv"
    source.write_bytes(csv_file("R1,Somebody,X,,,,,,,,,,,", "R2,Another,F,,,,,,,,,,,"))
    out = io.StringIO()
    code = demo.nodes["vn_centre"].official_code
    call_command("import_registry", str(source), "--establishment", code, stdout=out)
    assert "donors_added: 1" in out.getvalue()
    report = tmp_path / "legacy.rejected.csv"
    assert str(report) in out.getvalue()
    text = report.read_text(encoding="utf-8-sig")
    assert "2,R1," in text
    out = io.StringIO()
    call_command("import_registry", str(source), "--establishment", code, stdout=out)
    assert "already imported" in out.getvalue()


@pytest.mark.django_db
def test_many_days_at_once_keep_the_summaries_equal_to_the_donations(demo: Any) -> None:
    """More day rows than a desk writes at once take the bulk path (new rows inserted,
    existing ones added to in one statement); the check still finds nothing to repair."""
    lines = [
        f"M{i},Generated Person {i},M,1980-01-01,,,,,,{days_ago(30 + i)},whole_blood,350,,"
        for i in range(80)
    ]
    run(demo, csv_file(*lines), source="one")
    again = [line.replace("M", "N", 1).replace(",350,", ",250,") for line in lines]
    run(demo, csv_file(*again), source="two")  # the same 80 days: rows exist now
    call_command("check_progress_summaries")
    centre = demo.nodes["vn_centre"]
    assert DailyCredit.objects.filter(credited_to=centre, donations__gte=2).count() >= 80


@pytest.mark.django_db
def test_a_later_export_adds_donations_to_donors_imported_before(demo: Any) -> None:
    run(demo, good_file())
    later = run(
        demo,
        csv_file(
            f"A1,,,,,,,,,{days_ago(5)},whole_blood,350,,",  # only the legacy id
            f"C3,Lê Văn Cường,M,1985-07-07,,,,,,{days_ago(6)},whole_blood,250,,",
        ),
    )
    assert later.rejections == []
    assert later.donations_added == 2 and later.donors_added == 0
    assert Donor.objects.get(legacy_ids__legacy_id="A1").donations.count() == 3
    call_command("check_progress_summaries")


@pytest.mark.django_db
def test_the_same_name_and_phone_twice_in_the_file_is_refused_the_second_time(
    demo: Any,
) -> None:
    outcome = run(
        demo,
        csv_file(
            "F1,Generated Person,F,1990-01-01,,,0912000111,,,,,,,",
            "F2,GENERATED PERSON,F,1990-01-01,,,+84 912 000 111,,,,,,,",
        ),
    )
    assert [(r["line"], r["reason"]) for r in outcome.rejections] == [(3, "same_person_in_file")]


@pytest.mark.django_db
def test_first_time_flags_follow_the_rule_across_chunks_and_at_equal_times(demo: Any) -> None:
    """Day rows are written once at the end of the run and first-time flags are set before
    the insert (decision 0045, Speed): an older donation in a later chunk moves the flag,
    two donations at the same first moment are both first-time, the summaries agree."""
    data = csv_file(
        f"A1,Nguyễn Văn An,M,1990-03-01,cccd,{MAN},0912345678,O+,,{days_ago(100)},wb,350,,",
        f"B2,Trần Thị Bình,F,01/05/1992,cccd,{WOMAN},,,,{days_ago(300)},whole_blood,250,,",
        f"B2,Trần Thị Bình,F,01/05/1992,cccd,{WOMAN},,,,{days_ago(300)},plasma,500,,",
        f"A1,Nguyễn Văn An,M,1990-03-01,cccd,{MAN},0912345678,O+,,{days_ago(400)},wb,350,,",
    )
    outcome = run(demo, data, chunk=2)
    assert outcome.counts()["donations_added"] == 4
    call_command("check_progress_summaries")  # raises when the summaries disagree
    for donor in Donor.objects.filter(legacy_ids__isnull=False):
        donations = list(donor.donations.filter(outcome="complete"))
        first = min(d.collected_at for d in donations)
        assert {d.din: d.first_time for d in donations} == {
            d.din: d.collected_at == first for d in donations
        }
    assert Donation.objects.filter(donor__legacy_ids__legacy_id="B2", first_time=True).count() == 2


@pytest.mark.django_db
def test_imported_donations_make_their_windows_counted_again(demo: Any) -> None:
    """An import marks the plan windows over its days stale (decision 0052); the worker's
    fill then counts the imported donors, and the check agrees."""
    from bloodline.collection import donor_windows
    from bloodline.organisations import tally
    from bloodline.organisations.models import TallyWindow

    today = timezone.localdate()
    recent = tally.want_window(today - dt.timedelta(days=30), today)
    old = tally.want_window(today - dt.timedelta(days=3000), today - dt.timedelta(days=2000))
    donor_windows.fill_due()
    before = donor_windows.kept(recent).get(demo.nodes["vn_centre"].pk, 0)
    run(demo, good_file())
    assert set(TallyWindow.objects.filter(ready=False)) == {recent}  # not the old window
    assert TallyWindow.objects.get(pk=old.pk).ready
    donor_windows.fill_due()
    assert donor_windows.kept(recent)[demo.nodes["vn_centre"].pk] == before + 1  # An, 20 days ago
    call_command("check_progress_summaries")  # raises when the counts disagree
