"""The system actor: who the audit trail names when no person acted.

Background work (the job worker, the expiry sweep) and demo data pass this user as ``by=``
instead of ``None``. It is one row with a fixed username that can never sign in: inactive,
no usable password, neither staff nor superuser — a database constraint keeps it that way.
The access layer allows it by name (``bloodline.organisations.access``); see
docs/decisions/0024-the-system-actor.md.
"""

from __future__ import annotations

from bloodline.accounts.models import SYSTEM_USERNAME, User

__all__ = ["SYSTEM_USERNAME", "system_actor"]


def system_actor() -> User:
    """The system user, created on first use if the database was emptied since migrating."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(
            username=SYSTEM_USERNAME,
            full_name="System",
            is_active=False,
            is_staff=False,
            is_superuser=False,
        )
        user.set_unusable_password()
        user.save()
    return user
