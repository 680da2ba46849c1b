"""The query-count helper refuses sizes too close together and shows growth."""

from __future__ import annotations

import pytest

from bloodline.accounts.models import User
from bloodline.lib.querycount import Counted, assert_flat, counted

pytestmark = pytest.mark.django_db


def test_it_counts_the_queries_of_the_block_and_keeps_their_sql() -> None:
    with counted() as two:
        User.objects.count()
        list(User.objects.all())
    with counted():
        User.objects.exists()
    assert len(two) == 2 and "COUNT" in two.sql[0].upper()


def test_it_fails_when_the_count_grows_with_the_data() -> None:
    with pytest.raises(AssertionError, match="1 queries for 1, 2 for 10"):
        assert_flat(Counted(["SELECT 1"]), Counted(["SELECT 1", "SELECT 2"]), sizes=(1, 10))


def test_it_refuses_sizes_less_than_ten_times_apart() -> None:
    with pytest.raises(AssertionError, match="not 10× apart"):
        assert_flat(Counted(["SELECT 1"]), Counted(["SELECT 1"]), sizes=(2, 10))
