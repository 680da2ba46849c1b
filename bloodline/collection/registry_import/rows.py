"""Checking one row of a legacy registry file: the donor's columns and, when the row has a
donation date, the donation's. Each problem is a ``Refusal``: a reason code and its
parameters (stored on the run, rendered in the reader's language by ``reasons.describe``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import zoneinfo
from dataclasses import dataclass

from bloodline.collection.models import DonationType, IncompleteReason, Outcome
from bloodline.donors import phones
from bloodline.donors.documents import check_document, normalise_number
from bloodline.donors.models import NATIONAL_COUNTRY, DocumentKind, Sex
from bloodline.lib import isbt128

NAME_MAX = 200
LEGACY_ID_MAX = 64
ADDRESS_MAX = 500
# The prefix of the reference kept in the DIN column for a legacy donation without an ISBT 128
# DIN: "~" is not an ISBT 128 character, so it can never be taken for a real DIN (decision 0045).
LEGACY_DIN_PREFIX = "L~"

SEXES = {"m": Sex.MALE, "male": Sex.MALE, "nam": Sex.MALE, "男": Sex.MALE, "h": Sex.MALE}
SEXES |= {"f": Sex.FEMALE, "female": Sex.FEMALE, "nu": Sex.FEMALE, "nữ": Sex.FEMALE}
SEXES |= {"女": Sex.FEMALE, "homme": Sex.MALE, "femme": Sex.FEMALE, "hombre": Sex.MALE}
SEXES |= {"mujer": Sex.FEMALE}
DOCUMENT_KINDS = {k.value: k.value for k in DocumentKind} | {
    "cccd": DocumentKind.VN_CITIZEN_IDENTITY_CARD.value,
    "cmnd": DocumentKind.VN_CITIZEN_IDENTITY_CARD.value,
    "身份证": DocumentKind.CN_RESIDENT_IDENTITY_CARD.value,
    "resident_identity_card": DocumentKind.CN_RESIDENT_IDENTITY_CARD.value,
}
TYPES = {t.value: t.value for t in DonationType} | {
    "wb": DonationType.WHOLE_BLOOD.value,
    "toan_phan": DonationType.WHOLE_BLOOD.value,
    "全血": DonationType.WHOLE_BLOOD.value,
    "plt": DonationType.PLATELETS.value,
    "tieu_cau": DonationType.PLATELETS.value,
    "血小板": DonationType.PLATELETS.value,
    "pla": DonationType.PLASMA.value,
    "huyet_tuong": DonationType.PLASMA.value,
    "血浆": DonationType.PLASMA.value,
}
OUTCOMES = {o.value: o.value for o in Outcome}
INCOMPLETE_REASONS = frozenset(IncompleteReason.values)
# The country issuing each kind of document, by the kind's code (no enum call per row).
NATIONAL_COUNTRIES = {kind.value: country for kind, country in NATIONAL_COUNTRY.items()}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S")


class Refusal(Exception):
    """Why a row is refused: a code of ``reasons.REASONS`` and its parameters."""

    def __init__(self, code: str, params: dict[str, str]) -> None:
        super().__init__(code)
        self.code, self.params = code, params

    @classmethod
    def of(cls, code: str, /, **params: object) -> Refusal:
        return cls(code, {k: str(v) for k, v in params.items()})


@dataclass
class DonorFacts:
    legacy_id: str
    full_name: str
    sex: str
    date_of_birth: dt.date | None
    document_kind: str
    document_number: str
    document_country: str
    phone: str
    abo: str
    rhd: str
    address: str
    area_code: str

    def fingerprint(self) -> tuple[str, ...]:
        """What another row of the same donor must not contradict."""
        born = self.date_of_birth.isoformat() if self.date_of_birth else ""
        return (self.full_name.casefold(), born, self.document_number)


@dataclass
class DonationFacts:
    collected_at: dt.datetime
    donation_type: str
    volume_ml: int
    bag_volume_ml: int | None
    place_code: str
    din: str  # the ISBT 128 DIN, or empty; the importer puts the legacy reference here
    outcome: str
    incomplete_reason: str


def _key(text: str) -> str:
    return "_".join(text.casefold().replace("-", " ").split())


def _date(text: str, column: str, today: dt.date) -> dt.date | None:
    if not text:
        return None
    try:  # the common shape, without strptime's cost
        day = dt.date.fromisoformat(text[:10]) if len(text) >= 10 and text[4] == "-" else None
    except ValueError:
        day = None
    if day is not None:
        if day > today:
            raise Refusal.of("future_date", column=column)
        return day
    for shape in DATE_FORMATS:
        try:
            day = dt.datetime.strptime(text[:10], shape).date()
        except ValueError:
            continue
        if day > today:
            raise Refusal.of("future_date", column=column)
        return day
    raise Refusal.of("bad_date", column=column)


def _moment(text: str, zone: zoneinfo.ZoneInfo, today: dt.date) -> dt.datetime:
    """A donation's time: as written, or midday local time for a date alone (so its day is
    the same in every time zone of the country)."""
    for shape in DATETIME_FORMATS if len(text) > 10 else ():
        try:
            moment = dt.datetime.strptime(text[:19], shape)
        except ValueError:
            continue
        if moment.date() > today:
            raise Refusal.of("future_date", column="donation_date")
        return moment.replace(tzinfo=zone)
    day = _date(text, "donation_date", today)
    assert day is not None
    return dt.datetime.combine(day, dt.time(12), tzinfo=zone)


def blood_group(text: str) -> tuple[str, str]:
    """ABO and RhD from ``A+``, ``O-``, ``AB pos``, ``B Rh+``, ``O−``…; ("", "") when empty."""
    compact = "".join(text.upper().replace("\u2212", "-").replace("RH", "").split())
    if not compact:
        return "", ""
    for sign, rhd in (("POS", "pos"), ("NEG", "neg"), ("+", "pos"), ("-", "neg")):
        if compact.endswith(sign) and compact[: -len(sign)] in ("A", "B", "AB", "O"):
            return compact[: -len(sign)], rhd
    raise Refusal.of("bad_blood_group")


def _bounded(text: str, column: str, limit: int) -> str:
    if len(text) > limit:
        raise Refusal.of("too_long", column=column, n=limit)
    return text


def _document(values: dict[str, str], born: dt.date | None, sex: str) -> tuple[str, str, str]:
    number = normalise_number(values.get("document_number", ""))
    if not number:
        return "", "", ""
    kind = DOCUMENT_KINDS.get(_key(values.get("document_kind", "")), "")
    if not kind:
        raise Refusal.of("bad_document_kind")
    country = values.get("document_country", "").upper() or NATIONAL_COUNTRIES.get(kind, "")
    problems = check_document(kind, number, country, born, sex)
    if problems:
        detail = " ".join(str(m) for messages in problems.values() for m in messages)
        raise Refusal.of("bad_document", detail=detail)
    return kind, number, country


def donor_facts(values: dict[str, str], region: str, today: dt.date) -> DonorFacts:
    """The donor of a row that names one (its ``full_name`` is filled)."""
    legacy_id = _bounded(values.get("legacy_id", ""), "legacy_id", LEGACY_ID_MAX)
    if not legacy_id:
        raise Refusal.of("missing", column="legacy_id")
    name = _bounded(values.get("full_name", ""), "full_name", NAME_MAX)
    sex = ""
    if values.get("sex"):
        sex = SEXES.get(values["sex"].casefold(), "")
        if not sex:
            raise Refusal.of("bad_sex")
    born = _date(values.get("date_of_birth", ""), "date_of_birth", today)
    kind, number, country = _document(values, born, sex)
    try:
        phone = phones.normalise(values.get("phone", ""), region)
    except phones.InvalidPhone:
        raise Refusal.of("bad_phone") from None
    abo, rhd = blood_group(values.get("blood_group", ""))
    return DonorFacts(
        legacy_id=legacy_id,
        full_name=name,
        sex=sex,
        date_of_birth=born,
        document_kind=kind,
        document_number=number,
        document_country=country,
        phone=phone,
        abo=abo,
        rhd=rhd,
        address=_bounded(values.get("address", ""), "address", ADDRESS_MAX),
        area_code=values.get("area_code", ""),
    )


def _volume(text: str, column: str) -> int | None:
    if not text:
        return None
    try:
        volume = int(text)
    except ValueError:
        raise Refusal.of("bad_volume", column=column) from None
    if volume <= 0:
        raise Refusal.of("bad_volume", column=column)
    return volume


def _din(text: str) -> str:
    if not text:
        return ""
    try:
        return isbt128.parse(text).din
    except isbt128.DinError as exc:
        raise Refusal.of("bad_din", detail=str(exc)) from None


def donation_facts(
    values: dict[str, str], zone: zoneinfo.ZoneInfo, today: dt.date
) -> DonationFacts:
    """The donation of a row whose ``donation_date`` is filled."""
    collected = _moment(values["donation_date"], zone, today)
    kind = TYPES.get(_key(values.get("donation_type", "")) or DonationType.WHOLE_BLOOD, "")
    if not kind:
        raise Refusal.of("bad_type")
    volume = _volume(values.get("volume_ml", ""), "volume_ml")
    if volume is None:
        raise Refusal.of("missing", column="volume_ml")
    bag = _volume(values.get("bag_volume_ml", ""), "bag_volume_ml")
    if kind == DonationType.WHOLE_BLOOD and bag is None:
        bag = volume  # legacy systems record the bag size as the volume (decision 0045)
    outcome = OUTCOMES.get(_key(values.get("outcome", "")) or Outcome.COMPLETE, "")
    if not outcome:
        raise Refusal.of("bad_outcome")
    reason = ""
    if outcome == Outcome.INCOMPLETE:
        reason = _key(values.get("incomplete_reason", "")) or IncompleteReason.OTHER
        if reason not in INCOMPLETE_REASONS:
            raise Refusal.of("bad_incomplete_reason")
    return DonationFacts(
        collected_at=collected,
        donation_type=kind,
        volume_ml=volume,
        bag_volume_ml=bag,
        place_code=values.get("place_code", ""),
        din=_din(values.get("din", "")),
        outcome=outcome,
        incomplete_reason=reason,
    )


def legacy_din(establishment: str, source: str, legacy_id: str, facts: DonationFacts) -> str:
    """The reference kept in the DIN column of a legacy donation without a DIN: the same
    donation (establishment, source, donor, time, type) gives the same reference, so a second
    import of the file finds it (decision 0045). 70 bits of a hash: no collision expected in
    a province's history."""
    key = "|".join(
        (establishment, source, legacy_id, facts.collected_at.isoformat(), facts.donation_type)
    )
    digest = hashlib.sha256(key.encode()).digest()
    # base32 works on 5-byte groups: the first 14 characters come from the first 10 bytes
    # alone, so encoding those gives the same reference at a fraction of the cost.
    return LEGACY_DIN_PREFIX + base64.b32encode(digest[:10]).decode()[:14]
