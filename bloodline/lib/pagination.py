"""The one pagination every API list uses: limit/offset with bounds (decision 0035).

ninja's own LimitOffsetPagination accepts any ``offset`` and clamps ``limit`` only after
validation, so a huge integer reached the database (an overflow, a 500). Here both are
bounded in the schema: out of range is a translated 422 at ``query.limit``/``query.offset``.
A list that must record its total (a logged search) takes it from ``counted`` rather than
counting the rows a second time.
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

# Engineering bounds, not domain rules: a page of at most MAX_LIMIT rows, and an offset far
# beyond any list this service holds but well inside a 64-bit integer on every database.
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000


class BoundedPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        self.counted(request, page["count"], **params)
        return page

    def counted(self, request: HttpRequest, count: int, **params: Any) -> None:
        """Called once per answer with the list's total, as the answer's ``count`` gives it;
        ``params`` are the operation's own parameters. Nothing by default."""
