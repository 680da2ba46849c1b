"""Importing an analyser file through the page: the batch page lists the rows taken and
every refused row with its line number and reason; unreadable files are refused whole."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bloodline.demo.factories import distribution as factories
from bloodline.drives.tests import conftest as drive_fixtures
from bloodline.lab.forms import MAX_IMPORT_MB, ImportForm
from bloodline.lab.models import ImportBatch, TestResult
from bloodline.organisations.models import Organisation

pytestmark = pytest.mark.django_db
english = drive_fixtures.english  # a signed-in client reading the pages in English
IMPORT = reverse("lab:import")


def upload(content: bytes, name: str = "run.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_the_page_documents_the_columns_and_offers_the_persons_establishments(
    centre: Any, english: Any
) -> None:
    page = english("lab_technician").get(IMPORT).content.decode()
    for column in ("din", "test", "stage", "result", "manufacturer", "result_id"):
        assert f"<code>{column}</code>" in page
    assert f'value="{centre.centre.uuid}"' in page
    assert str(centre.hospital.uuid) not in page


def test_the_only_establishment_is_preselected(centre: Any) -> None:
    only = Organisation.objects.filter(pk=centre.centre.pk)
    form = ImportForm(establishments=only)
    assert form.fields["establishment"].initial == centre.centre.uuid
    assert f'value="{centre.centre.uuid}" selected' in str(form["establishment"])


def test_good_rows_are_taken_and_bad_rows_are_listed_with_their_reasons(
    centre: Any, english: Any
) -> None:
    donation = centre.donation()
    rows = factories.passing_rows(donation, "O", "pos")
    unknown = rows[0] | {"din": "G999926999999", "result_id": "elsewhere-1"}
    content = factories.to_csv([*rows, unknown, rows[0]])
    response = english("lab_technician").post(
        IMPORT,
        {"establishment": centre.centre.uuid, "file": upload(content.encode())},
        follow=True,
    )
    batch = ImportBatch.objects.get()
    assert response.redirect_chain[-1][0] == reverse("lab:batch", args=[batch.uuid])
    assert (batch.rows_taken, batch.rows_refused) == (len(rows), 2)
    page = response.content.decode()
    unknown_line, repeat_line = len(rows) + 2, len(rows) + 3
    assert f"<td>{unknown_line}</td>" in page and f"<td>{repeat_line}</td>" in page
    assert "No donation with this DIN was collected by this establishment." in page
    assert "This row repeats an earlier row of the file." in page
    assert donation.din in page  # the sample with results, linked
    assert TestResult.objects.count() == len(rows)


def test_it_refuses_a_file_that_is_not_utf8(centre: Any, english: Any) -> None:
    content = "din,test,result,operator\nG999926000001,hiv,non_reactive,Nguyễn Thị Lan\n"
    response = english("lab_technician").post(
        IMPORT,
        {"establishment": centre.centre.uuid, "file": upload(content.encode("utf-16"))},
    )
    assert response.status_code == 200
    assert "The file is not UTF-8 text." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_it_refuses_a_file_larger_than_the_limit(centre: Any, english: Any) -> None:
    big = b"din,test,result\n" + b"x" * (MAX_IMPORT_MB * 1024 * 1024)
    response = english("lab_technician").post(
        IMPORT, {"establishment": centre.centre.uuid, "file": upload(big)}
    )
    assert f"The file is larger than {MAX_IMPORT_MB} MB." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_it_names_the_missing_columns(centre: Any, english: Any) -> None:
    response = english("lab_technician").post(
        IMPORT,
        {"establishment": centre.centre.uuid, "file": upload(b"din,test\nG999926000001,hiv\n")},
    )
    assert "The file needs the columns result." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_it_refuses_a_laboratory_outside_the_persons_scope(centre: Any, english: Any) -> None:
    cn_centre = english("cn_establishment_admin")
    response = cn_centre.post(
        IMPORT, {"establishment": centre.centre.uuid, "file": upload(b"din,test,result\n")}
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not ImportBatch.objects.exists()
