"""Signing up and in with a one-time code (issue 13 §1): by SMS read from the fake gateway,
by email read from the fake SMTP server; expired, reused and wrong codes; rate limits; staff
second factor never forced on donors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bloodline.audit.models import AuditEvent
from bloodline.donors.models import DonorAccount
from bloodline.portal.account_models import OneTimeCode, SignInAddress
from bloodline.portal.tests.account_fixtures import (
    ask_code,
    last_mail_code,
    last_sms_code,
    signed_up,
    type_code,
)

pytestmark = pytest.mark.django_db
PHONE = "+84 912 000 111"


def test_a_new_donor_signs_up_with_a_code_from_the_sms_gateway(gateway: Any) -> None:
    client = Client()
    user = signed_up(client, gateway, PHONE)
    assert not user.has_usable_password()
    account = DonorAccount.objects.get(user=user)
    assert account.donor is None and account.claimed_at is None
    assert gateway.delivered[-1]["body"]["to"] == "+84912000111"
    assert AuditEvent.objects.filter(action="donor_account.create").count() == 1
    # Stored hashed: the row holds no six-digit code.
    code = OneTimeCode.objects.get()
    assert len(code.code_hash) == 64 and code.used_at is not None
    assert client.get("/donor/").status_code == 200


def test_a_returning_donor_signs_in_to_the_same_account(gateway: Any) -> None:
    first = signed_up(Client(), gateway, PHONE)
    again = signed_up(Client(), gateway, "+84912000111")
    assert again.pk == first.pk
    assert SignInAddress.objects.count() == 1


def test_a_donor_signs_up_with_a_code_from_the_smtp_server(mailbox: Any) -> None:
    client = Client()
    assert ask_code(client, "Mai.Tran@Example.org").status_code == 302
    assert type_code(client, last_mail_code(mailbox)).status_code == 302
    account = DonorAccount.objects.select_related("user").get()
    assert account.user.email == "mai.tran@example.org"
    assert mailbox.delivered[-1]["To"] == "mai.tran@example.org"


def test_an_expired_code_is_refused_with_a_clear_message(gateway: Any) -> None:
    client = Client()
    ask_code(client, PHONE)
    code = last_sms_code(gateway)
    OneTimeCode.objects.update(
        created_at=timezone.now() - dt.timedelta(minutes=20),
        expires_at=timezone.now() - dt.timedelta(minutes=10),
    )
    answer = type_code(client, code)
    assert answer.status_code == 200
    assert "This code has expired. Ask for a new code." in answer.content.decode()
    assert not DonorAccount.objects.exists()


def test_a_used_code_is_refused(gateway: Any) -> None:
    client = Client()
    ask_code(client, PHONE)
    code = last_sms_code(gateway)
    assert type_code(client, code).status_code == 302
    answer = type_code(client, code)
    assert "This code was already used. Ask for a new code." in answer.content.decode()


def test_five_wrong_codes_spend_the_code(gateway: Any) -> None:
    client = Client()
    ask_code(client, PHONE)
    code = last_sms_code(gateway)
    wrong = "000000" if code != "000000" else "111111"
    answer = type_code(client, wrong)
    assert "You can try 4 more times." in answer.content.decode()
    for _i in range(4):
        answer = type_code(client, wrong)
    assert OneTimeCode.objects.get().wrong_tries == 5
    answer = type_code(client, code)  # even the right one, now
    assert "Too many wrong codes were typed. Ask for a new code." in answer.content.decode()
    assert not DonorAccount.objects.exists()


def test_codes_to_one_address_are_rate_limited(gateway: Any) -> None:
    for _i in range(5):
        assert ask_code(Client(), PHONE).status_code == 302
    answer = ask_code(Client(), PHONE)
    assert answer.status_code == 429
    assert "Too many tries. Wait 60 minutes and try again." in answer.content.decode()
    assert OneTimeCode.objects.count() == 5


def test_codes_from_one_network_address_are_rate_limited(gateway: Any) -> None:
    client = Client()
    for n in range(20):
        assert ask_code(client, f"+84 912 100 {n:03d}").status_code == 302
    assert ask_code(client, "+84 912 200 000").status_code == 429


def test_an_unreadable_address_gets_a_translated_message(gateway: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    answer = client.post("/donor/sign-in/", {"address": "not a phone"})
    assert answer.status_code == 200
    assert "Ce numéro de téléphone" in answer.content.decode()
    assert not OneTimeCode.objects.exists()


def test_staff_second_factor_is_not_forced_on_a_donor(gateway: Any, settings: Any) -> None:
    settings.MFA_REQUIRED = True
    client = Client()
    signed_up(client, gateway, PHONE)
    assert client.get("/donor/").status_code == 200


def test_a_reused_code_is_refused_in_the_readers_language(gateway: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    ask_code(client, PHONE)
    code = last_sms_code(gateway)
    type_code(client, code)
    answer = type_code(client, code)
    assert "Mã này đã được sử dụng. Hãy yêu cầu mã mới." in answer.content.decode()


def test_after_signing_in_the_donor_lands_where_they_were_going(gateway: Any) -> None:
    client = Client()
    sent_to = client.get("/donor/consents/")
    assert sent_to.status_code == 302 and sent_to["Location"].startswith("/donor/sign-in/?next=")
    asked = client.post(sent_to["Location"], {"address": PHONE})
    answer = client.post(asked["Location"], {"code": last_sms_code(gateway)})
    assert answer["Location"] == "/donor/consents/"


def test_a_donor_may_choose_a_password_and_sign_in_with_it(gateway: Any) -> None:
    client = Client()
    user = signed_up(client, gateway, PHONE)
    secret = "Giọt-máu-vàng-2026"
    chosen = client.post("/donor/password/", {"new_password1": secret, "new_password2": secret})
    assert chosen.status_code == 302
    assert AuditEvent.objects.filter(action="donor_account.password_set").count() == 1
    other = Client()
    wrong = other.post("/donor/sign-in/password/", {"address": PHONE, "password": "nope"})
    assert "This address and password do not match an account." in wrong.content.decode()
    right = other.post("/donor/sign-in/password/", {"address": PHONE, "password": secret})
    assert right.status_code == 302
    assert other.session["_auth_user_id"] == str(user.pk)


def test_wrong_passwords_are_rate_limited(gateway: Any) -> None:
    signed_up(Client(), gateway, PHONE)
    client = Client()
    for _i in range(5):
        client.post("/donor/sign-in/password/", {"address": PHONE, "password": "nope"})
    answer = client.post("/donor/sign-in/password/", {"address": PHONE, "password": "nope"})
    assert answer.status_code == 429
