"""Finding a drive (decision 0057): upcoming public drives by area, nearest first when the
donor gives a position, and the drawing of the map. The map is an inline SVG that places the
drives by their stored coordinates in the box that holds them: no tile server, no external
service, nothing loaded at run time."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from bloodline.drives.models import Drive
from bloodline.organisations.kinds import AREAS
from bloodline.organisations.models import Organisation
from bloodline.portal.booking_access import open_drives

LIST_LIMIT = 100  # drives on one page: a display choice
EARTH_KM = 6371.0088  # mean Earth radius (IUGG), for great-circle distances
MAP_SIZE = 320  # the SVG's drawing box, in its own units
MAP_MARGIN = 20


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float


def read_position(latitude: str, longitude: str) -> Position | None:
    """A position typed or sent by the browser; None when absent or not a place on Earth."""
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or math.isnan(lat) or math.isnan(lon):
        return None
    return Position(lat, lon)


def distance_km(a: Position, b: Position) -> float:
    """Great-circle (haversine) distance."""
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dp, dl = p2 - p1, math.radians(b.longitude - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def position_of(drive: Drive) -> Position | None:
    if drive.latitude is None or drive.longitude is None:
        return None
    return Position(float(drive.latitude), float(drive.longitude))


def area_choices() -> list[Organisation]:
    """The areas (province, district, commune…) that hold a host of an upcoming drive."""
    hosts = Organisation.objects.filter(drives_hosted__in=open_drives()).distinct()
    pks = {pk for host in hosts for pk in [*host.ancestor_pks(), host.pk]}
    return list(
        Organisation.objects.filter(pk__in=pks, kind__in=sorted(AREAS), depth__gt=0).order_by(
            "path"
        )
    )


def in_area(drives: QuerySet[Drive], area_id: str) -> tuple[QuerySet[Drive], Organisation | None]:
    try:
        key = uuid.UUID(area_id)
    except ValueError:
        return drives, None
    area = Organisation.objects.filter(uuid=key, kind__in=sorted(AREAS)).first()
    if area is None:
        return drives, None
    return drives.filter(hosts__path__startswith=area.path).distinct(), area


@dataclass(frozen=True)
class Found:
    drive: Drive
    km: float | None


def nearest_first(drives: QuerySet[Drive], here: Position | None) -> list[Found]:
    """The drives by date, or nearest first (then by date) when ``here`` is known; drives
    without coordinates come after those with."""
    rows = list(drives.order_by("starts_on", "opens_at", "pk")[:LIST_LIMIT])
    found = []
    for drive in rows:
        there = position_of(drive)
        km = distance_km(here, there) if here is not None and there is not None else None
        found.append(Found(drive, km))
    if here is not None:
        found.sort(key=lambda f: (f.km is None, f.km or 0.0))
    return found


@dataclass(frozen=True)
class Pin:
    drive: Drive
    x: float
    y: float


def pins(drives: list[Drive]) -> list[Pin]:
    """Each drive with coordinates placed in the SVG box: an equirectangular projection
    scaled so the drives fill the box (longitude shrunk by the cosine of the middle
    latitude, so distances look right), north up."""
    placed = [(d, p) for d in drives if (p := position_of(d)) is not None]
    if not placed:
        return []
    lats = [p.latitude for _d, p in placed]
    lons = [p.longitude for _d, p in placed]
    squeeze = math.cos(math.radians((min(lats) + max(lats)) / 2))
    width = max((max(lons) - min(lons)) * squeeze, 1e-6)
    height = max(max(lats) - min(lats), 1e-6)
    scale = (MAP_SIZE - 2 * MAP_MARGIN) / max(width, height)
    return [
        Pin(
            drive,
            round(MAP_MARGIN + (p.longitude - min(lons)) * squeeze * scale, 1),
            round(MAP_MARGIN + (max(lats) - p.latitude) * scale, 1),
        )
        for drive, p in placed
    ]
