"""Query counts that can show growth: measure one thing at two sizes at least 10× apart.

    with counted() as small:
        client.get(url)
    ...  # make the data ten times larger
    with counted() as large:
        client.get(url)
    assert_flat(small, large, sizes=(1, 10))

The SQL is copied when the block ends, so a later request (which empties Django's query log)
cannot change what was counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connections
from django.test.utils import CaptureQueriesContext


@dataclass
class Counted:
    sql: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sql)


@contextmanager
def counted(using: str = "default") -> Iterator[Counted]:
    result = Counted()
    with CaptureQueriesContext(connections[using]) as context:
        yield result
    result.sql = [q["sql"] for q in context.captured_queries]


def assert_flat(small: Counted, large: Counted, *, sizes: tuple[int, int]) -> None:
    """The larger data set took no more queries than the smaller one."""
    assert sizes[0] >= 1 and sizes[1] >= 10 * sizes[0], f"sizes {sizes} are not 10× apart"
    extra = "\n".join(large.sql[len(small) :][:5])
    assert len(large) <= len(small), (
        f"{len(small)} queries for {sizes[0]}, {len(large)} for {sizes[1]}; first extra:\n{extra}"
    )
