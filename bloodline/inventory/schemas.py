"""The shapes of the stock API: one component, and stock counts by product and group.

Answers name units by public identifiers (UUID, DIN, product code and division) and carry no
donor data: a component says which donation it came from, never whose.
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema

from bloodline.inventory.models import Component, ProcessingEvent, StorageLocation
from bloodline.jurisdictions.labels import component_type
from bloodline.lib.blood_groups import blood_group_long


class LocationOut(Schema):
    uuid: UUID
    name: str
    kind: str


class ComponentOut(Schema):
    """One unit as the stock and the laboratory see it; ``status`` is the status now,
    including an expiry the nightly sweep has not recorded yet."""

    uuid: UUID
    din: str
    product_code: str
    division: str
    component_code: str
    component_name: str = Field(description="The component type in the request's language")
    component_kind: str
    volume_ml: int
    status: str
    status_label: str
    abo: str
    rhd: str
    group: str = Field(description="As written on a bag: A−, O+; empty until determined")
    group_name: str = Field(description="In words, in the request's language")
    collected_at: dt.datetime
    expires_at: dt.datetime
    establishment: UUID
    location: LocationOut | None
    released_at: dt.datetime | None
    stocked_at: dt.datetime | None
    issued_at: dt.datetime | None
    issued_to: UUID | None
    version: int

    @staticmethod
    def resolve_din(obj: Component) -> str:
        return obj.donation.din

    @staticmethod
    def resolve_status(obj: Component) -> str:
        return str(obj.current_status().value)

    @staticmethod
    def resolve_status_label(obj: Component) -> str:
        return str(obj.current_status().label)

    @staticmethod
    def resolve_group(obj: Component) -> str:
        return obj.group()

    @staticmethod
    def resolve_component_name(obj: Component) -> str:
        return component_type(obj.component_code)

    @staticmethod
    def resolve_group_name(obj: Component) -> str:
        return blood_group_long(obj.abo, obj.rhd)

    @staticmethod
    def resolve_establishment(obj: Component) -> UUID:
        return obj.establishment.uuid

    @staticmethod
    def resolve_location(obj: Component) -> StorageLocation | None:
        return obj.location

    @staticmethod
    def resolve_issued_to(obj: Component) -> UUID | None:
        return obj.issued_to.uuid if obj.issued_to is not None else None


class ExpiryBand(Schema):
    """Available units expiring within ``up_to_days`` days from now and after the band
    before it; ``up_to_days`` is null for the last band (everything later)."""

    up_to_days: int | None
    label: str
    units: int


class StockRow(Schema):
    component_kind: str
    component_code: str
    component_name: str = Field(description="The component type in the request's language")
    abo: str
    rhd: str
    group: str
    available: int
    expiring: list[ExpiryBand]
    quarantined: int
    awaiting_label: int
    held: int  # units on look-back hold


class SupplyOut(Schema):
    """Days of supply of a component class and group against the establishment's threshold
    (null without a threshold); ``level`` is ok, shortage or critical."""

    component_kind: str
    kind_name: str = Field(description="The component class in the request's language")
    abo: str
    rhd: str
    group: str
    available: int
    days: Decimal | None
    level: str


class ExpiringUnitOut(Schema):
    uuid: UUID
    din: str
    product_code: str
    division: str
    component_code: str
    group: str
    status: str
    expires_at: dt.datetime

    @staticmethod
    def resolve_din(obj: Component) -> str:
        return obj.donation.din

    @staticmethod
    def resolve_group(obj: Component) -> str:
        return obj.group()

    @staticmethod
    def resolve_status(obj: Component) -> str:
        return str(obj.current_status().value)


class StockOut(Schema):
    establishment: UUID
    as_of: dt.datetime
    total: int
    rows: list[StockRow]
    supply: list[SupplyOut]
    expiring_soon: list[ExpiringUnitOut] = Field(
        description="Units still held (any live status) that expire within the next day"
    )


class ProcessingIn(Schema):
    """A processing step done to the unit: ``kind`` (open, thaw, wash, irradiate), when
    (default now; with its time zone, not in the future), where the unit goes if the step
    changes the temperature it needs, and the unit's version as last seen."""

    kind: str
    at: dt.datetime | None = None
    location: UUID | None = None
    version: int | None = None


class ProcessingOut(Schema):
    """A recorded processing step: who and when, the expiry before and after (the earlier of
    the old expiry and the step plus the rule's period), and the rule that decided it."""

    uuid: UUID
    component: UUID
    kind: str
    kind_label: str
    at: dt.datetime
    by: str
    expires_before: dt.datetime
    expires_at: dt.datetime
    rule_set: str
    period_value: int
    period_unit: str
    sources: list[str]
    verified: bool

    @staticmethod
    def resolve_component(obj: ProcessingEvent) -> UUID:
        return obj.component.uuid

    @staticmethod
    def resolve_kind_label(obj: ProcessingEvent) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_by(obj: ProcessingEvent) -> str:
        return str(obj.by.get_full_name())
