"""Kinds of organisation and which kind may hang under which."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    # Administrative areas
    COUNTRY = "country", _("Country")
    PROVINCE = "province", _("Province or centrally run city")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    # Member units that mobilise donors
    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School or university")
    STATE_AGENCY = "state_agency", _("State agency")
    TRADE_UNION = "trade_union", _("Trade union")
    PARTY_BRANCH = "party_branch", _("Party branch")
    ARMED_FORCES = "armed_forces", _("Armed-forces unit")
    YOUTH_UNION = "youth_union", _("Youth union")
    CLUB = "club", _("Club or association")
    RED_CROSS = "red_cross", _("Red Cross chapter")
    RELIGIOUS = "religious", _("Religious organisation")
    OTHER_UNIT = "other_unit", pgettext_lazy("organisation kind", "Other unit")
    # Committees, blood establishments and hospitals
    STEERING_COMMITTEE = "steering_committee", _("Steering committee")
    BLOOD_CENTRE = "blood_centre", _("Blood centre")
    BLOOD_STATION = "blood_station", _("Blood station")
    HOSPITAL_BLOOD_BANK = "hospital_blood_bank", _("Hospital blood bank")
    COLLECTION_POINT = "collection_point", _("Fixed collection point")
    HOSPITAL = "hospital", _("Hospital")


AREAS = frozenset({Kind.COUNTRY, Kind.PROVINCE, Kind.DISTRICT, Kind.COMMUNE, Kind.WARD})
MEMBER_UNITS = frozenset(
    {
        Kind.ENTERPRISE,
        Kind.SCHOOL,
        Kind.STATE_AGENCY,
        Kind.TRADE_UNION,
        Kind.PARTY_BRANCH,
        Kind.ARMED_FORCES,
        Kind.YOUTH_UNION,
        Kind.CLUB,
        Kind.RED_CROSS,
        Kind.RELIGIOUS,
        Kind.OTHER_UNIT,
    }
)
ESTABLISHMENTS = frozenset(
    {Kind.BLOOD_CENTRE, Kind.BLOOD_STATION, Kind.HOSPITAL_BLOOD_BANK, Kind.COLLECTION_POINT}
)
BELOW_COUNTRY = AREAS - {Kind.COUNTRY}

# Which kinds may be the parent of each kind. A trade union or party branch may hang under the
# enterprise or agency it belongs to; a blood station or collection point under its centre.
ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    Kind.COUNTRY: frozenset(),
    Kind.PROVINCE: frozenset({Kind.COUNTRY}),
    Kind.DISTRICT: frozenset({Kind.PROVINCE}),
    Kind.COMMUNE: frozenset({Kind.DISTRICT}),
    Kind.WARD: frozenset({Kind.DISTRICT}),
    **dict.fromkeys(MEMBER_UNITS, BELOW_COUNTRY | MEMBER_UNITS),
    Kind.STEERING_COMMITTEE: AREAS,
    Kind.BLOOD_CENTRE: AREAS,
    Kind.BLOOD_STATION: BELOW_COUNTRY | {Kind.BLOOD_CENTRE},
    Kind.COLLECTION_POINT: BELOW_COUNTRY | {Kind.BLOOD_CENTRE, Kind.BLOOD_STATION},
    Kind.HOSPITAL: BELOW_COUNTRY,
    Kind.HOSPITAL_BLOOD_BANK: frozenset({Kind.HOSPITAL}),
}


def child_kinds(parent_kind: str) -> list[Kind]:
    return [kind for kind in Kind if parent_kind in ALLOWED_PARENTS[kind]]
