"""The messages donors get after they give (issue 13 §4, §6): a thank-you with the donation,
"your donation helped a patient" when a unit is transfused, and "you can give again" on the
morning of the date the eligibility engine gives; an establishment may switch these off.
Sent through the real worker to the fake SMS gateway."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.collection import actions as collection
from bloodline.collection.models import Donation
from bloodline.demo.factories import distribution as factories
from bloodline.demo.factories.collection import next_din
from bloodline.distribution import actions as distribution
from bloodline.distribution.models import ItemOutcome
from bloodline.jobs.models import Job
from bloodline.notifications import actions, worker
from bloodline.notifications.models import Event, Message, Status, SwitchedOff
from bloodline.screening import eligible_again, lookup
from bloodline.screening.models import Deferral

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _sent(gateway: Any, at: dt.datetime) -> list[dict[str, Any]]:
    """Run the worker's send pass at ``at`` (outside quiet hours) and return what the fake
    SMS gateway received."""
    worker.send_due(worker="test", now=at)
    return list(gateway.delivered)


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=HANOI)


def _give(centre: Any, donor: Any, at: dt.datetime | None = None) -> Any:
    """A donation through the recording action (the factories bypass it)."""
    return collection.record_donation(
        by=system_actor(),
        din=next_din(),
        donor=donor,
        establishment=centre.centre,
        collected_at=at or timezone.now() - dt.timedelta(hours=1),
        donation_type="whole_blood",
        volume_ml=350,
        bag_volume_ml=350,
        credited_to=centre.unit,
    )


@pytest.fixture
def donor(consenting: Any) -> Any:
    return consenting("contact_sms", full_name="Nguyễn Thị Cảm Ơn")


def test_a_donation_queues_one_thank_you_in_the_donor_language(
    centre: Any, donor: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://hien-mau.example.vn"
    donation = _give(centre, donor)
    message = Message.objects.get(event=Event.THANK_YOU, donor=donor)
    assert message.key == f"thank_you:{donation.uuid}"
    # No language chosen: the registry's country's (Vietnam).
    assert (donor.preferred_language, message.language) == ("", "vi")
    assert message.body.startswith("Cảm ơn Nguyễn Thị Cảm Ơn đã hiến máu tại")
    assert centre.centre.display_name("vi") in message.body
    assert "https://hien-mau.example.vn/donor/" in message.body


def test_the_thank_you_reaches_the_gateway_once(centre: Any, donor: Any, gateway: Any) -> None:
    _give(centre, donor)
    received = _sent(gateway, _noon(timezone.localdate() + dt.timedelta(days=1)))
    assert len(received) == 1
    assert "Nguyễn Thị Cảm Ơn" in str(received[0])
    assert Message.objects.get(event=Event.THANK_YOU).status == Status.SENT


def test_a_donor_without_contact_consent_gets_no_thank_you(centre: Any, make_donor: Any) -> None:
    _give(centre, make_donor())
    assert not Message.objects.filter(event=Event.THANK_YOU).exists()


def _transfuse(centre: Any, donation: Any) -> None:
    """The donation's red cells from stock to a transfusion at the demo's hospital."""
    red, _plasma = factories.stocked(donation, lab=centre.lab, clerk=centre.clerk)
    order = distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[distribution.LineRequest("red_cells_additive", "O", "pos", 1)],
    )
    distribution.allocate(by=centre.clerk, order=order)
    scans = factories.label_scans(red)
    distribution.pick(
        by=centre.clerk, order=order, din_scan=scans["din_scan"], product_scan=scans["product_scan"]
    )
    distribution.dispatch(by=centre.clerk, order=order, packed_count=1)
    distribution.receive(by=centre.hospital_user, order=order, received_count=1)
    item = order.shipment.items.get()
    distribution.report_outcome(by=centre.hospital_user, item=item, outcome=ItemOutcome.TRANSFUSED)


def test_a_transfused_unit_tells_its_donor_where_it_helped(centre: Any, donor: Any) -> None:
    donation = centre.donation(donor=donor, at=_noon(timezone.localdate() - dt.timedelta(days=2)))
    _transfuse(centre, donation)
    message = Message.objects.get(event=Event.DONATION_HELPED)
    assert message.donor == donor and message.key == f"donation_helped:{donation.uuid}"
    assert centre.hospital.display_name(message.language) in message.body
    day = timezone.localtime(donation.collected_at, HANOI).date()
    assert str(day.day) in message.body and str(day.year) in message.body
    # Nothing about the patient: the order's patient facts are not in the text.
    assert "patient" not in {w.lower() for w in message.body.split()} or message.language == "en"


def test_an_establishment_can_switch_the_transfusion_message_off(
    centre: Any, donor: Any, users: Any
) -> None:
    admin = users["establishment_admin"]
    actions.set_switched_off(establishment=centre.centre, events=[Event.DONATION_HELPED], by=admin)
    _transfuse(centre, _give(centre, donor))
    assert not Message.objects.filter(event=Event.DONATION_HELPED).exists()
    assert Message.objects.filter(event=Event.THANK_YOU).exists()  # the others still go
    event = AuditEvent.objects.filter(action="messages.switched_off").get()
    assert event.changes["switched_off"] == [[], ["donation_helped"]]


def test_messages_a_donor_must_act_on_cannot_be_switched_off(centre: Any, users: Any) -> None:
    with pytest.raises(ValidationError):
        actions.set_switched_off(
            establishment=centre.centre,
            events=[Event.BOOKING_CONFIRMED],
            by=users["establishment_admin"],
        )
    assert not SwitchedOff.objects.exists()


def test_the_switch_page_turns_a_message_off_and_on(centre: Any, login: Any) -> None:
    page = login("establishment_admin")
    url = f"/messages/{centre.centre.uuid}/messages-sent/"
    sent = [e.value for e in (Event.THANK_YOU, Event.ELIGIBLE_AGAIN, Event.RESULT_READY)]
    assert page.post(url, {"send": sent}).status_code == 302
    off = set(SwitchedOff.objects.values_list("event", flat=True))
    assert off == {"donation_helped", "reminder_day_before"}
    listing = page.get(f"/messages/{centre.centre.uuid}/templates/").content.decode()
    assert 'value="thank_you" id="send-thank_you" checked' in listing
    assert 'value="donation_helped" id="send-donation_helped">' in listing
    page.post(url, {"send": [*sent, "donation_helped", "reminder_day_before"]})
    assert not SwitchedOff.objects.exists()


def test_a_forged_switch_changes_nothing(centre: Any, login: Any) -> None:
    page = login("establishment_admin")
    url = f"/messages/{centre.centre.uuid}/messages-sent/"
    page.post(url, {"send": ["sign_in_code"]})  # not switchable: refused as a whole
    assert not SwitchedOff.objects.exists()


def _job_pass(monkeypatch: Any, at: dt.datetime) -> dict[str, Any]:
    monkeypatch.setattr(timezone, "now", lambda: at)
    result = eligible_again.run()
    Job.objects.create(
        kind=eligible_again.KIND, run_after=at, finished_at=at, result=result
    )  # as the queue records a finished run: the next pass starts after it
    return result


def test_eligible_again_is_scheduled_for_the_engine_date_and_sent_that_morning(
    centre: Any, donor: Any, gateway: Any, monkeypatch: Any, nurse: Any
) -> None:
    donation = centre.donation(donor=donor, at=_noon(timezone.localdate() - dt.timedelta(days=1)))
    result = _job_pass(monkeypatch, timezone.now() + dt.timedelta(minutes=5))
    assert result["queued"] == 1 and result["donations"] == donation.pk
    message = eligible_again.waiting(donor)
    assert message is not None
    on = dt.date.fromisoformat(message.key.rsplit(":", 1)[1])
    # The date the station's donor card gives (the engine under the centre's rules).
    assert on == lookup.card(nurse, donor).eligibility.next_eligible_on
    assert on > timezone.localdate()
    assert timezone.localtime(message.next_attempt_at, HANOI) == dt.datetime.combine(
        on, eligible_again.SEND_AT, tzinfo=HANOI
    )
    gateway.delivered.clear()
    assert _sent(gateway, _noon(on - dt.timedelta(days=1))) == []
    later = _sent(gateway, _noon(on))
    assert len(later) == 1 and Message.objects.get(pk=message.pk).status == Status.SENT
    # A second pass over the same rows queues nothing more.
    assert _job_pass(monkeypatch, _noon(on))["queued"] == 0


def test_a_deferral_moves_the_reminder_and_a_permanent_one_cancels_it(
    centre: Any, donor: Any, monkeypatch: Any, users: Any
) -> None:
    centre.donation(donor=donor, at=_noon(timezone.localdate() - dt.timedelta(days=1)))
    start = timezone.now() + dt.timedelta(minutes=5)
    _job_pass(monkeypatch, start)
    first = eligible_again.waiting(donor)
    assert first is not None
    later = timezone.localdate() + dt.timedelta(days=400)
    Deferral.objects.create(
        donor=donor, code="travel", reason="", starts_on=timezone.localdate(), until=later
    )
    _job_pass(monkeypatch, start + dt.timedelta(minutes=10))
    moved = eligible_again.waiting(donor)
    assert moved is not None and moved.key.endswith(later.isoformat())
    first.refresh_from_db()
    assert (first.status, first.last_error) == (Status.CANCELLED, "date_moved")
    Deferral.objects.create(
        donor=donor, code="hiv", reason="", starts_on=timezone.localdate(), permanent=True
    )
    _job_pass(monkeypatch, start + dt.timedelta(minutes=20))
    assert eligible_again.waiting(donor) is None


def test_the_sweep_queues_in_bulk_once_per_consenting_donor(
    centre: Any, consenting: Any, make_donor: Any
) -> None:
    yesterday = _noon(timezone.localdate() - dt.timedelta(days=1))
    agreed = [consenting("contact_sms") for _ in range(6)]
    silent = [make_donor() for _ in range(3)]
    for person in agreed + silent:
        centre.donation(donor=person, at=yesterday)
    ids = [p.pk for p in agreed + silent]
    assert eligible_again.schedule(ids) == 6
    assert eligible_again.schedule(ids) == 0  # the same keys: nothing twice
    queued = Message.objects.filter(event=Event.ELIGIBLE_AGAIN, status=Status.QUEUED)
    assert sorted(queued.values_list("donor_id", flat=True)) == sorted(p.pk for p in agreed)
    # Each message reads as one written for that donor alone.
    first = queued.get(donor=agreed[0])
    assert agreed[0].full_name in first.body and first.language == "vi"


def test_a_donor_who_signed_in_by_email_is_thanked_by_email(
    centre: Any, make_donor: Any, nurse: Any, mailbox: Any, settings: Any
) -> None:
    from bloodline.accounts.models import User
    from bloodline.donors import actions as donor_actions
    from bloodline.donors.models import DonorAccount

    settings.NOTIFY_CHANNEL_ORDER = ["email", "sms"]
    person = make_donor(full_name="Lê Thư Điện")
    user = User.objects.create(username="donor-mail", email="le.thu@example.test")
    DonorAccount.objects.create(user=user, donor=person)
    donor_actions.record_consent(
        by=nurse, donor=person, purpose="contact_email", text_version="2026-1"
    )
    _give(centre, person)
    message = Message.objects.get(event=Event.THANK_YOU, donor=person)
    assert message.channel == "email" and message.language == "vi"
    worker.send_due(worker="test", now=_noon(timezone.localdate() + dt.timedelta(days=1)))
    (mail,) = mailbox.received
    assert mail["To"] == "le.thu@example.test"
    text = mail.get_payload(decode=True).decode()
    assert "Lê Thư Điện" in text and "Cảm ơn" in text
    # An account that can no longer sign in (closed at erasure) is not written to.
    user.is_active = False
    user.save(update_fields=["is_active"])
    _give(centre, person)
    assert Message.objects.filter(event=Event.THANK_YOU, donor=person).count() == 1


def test_the_sweep_judges_each_donor_as_the_station_card_does(
    centre: Any, consenting: Any, nurse: Any
) -> None:
    """The job reads each donor's donations once, as rows of values, for the place and the
    engine alike: the dates must be the card's, whatever the history."""
    today = lookup.today_at(centre.centre)[0]
    days_ago = [1, 200, 1, 3, 40]
    donors = [consenting("contact_sms") for _ in days_ago]
    for person, ago in zip(donors, days_ago, strict=True):
        centre.donation(donor=person, at=_noon(today - dt.timedelta(days=ago)))
    centre.donation(donor=donors[3], at=_noon(today - dt.timedelta(days=100)))
    recent = _noon(today - dt.timedelta(days=3))
    Donation.objects.filter(donor=donors[3], collected_at__gte=recent).update(
        donation_type="platelets"
    )
    Deferral.objects.create(
        donor=donors[2],
        code="travel",
        reason="",
        starts_on=today,
        until=today + dt.timedelta(days=300),
    )
    ids = [p.pk for p in donors]
    places, history = eligible_again._places(ids)
    judged = lookup.eligibility_of(donors, places, history=history)
    assert judged == lookup.eligibility_of(donors, places)
    dates = {p.pk: lookup.card(nurse, p).eligibility.next_eligible_on for p in donors}
    assert {pk: e.next_eligible_on for pk, e in judged.items()} == dates
    assert dates[donors[1].pk] == today and dates[donors[2].pk] == today + dt.timedelta(days=300)
    assert len({dates[p.pk] for p in donors}) >= 4  # the histories differ in what decides
    assert eligible_again.schedule(ids) == sum(1 for on in dates.values() if on and on > today)
