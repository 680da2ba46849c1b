from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_object(self, object_type: str, object_id: str) -> AuditEventQuerySet:
        return self.filter(object_type=object_type, object_id=object_id).order_by("-id")

    def bulk_create(self, *args: Any, **kwargs: Any) -> Any:
        # Each event must link to the one before it (decision 0032): one by one via save().
        raise TypeError("audit events are appended one by one")


class AuditEvent(models.Model):
    """One regulated write, recorded in the same transaction as the write itself.

    Rows are append-only: the model refuses updates and deletes and database triggers refuse
    them too. There are no foreign keys to live rows, so an event outlives whatever it
    describes; the actor and object are kept as ids and labels. Events are ordered by ``id``,
    and each carries the hash of the one before it in its chain, so an edit, a deletion or a
    reordering made behind the triggers' back is found by ``manage.py verify_audit``
    (docs/decisions/0004-audit-trail.md, 0032-tamper-evident-audit.md).
    """

    occurred_at = models.DateTimeField(_("when (UTC)"), default=timezone.now, editable=False)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, editable=False)
    actor_label = models.CharField(_("actor"), max_length=150, editable=False)
    action = models.CharField(_("action"), max_length=64, editable=False)
    object_type = models.CharField(_("object type"), max_length=64, editable=False)
    object_id = models.CharField(_("object id"), max_length=64, editable=False)
    object_label = models.CharField(_("object"), max_length=300, blank=True, editable=False)
    changes = models.JSONField(_("changes"), default=dict, editable=False)
    reason = models.TextField(_("reason"), blank=True, editable=False)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, editable=False)
    chain = models.CharField(_("chain"), max_length=64, default="main", editable=False)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("audit events are append-only")
        from bloodline.audit import chain

        chain.append(self, *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("audit events are append-only")

    @property
    def actor_display(self) -> str:
        """Who acted, for a reader: the system actor (decision 0024; its username ``system``
        is reserved for it by a constraint) reads as "System" in the reader's language."""
        if self.actor_label == "system":
            return str(_("System"))
        return self.actor_label

    def canonical(self) -> str:
        """The event as canonical JSON: the text the hash chain hashes (with ``prev_hash``)."""
        return canonical(self)


def canonical(event: Any) -> str:
    """Canonical JSON of an event (also of a migration's historical model row)."""
    return json.dumps(
        {
            "id": event.pk,
            "chain": event.chain,
            "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(),
            "actor_id": event.actor_id,
            "actor_label": event.actor_label,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "object_label": event.object_label,
            "changes": event.changes,
            "reason": event.reason,
            "request_id": event.request_id,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


class ChainHead(models.Model):
    """The last event of one chain. Writers lock this row while they append (decision 0032),
    so two transactions never link to the same predecessor."""

    chain = models.CharField(max_length=64, primary_key=True)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    length = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return self.chain
