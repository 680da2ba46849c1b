"""The shapes of the stock API: one component, and stock counts by product and group.

Answers name units by public identifiers (UUID, DIN, product code and division) and carry no
donor data: a component says which donation it came from, never whose.
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema

from bloodline.inventory.models import Component
from bloodline.jurisdictions.labels import component_type
from bloodline.lib.api_schemas import Answer, Label, OptionalPublicId, PublicId
from bloodline.lib.blood_groups import blood_group_long


class LocationOut(Schema):
    uuid: UUID
    name: str
    kind: str


class ComponentOut(Answer):
    """One unit as the stock and the laboratory see it; ``status`` is the status now,
    including an expiry the nightly sweep has not recorded yet."""

    uuid: UUID
    din: str = Field(validation_alias="donation.din")
    product_code: str
    division: str
    component_code: str
    component_name: str = Field(description="The component type in the request's language")
    component_kind: str
    volume_ml: int
    # The status now (Component.current_status), not the one last stored.
    status: str = Field(validation_alias="current_status.value")
    status_label: Label = Field(validation_alias="current_status.label")
    abo: str
    rhd: str
    group: str = Field(description="As written on a bag: A−, O+; empty until determined")
    group_name: str = Field(description="In words, in the request's language")
    collected_at: dt.datetime
    expires_at: dt.datetime
    establishment: PublicId
    location: LocationOut | None
    released_at: dt.datetime | None
    stocked_at: dt.datetime | None
    issued_at: dt.datetime | None
    issued_to: OptionalPublicId
    version: int

    @staticmethod
    def resolve_component_name(obj: Component) -> str:
        return component_type(obj.component_code)

    @staticmethod
    def resolve_group_name(obj: Component) -> str:
        return blood_group_long(obj.abo, obj.rhd)


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


class ExpiringUnitOut(Answer):
    uuid: UUID
    din: str = Field(validation_alias="donation.din")
    product_code: str
    division: str
    component_code: str
    group: str
    status: str = Field(validation_alias="current_status.value")
    expires_at: dt.datetime


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


class ProcessingOut(Answer):
    """A recorded processing step: who and when, the expiry before and after (the earlier of
    the old expiry and the step plus the rule's period), and the rule that decided it."""

    uuid: UUID
    component: PublicId
    kind: str
    kind_label: Label = Field(validation_alias="get_kind_display")
    at: dt.datetime
    by: str = Field(validation_alias="by.get_full_name")
    expires_before: dt.datetime
    expires_at: dt.datetime
    rule_set: str
    period_value: int
    period_unit: str
    sources: list[str]
    verified: bool
