"""The shapes of the laboratory API: result imports, a sample's panel and its results.

A sample is named by its donation's DIN; answers carry no donor data (no name, no identity,
no birth date), only the donation's test results and the group the laboratory found.
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema

from bloodline.inventory.schemas import ComponentOut
from bloodline.jurisdictions.labels import lab_test_name
from bloodline.lab.models import TestResult
from bloodline.lib.api_schemas import (
    Answer,
    Label,
    OptionalPublicId,
    OptionalUsername,
    PublicId,
    Username,
)


class ImportIn(Schema):
    establishment: UUID
    file_name: str = Field(max_length=200)
    csv: str = Field(description="The analyser file's text: a header row, then one result a row")


class RefusedRowOut(Schema):
    line: int
    din: str
    test: str
    error: str


class ImportBatchOut(Schema):
    uuid: UUID
    establishment: PublicId
    file_name: str
    imported_at: dt.datetime
    rows_taken: int
    rows_refused: int
    refused: list[RefusedRowOut]


class ResultIn(Schema):
    test: str = Field(max_length=60)
    stage: str = Field(default="screen", max_length=12)
    reading: str = Field(default="", max_length=16)
    value: Decimal | None = None
    manufacturer: str = Field(default="", max_length=100)
    reagent_lot: str = Field(default="", max_length=60)
    operator: str = Field(default="", max_length=150)
    instrument: str = Field(default="", max_length=100)


class CorrectionIn(Schema):
    reason: str = Field(max_length=1000)
    reading: str = Field(default="", max_length=16)
    value: Decimal | None = None
    manufacturer: str = Field(default="", max_length=100)
    reagent_lot: str = Field(default="", max_length=60)
    operator: str = Field(default="", max_length=150)
    instrument: str = Field(default="", max_length=100)


class ReleaseIn(Schema):
    version: int


class ResultOut(Answer):
    uuid: UUID
    test: str
    test_name: str = Field(description="The test's name in the request's language")
    stage: str
    reading: str
    reading_label: Label = Field(validation_alias="get_reading_display")
    value: Decimal | None
    acceptable: bool
    counts: bool
    manufacturer: str
    reagent_lot: str
    operator: str
    instrument: str
    source: str
    batch: OptionalPublicId
    entered_at: dt.datetime
    entered_by: Username
    verified_at: dt.datetime | None
    verified_by: OptionalUsername
    corrects: OptionalPublicId
    correction_reason: str

    @staticmethod
    def resolve_test_name(obj: TestResult) -> str:
        return lab_test_name(obj.test)


class TestStateOut(Schema):
    code: str
    name: str = Field(description="The test's name in the request's language")
    kind: str
    required: bool
    runs_required: int
    state: str
    runs: int
    readings: list[str]
    problem: str


class PanelOut(Schema):
    tests: list[TestStateOut]
    abo: str
    rhd: str
    group: str = Field(description="The group the results give, as written on a bag (A−, O+)")
    problems: list[str]
    complete: bool
    confirmed_positive: list[UUID]


class SampleOut(Schema):
    uuid: UUID
    din: str
    establishment: UUID
    rule_set: str
    received_at: dt.datetime
    panel: PanelOut
    results: list[ResultOut]
    components: list[ComponentOut]


class HoldOut(Schema):
    """A look-back hold on a donor's units (decision 0016); ``outcome`` is empty while it is
    open, ``lifted`` or ``confirmed`` once closed. ``units`` counts the units it still holds."""

    uuid: UUID
    test: str
    test_name: str = Field(description="The test's name in the request's language")
    placed_at: dt.datetime
    closed_at: dt.datetime | None
    outcome: str
    units: int
