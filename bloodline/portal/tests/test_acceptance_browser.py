"""Issue 13's acceptance in a browser on a phone (390×844), in Vietnamese and Simplified
Chinese: a person signs up with a code read from the fake SMS gateway (Vietnamese) or the
fake email server (Chinese), claims their donor record, agrees to be contacted on that
channel, books a slot of a confirmed drive and pre-screens at home; at the drive a nurse
scans their card and the donation is collected; their home page then shows the donation,
the count and the engine's next eligible date, and the thank-you reaches the fake gateway
or the fake email server in their language. Every donor page passes axe-core (decision
0036).

The staff steps go through the station actions in the test process (the station pages have
their own browser tests). The registry keeps no email address: a donor who signed in by
email is written to at that address (``notifications.outbox.address_on_record``)."""

from __future__ import annotations

import datetime as dt
import importlib
import re
import zoneinfo
from typing import Any

import pytest

from bloodline.web.tests import test_browser
from bloodline.web.tests.axe import assert_accessible
from bloodline.web.tests.test_accessibility import FITS, in_language

browser_context = test_browser.browser_context
page = test_browser.page

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
BORN = dt.date(1993, 6, 21)
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
TITLE = "Ngày hội hiến máu Cầu Giấy"


def house_templates() -> None:
    """The house message templates, put back if an earlier live-server test's flush emptied
    them (they come from data migrations, which a flush does not replay)."""
    from django.apps import apps

    from bloodline.notifications.models import Template

    if Template.objects.filter(establishment__isnull=True).exists():
        return
    for name in ("0002_house_templates", "0004_house_templates_donation_helped"):
        importlib.import_module(f"bloodline.notifications.migrations.{name}").load(apps, None)


def world(language: str) -> tuple[Any, Any, str]:
    """The demo's trees, a drive confirmed at the Vietnamese centre (today and tomorrow, so
    a slot is always ahead) and a generated donor on record with an identity number and a
    phone, who reads ``language``: the drive, the donor and the number as written."""
    from django.utils import timezone

    from bloodline.accounts.models import User
    from bloodline.collection.models import Facility
    from bloodline.demo.seed import seed
    from bloodline.donors import actions as donor_actions
    from bloodline.donors.tests.conftest import vn_number
    from bloodline.drives import actions as drive_actions
    from bloodline.drives.models import DriveStatus

    house_templates()
    nodes = seed().nodes
    today = timezone.localdate(timezone=HANOI)
    Facility.objects.create(establishment=nodes["vn_centre"], fin="W0001")
    admin = User.objects.get(username="establishment_admin")
    drive = drive_actions.create_drive(
        by=admin,
        establishment=nodes["vn_centre"],
        hosts=[nodes["vn_garment"]],
        title=TITLE,
        venue="Hội trường",
        starts_on=today,
        ends_on=today + dt.timedelta(days=1),
        opens_at=dt.time(0, 0),
        closes_at=dt.time(23, 30),
        slot_minutes=240,
        beds=4,
    )
    drive = drive_actions.change_status(by=admin, drive=drive, status=DriveStatus.CONFIRMED)
    nurse = User.objects.get(username="drive_nurse")
    donor = donor_actions.create_donor(
        by=nurse,
        full_name="Lê Thị Hồng Nhung",
        date_of_birth=BORN,
        sex="F",
        phone="0912 345 678",
        region="VN",
        confirmed_distinct=True,
    )
    donor.preferred_language = language
    donor.save(update_fields=["preferred_language"])
    number = vn_number(BORN, "F", tail="551177")
    donor_actions.add_identity_document(
        by=nurse, donor=donor, kind="vn_citizen_identity_card", number=number
    )
    return drive, donor, number


def last_code(gateway: Any) -> str:
    """Send what is due now through the real worker; the code in the last text received."""
    from django.utils import timezone

    from bloodline.notifications import worker

    worker.send_due(worker="test", now=timezone.now())
    found = CODE.search(gateway.delivered[-1]["body"]["text"])
    assert found is not None, gateway.delivered[-1]
    return found.group(1)


def subject_of(mail: Any) -> str:
    """A mail's subject as written (non-ASCII subjects travel encoded, RFC 2047)."""
    from email.header import decode_header, make_header

    return str(make_header(decode_header(mail["Subject"])))


def last_mail(mailbox: Any) -> tuple[str, str]:
    """Send what is due now through the real worker; the last mail's recipient and text."""
    from django.utils import timezone

    from bloodline.notifications import worker

    worker.send_due(worker="test", now=timezone.now())
    mail = mailbox.received[-1]
    return mail["To"], mail.get_payload(decode=True).decode()


