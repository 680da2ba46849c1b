from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from bloodline.lib.locking import Versioned
from bloodline.organisations.kinds import ESTABLISHMENTS, Kind
from bloodline.organisations.roles import Role

SEGMENT = 8  # hex digits of the primary key per tree level in ``path``


def segment(pk: int) -> str:
    return f"{pk:0{SEGMENT}x}"


def path_pks(path: str) -> list[int]:
    """The primary keys along a materialized path, root first."""
    return [int(path[i : i + SEGMENT], 16) for i in range(0, len(path), SEGMENT)]


def country_from_code(code: str | None) -> str:
    """A root's official code as a country code (e.g. VN): two letters, else none."""
    return code.upper() if code and len(code) == 2 else ""


def root_country_code(path: str) -> str:
    """The official code of the country at the top of ``path`` (e.g. VN), if it has one."""
    code = (
        Organisation.objects.filter(path=path[:SEGMENT])
        .values_list("official_code", flat=True)
        .first()
    )
    return country_from_code(code)


def subtree_bounds(path: str) -> tuple[str, str]:
    """Range of ``path`` values of a node and all its descendants.

    Paths are lowercase hex, so every descendant sorts between the node's path and the same
    path followed by "~" (after every hex digit). A range is index-bounded on both databases,
    where LIKE 'prefix%' is not on every PostgreSQL collation or SQLite setting.
    """
    return path, path + "~"


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def subtree(self, root: Organisation, include_self: bool = True) -> OrganisationQuerySet:
        low, high = subtree_bounds(root.path)
        qs = self.filter(path__gte=low, path__lt=high)
        return qs if include_self else qs.exclude(pk=root.pk)

    def within(self, paths: list[str]) -> OrganisationQuerySet:
        """Nodes inside any of the subtrees rooted at ``paths``."""
        if not paths:
            return self.none()
        condition = Q()
        for path in paths:
            low, high = subtree_bounds(path)
            condition |= Q(path__gte=low, path__lt=high)
        return self.filter(condition)

    def ancestors_of(self, node: Organisation, include_self: bool = False) -> OrganisationQuerySet:
        pks = node.ancestor_pks() + ([node.pk] if include_self else [])
        return self.filter(pk__in=pks).order_by("depth")

    def time_zones_of(self, nodes: Iterable[Organisation]) -> dict[int, str]:
        """``effective_time_zone`` of each of ``nodes``, by primary key, in one query at most
        whatever their number (a message sweep reaches donors of hundreds of units)."""
        nodes = list(nodes)
        wanted = {pk for node in nodes if not node.time_zone for pk in node.ancestor_pks()}
        zoned = (
            self.filter(pk__in=wanted).exclude(time_zone="").values_list("pk", "depth", "time_zone")
            if wanted
            else []
        )
        by_pk = {pk: (depth, zone) for pk, depth, zone in zoned}
        found = {}
        for node in nodes:
            # The node's own zone, else the deepest ancestor's that has one, as
            # ``effective_time_zone`` walks them.
            above = [by_pk[pk] for pk in node.ancestor_pks() if pk in by_pk]
            found[node.pk] = node.time_zone or max(above, default=(0, settings.TIME_ZONE))[1]
        return found


