"""The shapes of the drive API: what it answers and what it accepts.

Answers carry public identifiers (UUIDs) only, and no personal data except a registration's
name, which only those who may see the registration receive.
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema

from bloodline.drives.models import Drive, DriveRequest, Registration, drive_default


class ArrivalWindow(Schema):
    label: str = Field(max_length=80)
    start: str = Field(description="HH:MM, local time at the establishment")
    end: str = Field(description="HH:MM, local time at the establishment")


class DriveOut(Schema):
    uuid: UUID
    title: str
    status: str
    status_label: str
    establishment: UUID
    establishment_name: str
    hosts: list[UUID]
    round: UUID | None
    venue: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    starts_on: dt.date
    ends_on: dt.date
    opens_at: dt.time
    closes_at: dt.time
    time_zone: str
    slot_minutes: int
    beds: int
    expected_units: int
    arrival_windows: list[ArrivalWindow]
    cancel_reason: str
    version: int

    @staticmethod
    def resolve_status_label(obj: Drive) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_establishment(obj: Drive) -> UUID:
        return obj.establishment.uuid

    @staticmethod
    def resolve_establishment_name(obj: Drive) -> str:
        return obj.establishment.display_name()

    @staticmethod
    def resolve_hosts(obj: Drive) -> list[UUID]:
        return [host.uuid for host in obj.hosts.all()]

    @staticmethod
    def resolve_round(obj: Drive) -> UUID | None:
        return obj.round.uuid if obj.round is not None else None

    @staticmethod
    def resolve_time_zone(obj: Drive) -> str:
        return obj.time_zone().key


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
    opens_at: dt.time
    closes_at: dt.time
    slot_minutes: int = drive_default("slot_minutes")
    beds: int = drive_default("beds")
    expected_units: int = 0
    arrival_windows: list[ArrivalWindow] = Field(default_factory=list)
    round: UUID | None = None


class DrivePatch(Schema):
    version: int
    hosts: list[UUID] | None = None
    title: str | None = Field(default=None, max_length=200)
    venue: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
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


class RequestOut(Schema):
    uuid: UUID
    requested_by: UUID
    requested_by_name: str
    establishment: UUID
    establishment_name: str
    options: list[dt.date]
    expected_donors: int
    venue: str
    note: str
    status: str
    decline_reason: str
    drive: UUID | None
    created_at: dt.datetime

    @staticmethod
    def resolve_requested_by(obj: DriveRequest) -> UUID:
        return obj.requested_by.uuid

    @staticmethod
    def resolve_requested_by_name(obj: DriveRequest) -> str:
        return obj.requested_by.display_name()

    @staticmethod
    def resolve_establishment(obj: DriveRequest) -> UUID:
        return obj.establishment.uuid

    @staticmethod
    def resolve_establishment_name(obj: DriveRequest) -> str:
        return obj.establishment.display_name()

    @staticmethod
    def resolve_options(obj: DriveRequest) -> list[dt.date]:
        return obj.options()

    @staticmethod
    def resolve_drive(obj: DriveRequest) -> UUID | None:
        return obj.drive.uuid if obj.drive is not None else None


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
    opens_at: dt.time
    closes_at: dt.time
    slot_minutes: int = drive_default("slot_minutes")
    beds: int = drive_default("beds")
    title: str = Field(default="", max_length=200)


class DeclineIn(Schema):
    reason: str = Field(max_length=1000)


class RegistrationOut(Schema):
    uuid: UUID
    slot: dt.datetime
    donor: UUID
    donor_name: str
    mobilised_by: UUID
    mobilised_by_name: str
    channel: str
    cancelled_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_slot(obj: Registration) -> dt.datetime:
        return obj.slot.starts_at

    @staticmethod
    def resolve_donor(obj: Registration) -> UUID:
        return obj.donor.uuid

    @staticmethod
    def resolve_donor_name(obj: Registration) -> str:
        return obj.donor.full_name

    @staticmethod
    def resolve_mobilised_by(obj: Registration) -> UUID:
        return obj.mobilised_by.uuid

    @staticmethod
    def resolve_mobilised_by_name(obj: Registration) -> str:
        return obj.mobilised_by.display_name()


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
