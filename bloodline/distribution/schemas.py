"""The shapes of the distribution API: orders, their lines and allocated units, shipments.

Units are named by UUID, DIN, product code and division; organisations by UUID and name.
No donor data appears: a unit says which donation it came from, never whose.
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from uuid import UUID

from ninja import Field, Schema

from bloodline.distribution.models import Allocation, Order, OrderLine, Shipment, ShipmentItem
from bloodline.organisations.models import Organisation


class OrganisationRef(Schema):
    uuid: UUID
    name: str

    @staticmethod
    def resolve_name(obj: Organisation) -> str:
        return obj.display_name()


class LineIn(Schema):
    component_code: str = Field(max_length=60)
    abo: str = Field(default="", max_length=2, description="Recipient's ABO; empty if unknown")
    rhd: str = Field(default="", max_length=3, description="pos, neg, or empty if unknown")
    quantity: int
    allow_rhd_shortage: bool = False


class OrderIn(Schema):
    hospital: UUID
    supplier: UUID
    urgency: str = Field(max_length=10)
    needed_by: dt.datetime = Field(
        description="ISO 8601; without an offset it is read in the hospital's time zone"
    )
    note: str = Field(default="", max_length=2000)
    lines: list[LineIn]


class VersionIn(Schema):
    version: int


class PickIn(Schema):
    din_scan: str = Field(max_length=40)
    product_scan: str = Field(max_length=40)


class DispatchIn(Schema):
    packed_count: int
    version: int


class ReceiveIn(Schema):
    received_count: int


class OutcomeIn(Schema):
    outcome: str = Field(max_length=12)
    cold_chain_ok: bool | None = None
    note: str = Field(default="", max_length=2000)


class AllocatedUnitOut(Schema):
    component: UUID
    din: str
    product_code: str
    division: str
    group: str
    expires_at: dt.datetime
    conditions: str
    allocated_at: dt.datetime

    @staticmethod
    def resolve_component(obj: Allocation) -> UUID:
        return obj.component.uuid

    @staticmethod
    def resolve_din(obj: Allocation) -> str:
        return obj.component.donation.din

    @staticmethod
    def resolve_product_code(obj: Allocation) -> str:
        return obj.component.product_code

    @staticmethod
    def resolve_division(obj: Allocation) -> str:
        return obj.component.division

    @staticmethod
    def resolve_group(obj: Allocation) -> str:
        return obj.component.group()

    @staticmethod
    def resolve_expires_at(obj: Allocation) -> dt.datetime:
        return obj.component.expires_at


class LineOut(Schema):
    component_code: str
    abo: str
    rhd: str
    quantity: int
    allow_rhd_shortage: bool
    allocated: list[AllocatedUnitOut]

    @staticmethod
    def resolve_allocated(obj: OrderLine) -> list[Allocation]:
        # Prefetched with the live allocations only (see distribution/api.py).
        return list(obj.allocations.all())


class OrderOut(Schema):
    uuid: UUID
    number: str
    hospital: OrganisationRef
    supplier: OrganisationRef
    urgency: str
    needed_by: dt.datetime
    note: str
    placed_at: dt.datetime
    status: str
    status_label: str
    cancelled_at: dt.datetime | None
    lines: list[LineOut]
    version: int

    @staticmethod
    def resolve_status_label(obj: Order) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_lines(obj: Order) -> list[OrderLine]:
        return list(obj.lines.all())


class ShipmentItemOut(Schema):
    component: UUID
    din: str
    product_code: str
    division: str
    component_code: str
    group: str
    expires_at: dt.datetime
    scanned_at: dt.datetime
    outcome: str
    outcome_at: dt.datetime | None
    cold_chain_ok: bool | None
    note: str

    @staticmethod
    def resolve_component(obj: ShipmentItem) -> UUID:
        return obj.component.uuid

    @staticmethod
    def resolve_din(obj: ShipmentItem) -> str:
        return obj.component.donation.din

    @staticmethod
    def resolve_product_code(obj: ShipmentItem) -> str:
        return obj.component.product_code

    @staticmethod
    def resolve_division(obj: ShipmentItem) -> str:
        return obj.component.division

    @staticmethod
    def resolve_component_code(obj: ShipmentItem) -> str:
        return obj.component.component_code

    @staticmethod
    def resolve_group(obj: ShipmentItem) -> str:
        return obj.component.group()

    @staticmethod
    def resolve_expires_at(obj: ShipmentItem) -> dt.datetime:
        return obj.component.expires_at


class ShipmentOut(Schema):
    uuid: UUID
    order: UUID
    order_number: str
    packed_count: int | None
    scanned_count: int
    dispatched_at: dt.datetime | None
    received_at: dt.datetime | None
    items: list[ShipmentItemOut]

    @staticmethod
    def resolve_order(obj: Shipment) -> UUID:
        return obj.order.uuid

    @staticmethod
    def resolve_order_number(obj: Shipment) -> str:
        return obj.order.number

    @staticmethod
    def resolve_scanned_count(obj: Shipment) -> int:
        return len(obj.items.all())

    @staticmethod
    def resolve_items(obj: Shipment) -> list[ShipmentItem]:
        return list(obj.items.all())
