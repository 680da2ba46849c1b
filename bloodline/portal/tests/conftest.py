"""Portal test fixtures: the fake SMS gateway and SMTP server of the notifications tests."""

from __future__ import annotations

from bloodline.notifications.tests.conftest import gateway, mailbox  # noqa: F401
