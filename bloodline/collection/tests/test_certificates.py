"""E-certificates of donation (decision 0054): a PDF in the donor's language with the count of
their donations, and a public page that checks the QR code's token without naming anyone."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent
from bloodline.collection import certificates
from bloodline.collection.models import Donation
from bloodline.demo.factories import collection as factories
from bloodline.donors import actions
from bloodline.donors.models import Donor

pytestmark = pytest.mark.django_db


@pytest.fixture
def giver(demo: Any) -> Any:
    """A donor of the Vietnamese registry in ``language``, with ``count`` earlier complete
    donations, one incomplete collection, and a donation at a drive today."""

    def make(language: str, name: str) -> tuple[Donor, Donation]:
        nurse = User.objects.get(username="drive_nurse")
        donor = actions.create_donor(
            by=nurse,
            full_name=name,
            date_of_birth=dt.date(1990, 1, 2),
            sex="M",
            region="VN",
            preferred_language=language,
            confirmed_distinct=True,
        )
        centre = demo.nodes["vn_centre"]
        now = timezone.now()
        for days in (400, 300, 200):
            factories.donations(
                [donor], credited_to=centre, establishment=centre, at=now - dt.timedelta(days=days)
            )
        factories.donations(
            [donor],
            credited_to=centre,
            establishment=centre,
            at=now - dt.timedelta(days=100),
            incomplete_reason="donor_reaction",
        )
        [latest] = factories.donations(
            [donor], credited_to=centre, establishment=centre, at=now - dt.timedelta(days=2)
        )
        return donor, latest

    return make


def _text(pdf: bytes) -> str:
    """The PDF's text with line breaks as spaces (a long date may wrap)."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def _date(donation: Donation, language: str) -> str:
    with translation.override(language):
        return formats.date_format(certificates.collected_on(donation), "DATE_FORMAT")


def test_the_count_is_of_complete_donations_up_to_this_one(giver):
    donor, latest = giver("vi", "Hồ Văn Đếm")
    ordered = list(Donation.objects.filter(donor=donor).order_by("collected_at"))
    assert [certificates.donation_count(d) for d in ordered if d.is_complete] == [1, 2, 3, 4]
    assert certificates.donation_count(latest) == 4  # the incomplete collection is not counted


def test_the_certificate_pdf_is_in_vietnamese(giver, login):
    donor, latest = giver("vi", "Hồ Văn Chứng")
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"  # the reader's language; the donor's wins
    response = client.get(f"/certificates/{latest.din}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "Hồ Văn Chứng" in text
    assert "Giấy chứng nhận hiến máu" in text
    assert _date(latest, "vi") in text and certificates.collected_on(latest).isoformat() in text
    assert "máu toàn phần" in text  # whole blood, in Vietnamese
    assert re.search(r"\b4\b", text)
    read = AuditEvent.objects.filter(action="donor.read", object_id=str(donor.uuid)).last()
    assert read.changes["read"] == [None, "certificate"]


def test_the_certificate_pdf_is_in_simplified_chinese(giver):
    _donor, latest = giver("zh-hans", "测试献血者")
    pdf = certificates.certificate_pdf(latest, verify_url="http://testserver/certificates/x/")
    text = _text(pdf)
    assert "测试献血者" in text
    assert "献血证书" in text
    assert _date(latest, "zh-hans").replace(" ", "") in re.sub(r"\s", "", text)


def test_the_qr_token_verifies_at_a_public_page_without_personal_data(giver, client):
    donor, latest = giver("vi", "Hồ Văn Kiểm")
    token = certificates.token_for(latest)
    assert donor.full_name not in token and str(donor.uuid) not in token
    client.cookies["django_language"] = "en"
    page = client.get(f"/certificates/verify/{token}/")  # anonymous
    assert page.status_code == 200
    body = page.content.decode()
    assert "Valid certificate of a blood donation on" in body
    assert latest.establishment.display_name() in body
    assert "Hồ Văn Kiểm" not in body and str(donor.uuid) not in body


def test_a_forged_certificate_token_is_refused_clearly(giver, client):
    _donor, latest = giver("vi", "Hồ Văn Giả")
    token = certificates.token_for(latest)
    client.cookies["django_language"] = "en"
    for forged in (token[:-3] + "abc", "nothing", token.split(":")[0]):
        page = client.get(f"/certificates/verify/{forged}/")
        assert page.status_code == 404
        assert "could not be verified" in page.content.decode()


def test_an_incomplete_collection_has_no_certificate(giver, login):
    donor, _latest = giver("vi", "Hồ Văn Dở")
    incomplete = Donation.objects.get(donor=donor, outcome="incomplete")
    assert login("drive_nurse").get(f"/certificates/{incomplete.din}/pdf").status_code == 404
    with pytest.raises(certificates.InvalidCertificate):
        certificates.verify(certificates.token_for(incomplete))


def test_the_donor_page_links_each_certificate_and_the_card(giver, login):
    donor, latest = giver("vi", "Hồ Văn Liên")
    page = login("drive_nurse").get(f"/donors/{donor.uuid}/").content.decode()
    assert f"/certificates/{latest.din}/pdf" in page
    assert f"/donors/{donor.uuid}/card/" in page
    incomplete = Donation.objects.get(donor=donor, outcome="incomplete")
    assert f"/certificates/{incomplete.din}/pdf" not in page
