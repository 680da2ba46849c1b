"""An incomplete collection at a drive: a presentation and a used DIN, not a donation."""

from __future__ import annotations

import pytest

from bloodline.drives import reconciliation
from bloodline.drives.models import DriveStatus

pytestmark = pytest.mark.django_db


def test_an_incomplete_collection_uses_a_din_but_is_not_counted_as_collected(
    make_drive, register, present, collect
):
    drive = make_drive(DriveStatus.RUNNING)
    full = present(drive, register(drive).registration, step="done", decision="accept")
    stopped = present(drive, register(drive).registration, step="done", decision="accept")
    collect(drive, full.donor)
    short = collect(drive, stopped.donor)
    short.outcome, short.incomplete_reason, short.volume_ml = "incomplete", "poor_flow", 40
    short.save()

    r = reconciliation.reconcile(drive)
    f = r.figures
    assert (f.arrived, f.collected, f.incomplete) == (2, 1, 1)
    assert (f.dins_used, f.dins_accounted) == (2, 2)
    # The donor whose collection stopped is accounted for: no "accepted but not collected".
    assert r.accepted_not_collected == []
    assert r.mismatches == 0


def test_the_reconcile_page_shows_incomplete_collections(
    make_drive, register, present, collect, client, users
):
    drive = make_drive(DriveStatus.RUNNING)
    stopped = present(drive, register(drive).registration, step="done", decision="accept")
    short = collect(drive, stopped.donor)
    short.outcome, short.incomplete_reason = "incomplete", "donor_request"
    short.save()
    client.force_login(users["establishment_admin"])
    page = client.get(f"/drives/{drive.uuid}/reconcile/").content.decode()
    assert 'data-figure="incomplete">1<' in page
    assert 'data-figure="collected">0<' in page
    assert 'data-figure="used">1<' in page
