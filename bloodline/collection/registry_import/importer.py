"""Importing a legacy registry into an establishment: donors and their donation history
(decision 0045). ``import_registry`` is the one entry point, used by ``manage.py
import_registry``, the upload page's worker task and the B3 benchmark.

The whole run is ONE transaction: every row is either taken or refused with its line and
reason, and a file that cannot be read leaves nothing behind. Rows are checked and written
in chunks (the chunk is the staging buffer), so memory stays bounded by the chunk and the
donors seen so far, not by the file. Writes go through ``lib.bulk.insert`` (``COPY`` on
PostgreSQL), which computes blind indexes and encrypts as a save would.

Duplicates are refused, never merged: an identity number already on record (its blind
index), a person with the same name and phone already in the registry, a number or a
donation repeated inside the file. A re-run is idempotent: donors are keyed by
(establishment, source system, legacy id) in ``LegacyDonor`` and donations by their DIN (the
ISBT 128 one, or a reference derived from the legacy row when there is none), so the same
file twice adds nothing the second time and counts what was already there.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.collection import summaries
from bloodline.collection.models import Donation, LegacyDonor, RegistryImport
from bloodline.collection.registry_import import rows as checks
from bloodline.collection.registry_import.reading import DONOR_FIELDS
from bloodline.collection.registry_import.rows import DonationFacts, DonorFacts, Refusal
from bloodline.donors import access as donor_access
from bloodline.donors.models import Donor, IdentityDocument, number_index, phone_index
from bloodline.donors.names import name_key
from bloodline.donors.search import findable
from bloodline.lib import bulk
from bloodline.organisations import access
from bloodline.organisations.models import Organisation, root_country_code
from bloodline.organisations.roles import Perm

CHUNK = 10_000  # rows checked and written together: fewer round trips (decision 0045, Speed)
Row = tuple[int, dict[str, str]]
Progress = Callable[[int], None]
PERMS = (Perm.CHANGE, Perm.DONOR_MANAGE, Perm.DONATION_RECORD)


@dataclass
class Outcome:
    """What a run did: counts, and every refused row as {line, legacy_id, reason, params}."""

    run: RegistryImport | None = None
    rows: int = 0
    donors_added: int = 0
    donors_already: int = 0
    donations_added: int = 0
    donations_already: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "donors_added": self.donors_added,
            "donors_already": self.donors_already,
            "donations_added": self.donations_added,
            "donations_already": self.donations_already,
            "rejected": len(self.rejections),
        }


@dataclass
class _Known:
    """A donor the run has met: the line that defined them and their id (None if refused)."""

    line: int
    pk: int | None
    fingerprint: tuple[str, ...]
    affiliation_id: int | None


class _Run:
    def __init__(
        self,
        by: User,
        establishment: Organisation,
        source: str,
        run: RegistryImport,
        overlap: bulk.Overlap,
    ):
        self.by, self.establishment, self.source, self.run = by, establishment, source, run
        self.overlap = overlap
        self.establishment_uuid = str(establishment.uuid)
        self.region = root_country_code(establishment.path)
        self.registry = donor_access.registry_for(establishment)
        self.zone = zoneinfo.ZoneInfo(establishment.effective_time_zone())
        self.today = timezone.localdate(timezone=self.zone)
        self.outcome = Outcome(run=run)
        self.known: dict[str, _Known] = {}
        self.numbers: dict[str, int] = {}  # blind index of a number → line that brought it
        self.dins: dict[str, int] = {}  # DIN → line that brought it
        self.people: dict[tuple[str, str], int] = {}  # (phone index, name key) → line
        self.codes: dict[str, int | None] = {}
        self.defined: dict[str, int] = {}  # legacy ids defined by a sound row of the chunk
        self.days: summaries.Deltas = {}  # what the run adds to each day row
        self.created: set[int] = set()
        self.to_refresh: set[int] = set()  # donors of the last chunk met before it
        # The donor's columns of the last row and their facts: a donor's rows come one after
        # the other with the same columns, checked once (the check depends on them alone).
        self.last_donor: tuple[tuple[str | None, ...], DonorFacts] | None = None

    # -- refusals ------------------------------------------------------------------------
    def refuse(self, line: int, values: dict[str, str], refusal: Refusal) -> None:
        self.outcome.rejections.append(
            {
                "line": line,
                "legacy_id": values.get("legacy_id", "")[:64],
                "reason": refusal.code,
                "params": refusal.params,
            }
        )

    def organisation(self, code: str) -> int | None:
        """The organisation of the establishment's country with this official code."""
        if code not in self.codes:
            country = self.registry.path if self.registry else self.establishment.path
            found = (
                Organisation.objects.filter(official_code=code)
                .within([country])
                .values_list("pk", flat=True)
                .first()
            )
            self.codes[code] = found
        if self.codes[code] is None:
            raise Refusal.of("unknown_code", code=code)
        return self.codes[code]

    # -- a chunk -------------------------------------------------------------------------
    def chunk(self, batch: list[Row]) -> None:
        self.outcome.rows += len(batch)
        self.defined = {}  # legacy ids defined by a sound row of this chunk
        self.created = set()  # donors created by this chunk: no donation before it
        # Checking is Python alone: PostgreSQL meanwhile writes the previous chunk's COPY.
        checked = [self._check(line, values) for line, values in batch]
        self.refresh()
        self._donors([c for c in checked if c is not None])
        self._donations([c for c in checked if c is not None])

    def refresh(self) -> None:
        """Settle the first-time flags of the last chunk's donors met before it (their
        earlier donations are on record), once its donations are written."""
        summaries.refresh_first_time(self.to_refresh, into=self.days)
        self.to_refresh = set()

    def _check(
        self, line: int, values: dict[str, str]
    ) -> tuple[int, dict[str, str], DonorFacts | None, DonationFacts | None] | None:
        legacy_id = values.get("legacy_id", "")
        try:
            donor = None
            if values.get("full_name"):
                try:
                    donor = self._donor_facts(values)
                    if donor.area_code:
                        self.organisation(donor.area_code)
                except Refusal:
                    # Later rows of this person say so, instead of defining them anew.
                    if legacy_id and legacy_id not in self.known and legacy_id not in self.defined:
                        self.known[legacy_id] = _Known(line, None, (), None)
                    raise
                self.defined.setdefault(legacy_id, line)
            elif not legacy_id:
                raise Refusal.of("missing", column="legacy_id")
            donation = None
            if values.get("donation_date"):
                donation = checks.donation_facts(values, self.zone, self.today)
                if not donation.din:  # the reference kept instead (pure Python: done here,
                    # while the server writes the previous chunk, not after its queries)
                    donation.din = checks.legacy_din(
                        self.establishment_uuid, self.source, legacy_id, donation
                    )
                if donation.place_code:
                    self.organisation(donation.place_code)
        except Refusal as refusal:
            self.refuse(line, values, refusal)
            return None
        return line, values, donor, donation

    def _donor_facts(self, values: dict[str, str]) -> DonorFacts:
        columns = tuple(map(values.get, DONOR_FIELDS))
        if self.last_donor is not None and self.last_donor[0] == columns:
            return self.last_donor[1]
        donor = checks.donor_facts(values, self.region, self.today)
        self.last_donor = (columns, donor)
        return donor

    def _donors(self, checked: list[Any]) -> None:
        """Settle each legacy id first met in this chunk: already imported, refused as a
        duplicate, or new (written in one bulk insert)."""
        first: dict[str, tuple[int, dict[str, str], DonorFacts]] = {}
        named: set[str] = set()  # legacy ids named by rows without the donor's columns
        for row_line, values, donor, _donation in checked:
            if donor is None:
                named.add(values["legacy_id"])
            elif donor.legacy_id not in self.known and donor.legacy_id not in first:
                first[donor.legacy_id] = (row_line, values, donor)
        named -= set(self.known) | set(first)
        if not first and not named:
            return
        already = LegacyDonor.objects.filter(
            bulk.AnyOf(F("legacy_id"), sorted(set(first) | named)),
            establishment=self.establishment,
            source=self.source,
        ).values_list("legacy_id", "donor_id", "donor__affiliation_id")
        for legacy_id, pk, affiliation in already:
            if legacy_id in first:
                line, _values, donor = first.pop(legacy_id)
                self.known[legacy_id] = _Known(line, pk, donor.fingerprint(), affiliation)
                self.outcome.donors_already += 1
            else:  # a donation of a donor imported by an earlier run (a later export)
                self.known[legacy_id] = _Known(0, pk, (), affiliation)
        fresh = self._without_duplicates(first)
        self._write_donors(fresh)

    def _without_duplicates(
        self, first: dict[str, tuple[int, dict[str, str], DonorFacts]]
    ) -> list[tuple[int, DonorFacts, str]]:
        digests = {lid: number_index(d.document_number) for lid, (_l, _v, d) in first.items()}
        on_record = set(
            IdentityDocument.objects.filter(
                bulk.AnyOf(F("number_index"), [x for x in digests.values() if x])
            ).values_list("number_index", flat=True)
        )
        phones = {lid: phone_index(d.phone) for lid, (_l, _v, d) in first.items() if d.phone}
        phone_keys = {digest: lid for lid, digest in phones.items()}
        same_phone = set(
            donor_access.in_registry(findable(), self.registry)
            .filter(bulk.AnyOf(F("phone_index"), list(phone_keys)))
            .values_list("phone_index", "name_key")
        )
        fresh = []
        for legacy_id, (line, values, donor) in sorted(first.items(), key=lambda kv: kv[1][0]):
            digest = digests[legacy_id]
            key = name_key(donor.full_name)  # once: also what ``_write_donors`` stores
            person = (phones[legacy_id], key) if donor.phone else None
            refusal = None
            if digest and digest in self.numbers:
                refusal = Refusal.of("same_number_in_file", line=self.numbers[digest])
            elif digest and digest in on_record:
                refusal = Refusal.of("same_number_in_registry")
            elif person in self.people:
                refusal = Refusal.of("same_person_in_file", line=self.people[person])
            elif person in same_phone:
                refusal = Refusal.of("same_person_in_registry")
            if refusal is not None:
                self.refuse(line, values, refusal)
                self.known[legacy_id] = _Known(line, None, donor.fingerprint(), None)
                continue
            if digest:
                self.numbers[digest] = line
            if person:
                self.people[person] = line
            fresh.append((line, donor, key))
        return fresh

    def _write_donors(self, fresh: list[tuple[int, DonorFacts, str]]) -> None:
        """One COPY of the new donors, then of their documents and legacy keys, from plain
        values (``bulk.insert_values`` encrypts and indexes them as a save would)."""
        now = timezone.now()
        registry_id = self.registry.pk if self.registry else None
        pks = bulk.insert_values(
            Donor,
            [
                {
                    "full_name": d.full_name,
                    "name_key": key[:200],
                    "date_of_birth": d.date_of_birth,
                    "sex": d.sex,
                    "phone": d.phone,
                    "address": d.address,
                    "affiliation_id": self.codes.get(d.area_code) if d.area_code else None,
                    "registry_id": registry_id,
                    "abo_confirmed": d.abo,
                    "rhd_confirmed": d.rhd,
                    "confirmed_at": now if d.abo else None,
                }
                for _line, d, key in fresh
            ],
            overlap=self.overlap,
        )
        self.created.update(pks)
        documents, keys = [], []
        for (line, d, _key), pk in zip(fresh, pks, strict=True):
            affiliation = self.codes.get(d.area_code) if d.area_code else None
            self.known[d.legacy_id] = _Known(line, pk, d.fingerprint(), affiliation)
            keys.append(
                {
                    "establishment_id": self.establishment.pk,
                    "source": self.source,
                    "legacy_id": d.legacy_id,
                    "donor_id": pk,
                    "run_id": self.run.pk,
                }
            )
            if d.document_number:
                documents.append(
                    {
                        "donor_id": pk,
                        "kind": d.document_kind,
                        "number": d.document_number,
                        "issuing_country": d.document_country,
                        "created_by_id": self.by.pk,
                    }
                )
        bulk.insert_values(IdentityDocument, documents, keys=False, overlap=self.overlap)
        bulk.insert_values(LegacyDonor, keys, keys=False, overlap=self.overlap)
        self.outcome.donors_added += len(pks)

    def _owner(self, line: int, values: dict[str, str], donor: DonorFacts | None) -> _Known:
        legacy_id = values["legacy_id"]
        known = self.known.get(legacy_id)
        if known is None:
            raise Refusal.of("unknown_donor")
        if known.pk is None and known.line != line:
            raise Refusal.of("donor_refused", line=known.line)
        if (
            donor is not None
            and known.line != line
            and known.fingerprint
            and donor.fingerprint() != known.fingerprint
        ):
            raise Refusal.of("conflicting_donor", line=known.line)
        return known

    def _donations(self, checked: list[Any]) -> None:
        wanted: list[tuple[int, dict[str, str], int, dict[str, Any]]] = []
        for line, values, donor, facts in checked:
            try:
                known = self._owner(line, values, donor)
            except Refusal as refusal:
                self.refuse(line, values, refusal)
                continue
            if facts is None or known.pk is None:
                continue
            din = facts.din  # the ISBT DIN or the legacy reference (``_check``)
            if din in self.dins:
                self.refuse(line, values, Refusal.of("same_donation_in_file", line=self.dins[din]))
                continue
            self.dins[din] = line
            credit = self.codes.get(facts.place_code) if facts.place_code else None
            wanted.append((line, values, known.pk, self._donation(din, known, facts, credit)))
        on_record = dict(
            Donation.objects.filter(
                bulk.AnyOf(F("din"), [w[3]["din"] for w in wanted])
            ).values_list("din", "donor_id")
        )
        made = []
        for line, values, donor_pk, donation in wanted:
            if donation["din"] not in on_record:
                made.append(donation)
            elif on_record[donation["din"]] == donor_pk:
                self.outcome.donations_already += 1
            else:
                self.refuse(line, values, Refusal.of("din_taken"))
        _mark_first_times(made)
        # Day rows are added up over the run and written once at its end (same transaction).
        summaries.tally([SimpleNamespace(**d) for d in made], into=self.days)
        # Sent, not waited for: the server writes them while the next chunk is read and
        # checked (``bulk.Overlap``); the next query waits for them.
        bulk.insert_values(Donation, made, keys=False, overlap=self.overlap)
        self.to_refresh = {d["donor_id"] for d in made} - self.created
        self.outcome.donations_added += len(made)

    def _donation(
        self, din: str, known: _Known, facts: DonationFacts, credit: int | None
    ) -> dict[str, Any]:
        """The new donation's values (``bulk.insert_values`` fills the other columns)."""
        assert known.pk is not None
        return {
            "din": din,
            "donor_id": known.pk,
            "drive_id": None,
            "establishment_id": self.establishment.pk,
            "collected_at": facts.collected_at.astimezone(dt.UTC),
            "donation_type": facts.donation_type,
            "volume_ml": facts.volume_ml,
            "bag_volume_ml": facts.bag_volume_ml,
            "outcome": facts.outcome,
            "incomplete_reason": facts.incomplete_reason,
            "credited_to_id": credit or known.affiliation_id or self.establishment.pk,
            "first_time": False,
        }


