"""The writes of the drives app, one transaction each with its audit event.

Callers (pages, API, bulk upload, commands) import them from here; they live by concept in
``planning.py`` (drives, slots, status), ``drive_requests.py``, ``registrations.py``,
``closing.py`` (resolving, voiding, corrections) and ``board.py`` (the shared live board).
"""

from __future__ import annotations

from bloodline.drives.board import revoke_board, share_board
from bloodline.drives.closing import (
    correct_drive,
    mark_left,
    reopen_drive,
    resolve_mismatch,
    void_din,
)
from bloodline.drives.drive_requests import accept_request, decline_request, request_drive
from bloodline.drives.planning import change_status, create_drive, update_drive
from bloodline.drives.registrations import (
    DonorMatch,
    RegistrationResult,
    cancel_registration,
    duplicate_warning,
    find_or_create_donor,
    register,
    register_person,
)
from bloodline.lib.locking import StaleEdit

__all__ = [
    "DonorMatch",
    "RegistrationResult",
    "StaleEdit",
    "accept_request",
    "cancel_registration",
    "change_status",
    "correct_drive",
    "create_drive",
    "decline_request",
    "duplicate_warning",
    "find_or_create_donor",
    "mark_left",
    "register",
    "register_person",
    "reopen_drive",
    "request_drive",
    "resolve_mismatch",
    "revoke_board",
    "share_board",
    "update_drive",
    "void_din",
]