class Organisation(Versioned):
    """A node of the one organisation tree.

    Administrative areas nest country → province → district → commune or ward; member units
    (enterprises, schools, unions, party branches, armed-forces units…) hang under their area;
    steering committees are attached to an area; blood establishments and hospitals are
    organisations too. ``path`` is the materialized path of primary keys from the root, so a
    subtree or the chain of ancestors is one index range. The name is stored as written, with
    optional names in the other languages.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    name_translations = models.JSONField(_("names in other languages"), default=dict, blank=True)
    official_code = models.CharField(
        _("official code"),
        max_length=40,
        blank=True,
        help_text=_("The code the state registry gives this organisation, if there is one."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Required for blood establishments; others inherit their parent's."),
    )
    jurisdiction = models.CharField(
        _("jurisdiction rule set"),
        max_length=64,
        blank=True,
        help_text=_("The rule set this blood establishment works under."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "official_code"],
                condition=~Q(official_code=""),
                name="org_official_code_unique_per_kind",
                violation_error_message=_(
                    "Another organisation of this kind already has this official code."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(kind=Kind.COUNTRY) & Q(parent__isnull=True))
                | (~Q(kind=Kind.COUNTRY) & Q(parent__isnull=False)),
                name="org_only_countries_are_roots",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="org_not_own_parent"),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(ESTABLISHMENTS), jurisdiction__gt="", time_zone__gt="")
                | (~Q(kind__in=sorted(ESTABLISHMENTS)) & Q(jurisdiction="")),
                name="org_establishment_has_rules_and_zone",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name()

    def audit_label(self) -> str:
        """The name as entered, not the reader's translation (decision 0028)."""
        return self.name

    def display_name(self, language: str | None = None) -> str:
        """The name in the reader's language when one is given, else as written."""
        language = language or translation.get_language() or ""
        translated = self.name_translations.get(language, "") if self.name_translations else ""
        return translated or self.name

    @property
    def is_establishment(self) -> bool:
        return self.kind in ESTABLISHMENTS

    def ancestor_pks(self) -> list[int]:
        return path_pks(self.path[:-SEGMENT])

    def is_within(self, other: Organisation) -> bool:
        """True if this node is ``other`` or one of its descendants."""
        return self.path.startswith(other.path)

    def scope_root(self) -> Organisation:
        """Where a role held here applies: a committee works on the area it is attached to."""
        if self.kind == Kind.STEERING_COMMITTEE and self.parent is not None:
            return self.parent
        return self

    def units(self) -> OrganisationQuerySet:
        """The children that mobilise donors and carry targets (not the committee itself)."""
        return self.children.exclude(kind=Kind.STEERING_COMMITTEE)

    def country_code(self) -> str:
        """The official code of the country at the top of this node's tree (e.g. VN)."""
        return root_country_code(self.path)

    def effective_time_zone(self) -> str:
        if self.time_zone:
            return self.time_zone
        for ancestor in Organisation.objects.ancestors_of(self).order_by("-depth"):
            if ancestor.time_zone:
                return ancestor.time_zone
        return settings.TIME_ZONE


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: dt.date | None = None) -> MembershipQuerySet:
        on = on or timezone.localdate()
        return self.filter(
            Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on)),
            organisation__is_active=True,
        )


class Membership(models.Model):
    """A person holding a role at an organisation for a period.

    The role applies to the organisation's whole subtree (to the attached area for a steering
    committee). Validity is inclusive on both dates; an open end means "until further notice".
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__path", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="membership_valid_period",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.UniqueConstraint(
                fields=["user", "organisation", "role", "valid_from"],
                name="membership_unique_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"


class Tally(models.Model):
    """One addend of a figure of one node of the tree on one day (decision 0049): the day
    summaries of donations and presentations (``collection.DailyCredit``,
    ``screening.DailyScreening``, ``screening.DailyDeferralReason``) added up at the credited
    organisation and at every level above it, so plan progress for a province reads a few
    rows per child and day, not every unit's rows.

    ``measure`` is a code: ``donations``, ``bags``, ``ml``, ``first_time``, ``presented``,
    ``deferred`` or ``reason:<deferral code>``. Writers only insert rows (``settled`` False),
    so two desks never wait on the same row; ``organisations.tally.settle`` folds each key's
    rows into one settled row in the background. A figure is the sum of all rows of its key.
    ``drive_id`` is the drive's primary key, not a foreign key: drives sit above this app, and
    these rows are derived (``manage.py check_progress_summaries --repair`` rebuilds them)."""

    node = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    drive_id = models.BigIntegerField(null=True)
    measure = models.CharField(max_length=60)
    amount = models.BigIntegerField()
    settled = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # A report reads a node's rows by day and measure: on PostgreSQL from the index
            # alone (the rows are written in no order, so their table pages are scattered).
            models.Index(
                fields=["node", "day", "measure"],
                include=["drive_id", "amount"],
                name="tally_node_day_idx",
            ),
            models.Index(
                fields=["node", "day"], condition=Q(settled=False), name="tally_unsettled_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node_id} {self.day} {self.drive_id} {self.measure} {self.amount}"


class TallyWindow(models.Model):
    """A period whose number of distinct donors the tree's tally keeps at every node
    (decision 0052): a plan's period or one of its rounds. Distinct donors do not add up
    across days or units, so the tally keeps, for each window, how many donors gave in it at
    least once under each node (measure ``donors:<start>/<end>`` on the window's first day).
    A new window, or one whose counts a bulk change made stale, is not ``ready``: the worker
    fills it from the donations, and reports count live until it is."""

    start = models.DateField()
    end = models.DateField()
    ready = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["start", "end"], name="tally_window_once"),
        ]

    def __str__(self) -> str:
        return f"{self.start}/{self.end}{'' if self.ready else ' (filling)'}"

    @property
    def measure(self) -> str:
        return window_measure(self.start, self.end)


DONORS = "donors:"


def window_measure(start: dt.date, end: dt.date) -> str:
    """The tally measure counting a window's distinct donors."""
    return f"{DONORS}{start.isoformat()}/{end.isoformat()}"
