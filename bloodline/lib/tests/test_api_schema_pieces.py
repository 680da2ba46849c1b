"""The shared API schema pieces read a related record's public id, a label or a name from the
model, and accept an answer already built (ninja validates a returned answer again)."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from ninja import Field
from pydantic import ValidationError

from bloodline.lib.api_schemas import (
    Answer,
    Label,
    OptionalPublicId,
    OptionalUsername,
    OrganisationRef,
    PublicId,
    PublicIds,
)


class UnitAnswer(Answer):
    establishment: PublicId
    issued_to: OptionalPublicId
    hosts: PublicIds
    din: str = Field(validation_alias="donation.din")
    status_label: Label = Field(validation_alias="get_status_display")
    verified_by: OptionalUsername


class Person:
    def get_username(self) -> str:
        return "ky_thuat_vien"


def unit(**changes: object) -> SimpleNamespace:
    centre = SimpleNamespace(uuid=uuid.uuid4())
    facts: dict[str, object] = {
        "establishment": centre,
        "issued_to": None,
        "hosts": [centre],
        "donation": SimpleNamespace(din="W123426000001"),
        "get_status_display": lambda: "available",
        "verified_by": Person(),
    }
    return SimpleNamespace(**(facts | changes))


def test_it_answers_a_related_record_by_its_public_id_and_none_as_none() -> None:
    row = unit()
    answer = UnitAnswer.model_validate(row)
    assert answer.establishment == row.establishment.uuid
    assert answer.issued_to is None
    assert answer.hosts == [row.establishment.uuid]
    assert (answer.din, answer.status_label, answer.verified_by) == (
        "W123426000001",
        "available",
        "ky_thuat_vien",
    )


def test_it_answers_with_field_names_never_the_aliases() -> None:
    dumped = UnitAnswer.model_validate(unit(verified_by=None)).model_dump()
    assert set(dumped) == {
        "establishment",
        "issued_to",
        "hosts",
        "din",
        "status_label",
        "verified_by",
    }
    assert dumped["verified_by"] is None


def test_it_accepts_an_answer_already_built() -> None:
    first = UnitAnswer.model_validate(unit())
    assert UnitAnswer.model_validate(first) == first
    assert UnitAnswer.model_validate(first.model_dump()) == first


def test_it_refuses_a_record_without_the_value() -> None:
    with pytest.raises(ValidationError):
        UnitAnswer.model_validate(unit(donation=SimpleNamespace()))


def test_an_organisation_is_named_by_its_display_name() -> None:
    organisation = SimpleNamespace(uuid=uuid.uuid4(), display_name=lambda: "Bệnh viện Chợ Rẫy")
    ref = OrganisationRef.model_validate(organisation)
    assert ref.model_dump() == {"uuid": organisation.uuid, "name": "Bệnh viện Chợ Rẫy"}
