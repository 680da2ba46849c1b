"""Portal test fixtures: the fake SMS gateway and SMTP server of the notifications tests,
and the registry's personas and generated donors."""

from __future__ import annotations

from bloodline.donors.tests.conftest import make_donor, nurse, users  # noqa: F401
from bloodline.drives.tests.conftest import make_drive  # noqa: F401
from bloodline.notifications.tests.conftest import gateway, mailbox  # noqa: F401
