"""The test-support snapshot (decision 0046) copies in exactly the rows the builder would have
written, and builds for real whenever a copy could differ."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.db import transaction

from bloodline.audit.chain import verify
from bloodline.demo.seed import seed
from bloodline.lib.db_snapshot import Snapshot, _read_all
from bloodline.organisations.models import Organisation


def test_a_copied_demo_is_row_for_row_the_built_one(db):
    snapshots = Snapshot()
    point = transaction.savepoint()
    built, recorded = snapshots.take("demo", seed)
    rows_built = _read_all()
    transaction.savepoint_rollback(point)
    assert not Organisation.objects.exists()

    copied, generation = snapshots.take("demo", seed)
    assert recorded is not None and generation == recorded
    assert _read_all() == rows_built
    assert {k: n.pk for k, n in copied.nodes.items()} == {k: n.pk for k, n in built.nodes.items()}
    assert copied.nodes["vn_centre"] is not built.nodes["vn_centre"]  # a copy per test
    # The copied rows behave as built ones: the tree answers, the audit chain links.
    assert Organisation.objects.get(pk=copied.nodes["vn_garment"].pk).path.startswith(
        copied.nodes["vn_province"].path
    )
    assert verify().ok


def test_it_builds_for_real_when_a_recorded_key_is_taken(db):
    snapshots = Snapshot()
    snapshots.take("demo", seed)
    again, generation = snapshots.take("demo", seed)  # the rows are there already
    assert generation is None and again.created is False


def test_it_builds_for_real_under_a_faked_clock(db):
    snapshots = Snapshot()
    point = transaction.savepoint()
    snapshots.take("demo", seed)
    transaction.savepoint_rollback(point)
    faked = dt.datetime(2026, 2, 3, 4, 5, tzinfo=dt.UTC)
    with mock.patch("django.utils.timezone.now", return_value=faked):
        made, generation = snapshots.take("demo", seed)
    assert generation is None and made.created is True
