"""Notification fixtures: the fake gateways, wired in through the settings, and donors who
agreed to be contacted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from bloodline.accounts.system import system_actor
from bloodline.donors import actions as donor_actions
from bloodline.donors.tests.conftest import make_donor, nurse, users  # noqa: F401
from bloodline.notifications.tests.fakes import Gateway, Mailbox, serve_gateway, serve_smtp

# A Wednesday noon in Hanoi: outside the quiet hours.
NOON_HANOI = dt.datetime(2026, 12, 9, 5, 0, tzinfo=dt.UTC)


@pytest.fixture
def gateway(settings: Any) -> Iterator[Gateway]:
    server, state = serve_gateway()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.NOTIFY_GATEWAYS = {
        channel: {"url": f"{base}/{channel}", "token": "test-token", "template_id": "t1"}
        for channel in ("sms", "zalo", "wechat")
    }
    settings.NOTIFY_TIMEOUT_SECONDS = 1
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def mailbox(settings: Any) -> Iterator[Mailbox]:
    controller, mailbox = serve_smtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    yield mailbox
    controller.stop()


@pytest.fixture
def consenting(make_donor: Any, nurse: Any) -> Any:  # noqa: F811
    """A donor who agreed to ``purposes`` (SMS by default)."""

    def make(*purposes: str, **values: Any) -> Any:
        donor = make_donor(**values)
        for purpose in purposes or ("contact_sms",):
            donor_actions.record_consent(
                by=nurse, donor=donor, purpose=purpose, text_version="2026-1"
            )
        return donor

    return make


@pytest.fixture
def system(db: None) -> Any:
    return system_actor()
