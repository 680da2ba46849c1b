"""Request types for views that only signed-in people reach."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from bloodline.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    user: User


def signed_in(request: HttpRequest) -> User:
    """The person behind a request only signed-in people reach (the API's session sign-in,
    ``login_required``), typed as a ``User``; anyone else is refused, never let through."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
