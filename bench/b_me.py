"""B-me (issue 13 "Speed"): the donor's own record — the portal home page and
``GET /api/v1/me/record`` — for the generated donor with the longest history, warm, one
request at a time, as B4 reads progress. The goal is p95 < 200 ms on T1 whatever the length
of the history; the record's queries do not grow with it (a test checks the count).

``donor_account`` makes a claimed donor account for that donor (committed: the server reads
it) and returns its user's id and the donor's number of donations.
"""

from __future__ import annotations

import time
from typing import Any

GOAL_MS = 200  # the issue: p95 < 200 ms warm on T1
PATHS = {"home": "/donor/", "api": "/api/v1/me/record"}


def donor_account() -> tuple[int, int]:
    from django.db.models import Count
    from django.utils import timezone

    from bloodline.accounts.models import User
    from bloodline.collection.models import Donation
    from bloodline.donors.models import DonorAccount

    top = (
        Donation.objects.filter(donor__merged_into__isnull=True, donor__erased_at__isnull=True)
        .values("donor_id")
        .annotate(n=Count("id"))
        .order_by("-n", "donor_id")
        .first()
    )
    assert top is not None, "the generated data has no donations"
    user = User(username=f"bench-donor-{time.time_ns()}", preferred_language="vi")
    user.set_unusable_password()
    user.save()
    DonorAccount.objects.create(user=user, donor_id=top["donor_id"], claimed_at=timezone.now())
    return user.pk, int(top["n"])


def markdown_rows(figures: dict[str, Any], goal: str) -> list[str]:
    rows = []
    for name, label in (("home", "home page"), ("api", "GET /api/v1/me/record")):
        f = figures[name]
        rows.append(
            f"| me | donor's own record, {label}, warm p95 ({figures['donations']} donations) "
            f"| {f['p95_ms']} ms | — | — | {goal} |"
        )
    return rows
