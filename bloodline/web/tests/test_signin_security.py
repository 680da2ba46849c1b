"""Sign-in throttling, idle timeout, Content-Security-Policy and the deploy check
(issue 12, QUALITY.md T10, decision 0031)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.test import Client

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent

PASSWORD = "right-horse-battery-77"


@pytest.fixture
def person(db: None) -> User:
    return User.objects.create_user(username="tester", password=PASSWORD, full_name="Thử Nghiệm")


def sign_in(username: str, password: str, address: str = "10.0.0.1", language: str = "en"):
    client = Client(REMOTE_ADDR=address)
    client.cookies["django_language"] = language
    return client, client.post("/accounts/login/", {"username": username, "password": password})


def test_an_account_is_locked_after_the_failure_limit_whatever_the_address(person):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        _, answer = sign_in("tester", "wrong", address=f"10.0.1.{n}")
        assert answer.status_code == 200  # the form again, with its error
    assert sign_in("tester", "wrong", address="10.0.1.99")[1].status_code == 429
    client, answer = sign_in("tester", PASSWORD, address="10.0.2.1")
    assert answer.status_code == 429
    assert "Too many failed sign-ins" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="account.locked_out")  # one, however many tries
    assert event.object_type == "accounts.user" and event.actor_label == "system"
    assert event.object_label == person.username


def test_an_address_is_locked_after_the_failure_limit_whatever_the_account(person):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(f"nobody{n}", "wrong", address="10.0.3.3")
    _, answer = sign_in("tester", PASSWORD, address="10.0.3.3")
    assert answer.status_code == 429
    # The account itself is not locked: from another address the right password works.
    client, answer = sign_in("tester", PASSWORD, address="10.0.3.4")
    assert answer.status_code == 302 and client.session["_auth_user_id"] == str(person.pk)


def test_the_lock_out_message_is_in_the_readers_language(person):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in("tester", "wrong", address=f"10.0.4.{n}")
    _, english = sign_in("tester", PASSWORD, address="10.0.5.1")
    _, vietnamese = sign_in("tester", PASSWORD, address="10.0.5.2", language="vi")
    assert english.status_code == vietnamese.status_code == 429
    assert "Too many failed sign-ins" not in vietnamese.content.decode()
    assert "quá nhiều" in vietnamese.content.decode().lower()


def test_a_successful_sign_in_resets_the_count(person):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in("tester", "wrong", address=f"10.0.6.{n}")
    assert sign_in("tester", PASSWORD)[1].status_code == 302
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in("tester", "wrong", address=f"10.0.7.{n}")
    assert sign_in("tester", PASSWORD)[1].status_code == 302


def age_session(client: Client, minutes: int) -> None:
    session = client.session
    session["idle_last_seen"] = int(time.time()) - minutes * 60
    session.save()


def test_an_idle_session_ends_with_a_message_saying_why(person):
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(person)
    assert client.get("/me/").status_code == 200
    age_session(client, settings.SESSION_IDLE_TIMEOUT - 1)
    assert client.get("/me/").status_code == 200
    age_session(client, settings.SESSION_IDLE_TIMEOUT + 1)
    answer = client.get("/me/", follow=True)
    assert answer.redirect_chain[0][0].startswith("/accounts/login/?next=")
    assert f"signed out after {settings.SESSION_IDLE_TIMEOUT} minutes" in answer.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_station_page_left_open_ends_sooner(person):
    client = Client()
    client.force_login(person)
    client.get("/stations/")  # the last page opened is a shared station page
    age_session(client, settings.SESSION_IDLE_TIMEOUT_STATION + 1)
    assert settings.SESSION_IDLE_TIMEOUT_STATION < settings.SESSION_IDLE_TIMEOUT
    assert client.get("/me/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_after_the_idle_time_loads_the_sign_in_page(person):
    client = Client()
    client.force_login(person)
    client.get("/me/")
    age_session(client, settings.SESSION_IDLE_TIMEOUT + 1)
    answer = client.get("/me/", headers={"HX-Request": "true"})
    assert answer.status_code == 204 and answer["HX-Redirect"].startswith("/accounts/login/")


def test_the_session_lasts_a_shift_not_two_weeks():
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_every_page_forbids_inline_script_and_style(person):
    client = Client()
    client.force_login(person)
    for path in ("/", "/accounts/login/", "/me/"):
        policy = client.get(path).headers["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_templates_carry_no_inline_script_style_or_handlers():
    import re
    from pathlib import Path

    inline = re.compile(r"<script(?![^>]*\bsrc=)|\son[a-z]+=|hx-on|\sstyle=|<style", re.IGNORECASE)
    # Labels, the donor's data export, the printed donor card and the e-certificate are
    # rendered to PDF only (never served as pages), self-contained with their own style.
    pdf_only = {"labels.html", "label.html", "export.html", "card_print.html", "certificate.html"}
    offenders = [
        str(path)
        for path in Path(settings.BASE_DIR, "bloodline").rglob("templates/**/*.html")
        if path.name not in pdf_only and inline.search(path.read_text())
    ]
    assert offenders == []


def test_production_settings_pass_the_deploy_check():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECURE_SSL_REDIRECT", "SECURE_COOKIES", "DATABASE_URL"}
    }
    env.update(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="blood.example.org", DEBUG="0")
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