def submit(page: Any, testid: str) -> Any:
    with page.expect_navigation() as navigation:
        page.locator(f"[data-testid={testid}]").click()
    return navigation.value


def checked(page: Any, language: str) -> None:
    """In the reader's language, accessible, and nothing sticks out sideways on the phone."""
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)
    assert page.evaluate(FITS), f"{page.url} scrolls sideways on a 390 px phone"


def staff_collect(drive: Any, donor: Any) -> Any:
    """The drive runs; the nurse scans the donor's card at check-in, the donor is screened
    and accepted, and the nurse records the collection: the donation."""
    from django.utils import timezone

    from bloodline.accounts.models import User
    from bloodline.donors import card
    from bloodline.drives import actions as drive_actions
    from bloodline.drives.models import DriveStatus
    from bloodline.screening import actions
    from bloodline.screening.tests.conftest import HEALTHY, no_answers

    admin = User.objects.get(username="establishment_admin")
    nurse = User.objects.get(username="drive_nurse")
    physician = User.objects.get(username="physician")
    drive_actions.change_status(by=admin, drive=drive, status=DriveStatus.RUNNING)
    donor.refresh_from_db()
    came = actions.check_in(by=nurse, drive=drive, scan=card.card_token(donor)).presentation
    assert came.donor == donor and came.registration is not None  # the booking, not a walk-in
    presentation = actions.record_answers(by=nurse, presentation=came, answers=no_answers(came))
    presentation = actions.record_vitals(by=nurse, presentation=presentation, **HEALTHY)
    presentation = actions.physician_decide(
        by=physician, presentation=presentation, decision="accept", volume_ml=350
    )
    end = timezone.now() - dt.timedelta(minutes=1)
    return actions.collect(
        by=nurse,
        presentation=presentation,
        bag_type="triple",
        volume_ml=350,
        started_at=end - dt.timedelta(minutes=8),
        ended_at=end,
    )


