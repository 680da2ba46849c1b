"""The second sign-in step (TOTP with recovery codes) for those who release, verify or issue
(issue 12, decision 0031)."""

from __future__ import annotations

import re
from base64 import b32decode
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent
from bloodline.organisations import access
from bloodline.organisations.roles import ROLE_PERMISSIONS, SECOND_FACTOR_PERMS, Role

ENROL = "/accounts/second-factor/enrol/"
VERIFY = "/accounts/second-factor/"


@pytest.fixture(autouse=True)
def _second_factor_on(settings: Any) -> None:
    settings.MFA_REQUIRED = True


def signed_in(username: str) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(User.objects.get(username=username))
    return client


def code_for(secret: str) -> str:
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def enrol(client: Client) -> list[str]:
    page = client.get(ENROL).content.decode()
    assert "<svg" in page  # the QR code, drawn on the server
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    answer = client.post(ENROL, {"code": code_for(secret), "next": "/me/"})
    assert answer.status_code == 200
    return re.findall(r"<li><code>([^<]+)</code></li>", answer.content.decode())


def test_the_roles_that_need_it_are_derived_from_the_permissions():
    needing = {role for role, perms in ROLE_PERMISSIONS.items() if perms & SECOND_FACTOR_PERMS}
    assert needing == {Role.ESTABLISHMENT_ADMIN, Role.LAB_TECHNICIAN, Role.INVENTORY_CLERK}


@pytest.mark.parametrize(
    "username", ["admin", "establishment_admin", "lab_technician", "inventory_clerk"]
)
def test_releasers_verifiers_issuers_and_superusers_must_enrol_first(demo, username):
    client = signed_in(username)
    assert access.needs_second_factor(User.objects.get(username=username))
    answer = client.get("/me/")
    assert answer.status_code == 302 and answer["Location"].startswith(ENROL)
    assert client.get("/drives/").status_code == 302
    api = client.get("/api/v1/organisations")
    assert api.status_code == 403 and "authenticator" in api.json()["detail"]


@pytest.mark.parametrize(
    "username", ["drive_nurse", "physician", "district_committee", "hospital_user"]
)
def test_others_sign_in_with_their_password_alone(demo, username):
    client = signed_in(username)
    assert not access.needs_second_factor(User.objects.get(username=username))
    assert client.get("/me/").status_code == 200


def test_enrolment_then_each_recovery_code_works_once(demo):
    first = signed_in("lab_technician")
    codes = enrol(first)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert first.get("/me/").status_code == 200
    user = User.objects.get(username="lab_technician")
    assert AuditEvent.objects.filter(
        action="account.second_factor_enrol", object_label=user.username
    ).exists()

    second = signed_in("lab_technician")  # a new sign-in: enrolled, so asked for a code
    assert second.get("/me/")["Location"].startswith(VERIFY)
    assert second.post(VERIFY, {"code": codes[0], "next": "/me/"})["Location"] == "/me/"
    assert second.get("/me/").status_code == 200

    third = signed_in("lab_technician")
    again = third.post(VERIFY, {"code": codes[0], "next": "/me/"})
    assert again.status_code == 200 and "used already" in again.content.decode()
    assert third.get("/me/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(demo, settings):
    # django-otp slows retries after a wrong code (doubling delays); not under test here.
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    client = signed_in("inventory_clerk")
    old = enrol(client)
    answer = client.post("/accounts/second-factor/recovery-codes/")
    new = re.findall(r"<li><code>([^<]+)</code></li>", answer.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    other = signed_in("inventory_clerk")
    assert other.post(VERIFY, {"code": old[1]}).status_code == 200  # refused: form again
    assert other.post(VERIFY, {"code": new[1]}).status_code == 302


def test_a_wrong_code_is_refused_with_a_translated_message(demo):
    client = signed_in("establishment_admin")
    client.get(ENROL)
    client.cookies["django_language"] = "vi"
    answer = client.post(ENROL, {"code": "000000"})
    assert answer.status_code == 200
    assert "That code is not right" not in answer.content.decode()
