"""Pieces the API schemas of every app share, so no schema copies a related record's fields
with a resolver of its own (decision 0029).

django-ninja reads a schema field from the object by its name or its ``validation_alias``; a
dotted alias (``"donation.din"``) follows relations and calls methods on the way, so a field
that only copies a value names where the value is. What is left here turns a related record
into what the answer shows of it: its public id, or a label in the request's language.
Answers keep their field names: aliases are only read, never written.
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from typing import Annotated, Any, ClassVar
from uuid import UUID

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, ValidationInfo, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError


def _public_id(related: Any) -> Any:
    """A related record's UUID; None (no record) and a UUID already taken stay as they are."""
    return getattr(related, "uuid", related)


def _public_ids(related: Any) -> list[Any]:
    return [_public_id(row) for row in related]


def _username(person: Any) -> Any:
    """A member of staff by the name they sign in with; None (nobody) and a name already
    taken stay as they are."""
    return person.get_username() if hasattr(person, "get_username") else person


# A related record named by its public id: ``establishment: PublicId`` answers the UUID of
# ``obj.establishment``. Integer keys never leave the server (CONVENTIONS §5).
PublicId = Annotated[UUID, BeforeValidator(_public_id)]
OptionalPublicId = Annotated[UUID | None, BeforeValidator(_public_id)]
PublicIds = Annotated[list[UUID], BeforeValidator(_public_ids)]
# A member of staff who did something (entered, verified), by their sign-in name.
Username = Annotated[str, BeforeValidator(_username)]
OptionalUsername = Annotated[str | None, BeforeValidator(_username)]
# A wall-clock time of day at the establishment (opening hours): no UTC offset, because the
# offset of a local time depends on the day (summer time). Declared as HH:MM[:SS] rather
# than JSON Schema's "time" format, which demands an offset (decision 0035).
LocalTime = Annotated[
    dt.time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$",
            "description": "Local time of day at the establishment, HH:MM[:SS], no offset.",
        }
    ),
]
# A choice label or other translated text, rendered in the request's language.
Label = Annotated[str, BeforeValidator(str)]


class Answer(Schema):
    """An answer's schema that names where some of its fields come from (``validation_alias``).
    A field is read by its alias from a model and by its name from an answer already built
    (ninja validates a returned schema once more), so both are accepted."""

    model_config = ConfigDict(from_attributes=True, validate_by_alias=True, validate_by_name=True)


# An organisation as an answer names it: its public id and its name. (A comment, not a
# docstring: the docstring would become the OpenAPI description and change the document.)
class OrganisationRef(Answer):
    uuid: UUID
    name: str = Field(validation_alias="display_name")


class Patch(Schema):
    """A partial update: a field left out is not changed; ``null`` is refused (422
    ``null_not_allowed``) unless the field is listed in ``clearable``, where null clears the
    value (decision 0035). One rule for every PATCH body, so no action receives a None it
    cannot handle."""

    clearable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.clearable:
            raise PydanticCustomError("null_not_allowed", "Leave this field out instead of null.")
        return value