@pytest.mark.parametrize(("language", "channel"), [("vi", "sms"), ("zh-hans", "email")])
def test_a_donor_signs_up_books_pre_screens_gives_and_is_thanked_on_a_phone(
    live_server: Any,
    flushable_audit: None,
    page: Any,
    gateway: Any,
    mailbox: Any,
    language: str,
    channel: str,
) -> None:
    from django.utils import formats, timezone, translation

    from bloodline.accounts.system import system_actor
    from bloodline.collection import certificates
    from bloodline.collection.models import DonationType
    from bloodline.donors.models import DonorAccount
    from bloodline.drives.models import Registration
    from bloodline.notifications import worker
    from bloodline.notifications.models import Event, Message, Status, Template
    from bloodline.screening import lookup
    from bloodline.screening.models import PreScreen

    drive, donor, number = world(language)
    base = live_server.url
    page.set_viewport_size(PHONE)
    in_language(page, base, language)

    # 1. Sign up with a code sent by SMS to a new phone (not the one on record), or by email.
    page.goto(f"{base}/donor/sign-in/")
    checked(page, language)
    address = "+84 913 555 071" if channel == "sms" else "hien.mau.071@example.test"
    page.fill("#id_address", address)
    submit(page, "send-code")
    checked(page, language)
    if channel == "sms":
        page.fill("#id_code", last_code(gateway))
        assert gateway.delivered[-1]["body"]["to"] == "+84913555071"
    else:
        to, text = last_mail(mailbox)
        assert to == address
        found = CODE.search(text)
        assert found is not None, text
        page.fill("#id_code", found.group(1))
    signed_in = submit(page, "confirm-code")
    assert signed_in.ok and page.url == f"{base}/donor/"
    assert page.locator("[data-testid=claim-prompt]").count() == 1
    checked(page, language)
    account = DonorAccount.objects.get(sign_in_addresses__isnull=False)
    assert account.donor is None and account.user.preferred_language == language

    # 2. Claim the record: identity number and date of birth, then the code sent to the
    # phone on record.
    with page.expect_navigation():
        page.locator("[data-testid=claim-prompt] a").click()
    checked(page, language)
    page.fill("#id_number", number)
    page.fill("#id_date_of_birth", BORN.isoformat())
    submit(page, "claim-send")
    checked(page, language)
    page.fill("#id_code", last_code(gateway))
    assert gateway.delivered[-1]["body"]["to"] == "+84912345678"  # the record's phone
    submit(page, "claim-confirm")
    checked(page, language)
    account.refresh_from_db()
    assert account.donor == donor and account.claimed_at is not None

    # The donor agrees to be contacted on that channel, so that the thank-you may reach them.
    page.goto(f"{base}/donor/consents/")
    checked(page, language)
    submit(page, f"give-contact_{channel}")
    assert page.locator(f"[data-testid=withdraw-contact_{channel}]").count() == 1
    checked(page, language)

    # 3. Book the first free slot of the confirmed drive, found in the list.
    page.goto(f"{base}/donor/drives/")
    checked(page, language)
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE).click()
    checked(page, language)
    page.locator("input[name=slot]").first.check()
    submit(page, "booking-submit")
    assert page.locator("[data-testid=booking-mine]").count() == 1
    checked(page, language)
    booking = Registration.objects.get(drive=drive, donor=donor, cancelled_at__isnull=True)

    # 4. Pre-screen at home for that booking: all no, nothing stands in the way.
    page.goto(f"{base}/donor/prescreen/{booking.uuid}/")
    assert page.locator("[data-testid=prescreen-form]").count() == 1
    checked(page, language)
    for radio in page.locator("input[type=radio][value=no]").all():
        radio.check()
    submit(page, "prescreen-submit")
    assert PreScreen.objects.filter(registration=booking).count() == 1
    assert page.locator("[data-testid=prescreen-verdict]").count() == 1
    checked(page, language)

    # The donor's card, as they show it at the drive (issued on first view).
    page.goto(f"{base}/donor/card/")
    assert page.locator("[data-testid=donor-card-qr] svg").count() == 1
    checked(page, language)

    # 5. Staff: the card's code scanned at check-in, screened, collected.
    donation = staff_collect(drive, donor)
    assert donation.donor == donor and donation.drive == drive

    # 6. Home: the donation, the count and the engine's next eligible date.
    page.goto(f"{base}/donor/")
    checked(page, language)
    assert page.locator("[data-testid=claim-prompt]").count() == 0
    assert page.locator("[data-testid=donation-count]").inner_text().strip() == "1"
    assert page.locator("[data-testid=donations] article").count() == 1
    eligibility = lookup.card(system_actor(), donor).eligibility
    assert eligibility.next_eligible_on is not None
    assert eligibility.next_eligible_on > timezone.localdate(timezone=HANOI)
    with translation.override(language):
        shown = formats.date_format(eligibility.next_eligible_on, "DATE_FORMAT")
        collected = formats.date_format(
            timezone.localtime(donation.collected_at, HANOI).date(), "DATE_FORMAT"
        )
    section = page.locator("[data-testid=next-eligible]")
    with translation.override(language):
        whole_blood = str(DonationType.WHOLE_BLOOD.label)
    kinds = [t.strip() for t in section.locator("dt").all_inner_texts()]
    dates = [t.strip() for t in section.locator("dd").all_inner_texts()]
    assert dict(zip(kinds, dates, strict=True))[whole_blood] == shown
    article = page.locator("[data-testid=donations] article")
    assert collected in article.locator("h3").inner_text()
    assert whole_blood in article.inner_text() and "350" in article.inner_text()

    # 7. The thank-you, in the donor's language, reaches the fake gateway once: sent by the
    # real worker at noon the next day in Hanoi (outside the quiet hours).
    thanks = Message.objects.get(event=Event.THANK_YOU, donor=donor)
    assert thanks.key == f"thank_you:{donation.uuid}" and thanks.language == language
    noon = dt.datetime.combine(
        timezone.localdate(timezone=HANOI) + dt.timedelta(days=1), dt.time(12), tzinfo=HANOI
    )
    worker.send_due(worker="test", now=noon)
    thanks.refresh_from_db()
    assert thanks.status == Status.SENT and thanks.channel == channel
    if channel == "sms":
        received = [d for d in gateway.delivered if d["body"]["text"] == thanks.body]
        assert len(received) == 1 and received[0]["body"]["to"] == "+84912345678"
    else:
        mails = [m for m in mailbox.received if subject_of(m) == thanks.subject]
        assert len(mails) == 1 and mails[0]["To"] == address
        assert mails[0].get_payload(decode=True).decode().strip() == thanks.body
    assert donor.full_name in thanks.body
    with translation.override(language):
        assert certificates.place_of(donation) in thanks.body
    # Every fixed word of the house's thank-you in the donor's language is in the text.
    house = Template.objects.get(
        event=Event.THANK_YOU, language=language, channel=channel, establishment__isnull=True
    )
    words = [w.strip() for w in re.split(r"\{\{.*?\}\}|\{.*?\}", house.body) if w.strip()]
    assert words and all(w in thanks.body for w in words), (house.body, thanks.body)
