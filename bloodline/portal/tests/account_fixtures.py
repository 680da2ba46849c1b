"""Shared helpers of the account tests: sign a donor up through the pages with a code read
from the fake SMS gateway or the fake SMTP server (``notifications/tests/fakes.py``)."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.notifications import worker

CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def deliver() -> None:
    worker.send_due(worker="test", now=timezone.now())


def last_sms_code(gateway: Any) -> str:
    deliver()
    found = CODE.search(gateway.delivered[-1]["body"]["text"])
    assert found is not None
    return found.group(1)


def last_mail_code(mailbox: Any) -> str:
    deliver()
    mail = mailbox.delivered[-1]
    body = (
        mail.get_payload(decode=True)
        if not mail.is_multipart()
        else (mail.get_payload(0).get_payload(decode=True))
    )
    found = CODE.search(body.decode())
    assert found is not None
    return found.group(1)


def ask_code(client: Client, address: str) -> Any:
    return client.post("/donor/sign-in/", {"address": address})


def type_code(client: Client, code: str) -> Any:
    return client.post("/donor/sign-in/code/", {"code": code})


def signed_up(client: Client, gateway: Any, phone: str) -> User:
    """A donor signed up (or in) by SMS code on ``client``: the user behind the session."""
    assert ask_code(client, phone).status_code == 302
    answer = type_code(client, last_sms_code(gateway))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return User.objects.get(pk=client.session["_auth_user_id"])


def as_donor(donor: Any, *, claimed: bool = True) -> Client:
    """A client signed in as the account that holds ``donor`` (made here, as a claim or a
    staff link would leave it)."""
    from bloodline.donors.models import DonorAccount

    user = User(username=f"donor-{donor.uuid.hex[:12]}")
    user.set_unusable_password()
    user.save()
    DonorAccount.objects.create(
        user=user, donor=donor, claimed_at=timezone.now() if claimed else None
    )
    client = Client()
    client.force_login(user)
    return client
