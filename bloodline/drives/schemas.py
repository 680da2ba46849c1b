"""The shapes of the drive API: what it answers and what it accepts.

Answers carry public identifiers (UUIDs) only, and no personal data except a registration's
name, which only those who may see the registration receive.
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema

from bloodline.drives.models import drive_default
from bloodline.lib.api_schemas import (
    Answer,
    Label,
    LocalTime,
    OptionalPublicId,
    Patch,
    PublicId,
    PublicIds,
)


class ArrivalWindow(Schema):
    label: str = Field(max_length=80)
    start: str = Field(description="HH:MM, local time at the establishment")
    end: str = Field(description="HH:MM, local time at the establishment")


class DriveOut(Answer):
    uuid: UUID
    title: str
    status: str
    status_label: Label = Field(validation_alias="get_status_display")
    establishment: PublicId
    establishment_name: str = Field(validation_alias="establishment.display_name")
    hosts: PublicIds
    round: OptionalPublicId
    venue: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    starts_on: dt.date
    ends_on: dt.date
    opens_at: LocalTime
    closes_at: LocalTime
    time_zone: str = Field(validation_alias="time_zone.key")
    slot_minutes: int
    beds: int
    expected_units: int
    arrival_windows: list[ArrivalWindow]
    cancel_reason: str
    version: int


class DriveIn(Schema):
    establishment: UUID
    hosts: list[UUID]
    title: str = Field(max_length=200)
    venue: str = Field(max_length=200)
    address: str = Field(default="", max_length=300)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    starts_on: dt.date
    ends_on: dt.date | None = Field(default=None, description="the first day if not given")
    opens_at: LocalTime
    closes_at: LocalTime
    slot_minutes: int = drive_default("slot_minutes")
    beds: int = drive_default("beds")
    expected_units: int = 0
    arrival_windows: list[ArrivalWindow] = Field(default_factory=list)
    round: UUID | None = None


class DrivePatch(Patch):
    # Null clears these: a drive without a map pin, or not (yet) in a round.
    clearable = frozenset({"latitude", "longitude", "round"})

    version: int
    hosts: list[UUID] | None = None
    title: str | None = Field(default=None, max_length=200)
    venue: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    opens_at: LocalTime | None = None
    closes_at: LocalTime | None = None
    slot_minutes: int | None = None
    beds: int | None = None
    expected_units: int | None = None
    arrival_windows: list[ArrivalWindow] | None = None
    round: UUID | None = None
    reason: str = Field(default="", max_length=1000)


class StatusIn(Schema):
    status: str
    reason: str = Field(default="", max_length=1000)


class SlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    booked: int
    free: int


class RequestOut(Answer):
    uuid: UUID
    requested_by: PublicId
    requested_by_name: str = Field(validation_alias="requested_by.display_name")
    establishment: PublicId
    establishment_name: str = Field(validation_alias="establishment.display_name")
    options: list[dt.date]
    expected_donors: int
    venue: str
    note: str
    status: str
    decline_reason: str
    drive: OptionalPublicId
    created_at: dt.datetime


class RequestIn(Schema):
    requested_by: UUID
    establishment: UUID
    option_1: dt.date
    option_2: dt.date | None = None
    option_3: dt.date | None = None
    expected_donors: int
    venue: str = Field(max_length=200)
    note: str = Field(default="", max_length=2000)


class AcceptIn(Schema):
    date: dt.date
    opens_at: LocalTime
    closes_at: LocalTime
    slot_minutes: int = drive_default("slot_minutes")
    beds: int = drive_default("beds")
    title: str = Field(default="", max_length=200)


class DeclineIn(Schema):
    reason: str = Field(max_length=1000)


class RegistrationOut(Answer):
    uuid: UUID
    slot: dt.datetime = Field(validation_alias="slot.starts_at")
    donor: PublicId
    donor_name: str = Field(validation_alias="donor.full_name")
    mobilised_by: PublicId
    mobilised_by_name: str = Field(validation_alias="mobilised_by.display_name")
    channel: str
    cancelled_at: dt.datetime | None
    created_at: dt.datetime


class RegistrationCreated(RegistrationOut):
    duplicate: bool = Field(description="the person was already on record; that record was used")
    warning: str = ""


class RegistrationIn(Schema):
    slot: dt.datetime = Field(description="the slot's start; without an offset, local time")
    full_name: str = Field(max_length=200)
    date_of_birth: dt.date
    sex: str = Field(default="", max_length=1)
    phone: str = Field(default="", max_length=20)
    unit: UUID = Field(description="the person's unit; credited unless mobilised_by is given")
    mobilised_by: UUID | None = None


class CancelIn(Schema):
    reason: str = Field(default="", max_length=1000)
