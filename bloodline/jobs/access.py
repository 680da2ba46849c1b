"""Who reaches a task: its owner only (decision 0044). Anyone else gets 404, as if it did not
exist — a task may carry a workbook of people's names. Owner-only needs no organisation scope,
so this sits in the jobs app, below ``organisations`` (decision 0023)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from bloodline.jobs.models import Task

# The polled page never needs the files themselves.
FILES = ("upload", "output")


def get_owned_task(user: Any, public_id: object, *, with_output: bool = False) -> Task:
    """The task with this public id, if ``user`` started it; 404 otherwise."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404
    tasks = Task.objects.filter(uuid=key, owner_id=user.pk)
    task = (tasks.defer("upload") if with_output else tasks.defer(*FILES)).first()
    if task is None:
        raise Http404
    return task
