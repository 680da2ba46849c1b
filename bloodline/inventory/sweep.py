"""The expiry sweep, a recurring job of the queue (bloodline/jobs): it records as expired the
components past their expiry. Registered with the queue by the app's ``ready``."""

from __future__ import annotations

import datetime as dt

from bloodline.accounts.system import system_actor
from bloodline.inventory import actions

EXPIRY_SWEEP = "expiry_sweep"
# How often the expiry sweep runs: the stock page and allocation re-check expiry on their own,
# the sweep only records it, so a quarter of an hour is close enough.
SWEEP_EVERY = dt.timedelta(minutes=15)


def run() -> dict[str, object]:
    return {"expired": actions.sweep_expired(by=system_actor())}