def _mark_first_times(made: list[dict[str, Any]]) -> None:
    """Flag each donor's first complete donations (none strictly earlier) before the insert,
    against the donations already on record (one query), so the summaries find nothing to
    move afterwards. A donor created in the chunk is then settled: all their donations are
    here. Others (met in an earlier chunk or run) are settled by
    ``summaries.refresh_first_time``."""
    complete = [d for d in made if d["outcome"] == "complete"]
    earliest = dict(
        Donation.objects.filter(
            bulk.AnyOf(F("donor_id"), list({d["donor_id"] for d in complete})), outcome="complete"
        )
        .values("donor_id")
        .annotate(first=Min("collected_at"))
        .values_list("donor_id", "first")
        .order_by()
    )
    first: dict[int, dt.datetime] = {}
    for d in complete:
        donor, at = d["donor_id"], d["collected_at"]
        if donor not in first or at < first[donor]:
            first[donor] = at
    for d in complete:  # the rule of summaries.refresh_first_time: none strictly earlier
        donor, at = d["donor_id"], d["collected_at"]
        if at == first[donor] and (donor not in earliest or at <= earliest[donor]):
            d["first_time"] = True


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def require_importer(by: User, establishment: Organisation) -> None:
    """Importing a registry needs the establishment's administration, donor registry and
    donation recording permissions there."""
    for perm in PERMS:
        access.require(by, perm, establishment)


@transaction.atomic
def import_registry(
    *,
    by: User,
    establishment: Organisation,
    rows: Iterable[Row],
    source: str,
    file_name: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> Outcome:
    """Import ``rows`` (from ``reading.read``) into ``establishment``'s registry. One audit
    event with the counts. ``dry_run`` checks everything, writes, then rolls it all back:
    the counts and refusals are what a real run would give now."""
    require_importer(by, establishment)
    run = RegistryImport.objects.create(
        establishment=establishment,
        source=source[:64],
        file_name=file_name[:200],
        imported_at=timezone.now(),
        imported_by=by,
    )
    with bulk.Overlap() as overlap:
        state = _Run(by, establishment, run.source, run, overlap)
        for batch in _chunks(rows, chunk):
            state.chunk(batch)
            if progress is not None:
                progress(state.outcome.rows)
        state.refresh()
        summaries.add_to_days(state.days)
        if state.days:  # the windows' distinct donors are counted again (decision 0052)
            days = [day for _org, day, _drive in state.days]
            summaries.stale_windows(min(days), max(days))
    outcome = state.outcome
    outcome.dry_run = dry_run
    run.counts, run.rejections = outcome.counts(), outcome.rejections
    run.save(update_fields=["counts", "rejections"])
    record(
        by=by,
        action="registry.import",
        obj=run,
        changes={
            "establishment": [None, str(establishment.uuid)],
            "source": [None, run.source],
            **{k: [None, v] for k, v in outcome.counts().items()},
        },
    )
    if dry_run:
        transaction.set_rollback(True)
        outcome.run = None
    return outcome
