"""History rows are worded from the facts an event stores, in the reader's language: field
labels, choice labels, names of organisations and people, translated names — never the
internal key, the enum value, a UUID or a ``{'en': …}`` dictionary (decision 0026)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.utils import translation
from django.utils.text import capfirst

from bloodline.audit.models import AuditEvent
from bloodline.audit.presenter import EMPTY, present
from bloodline.lib.querycount import assert_flat, counted

pytestmark = pytest.mark.django_db


def _event(object_type: str, changes: dict[str, Any], **extra: Any) -> AuditEvent:
    return AuditEvent.objects.create(
        actor_id=extra.pop("actor_id", None),
        actor_label=extra.pop("actor_label", "someone"),
        action=extra.pop("action", "organisation.update"),
        object_type=object_type,
        object_id=str(uuid.uuid4()),
        changes=changes,
        **extra,
    )


def _read(event: AuditEvent, language: str) -> list[tuple[str, str, str]]:
    with translation.override(language):
        [row] = present([event])
        return [(c.label, c.old, c.new) for c in row.changes]


def _person(username: str) -> Any:
    from bloodline.accounts.models import User

    return User.objects.get(username=username)


def _words(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.parametrize("language", ["en", "vi"])
def test_it_names_a_plain_field_by_its_label(language: str) -> None:
    event = _event("organisations.organisation", {"official_code": ["HN-01", "HN-02"]})
    [(label, old, new)] = _read(event, language)
    assert label == capfirst(_words(language, "official code"))
    assert (old, new) == ("HN-01", "HN-02")
    assert label != "official_code"


@pytest.mark.parametrize("language", ["en", "vi"])
def test_it_shows_a_choice_by_its_label(language: str) -> None:
    event = _event("programmes.plan", {"status": ["draft", "issued"]}, action="plan.issued")
    [(_label, old, new)] = _read(event, language)
    assert (old, new) == (_words(language, "draft"), _words(language, "issued"))
    if language == "vi":
        assert "draft" not in old and "issued" not in new


@pytest.mark.parametrize("language", ["en", "vi"])
def test_it_shows_the_organisation_a_key_points_at_by_its_name(demo: Any, language: str) -> None:
    old_parent, new_parent = demo.nodes["vn_dong"], demo.nodes["vn_tay"]
    new_parent.name_translations = {"en": "West District"}
    new_parent.save(update_fields=["name_translations"])
    event = _event(
        "organisations.organisation",
        {"parent": [str(old_parent.uuid), str(new_parent.uuid)], "path": ["0001", "0002"]},
        action="organisation.move",
    )
    [(label, old, new)] = _read(event, language)
    assert label == capfirst(_words(language, "parent"))
    assert old == old_parent.name
    assert new == ("West District" if language == "en" else new_parent.name)


@pytest.mark.parametrize("language", ["en", "vi"])
def test_it_shows_a_person_by_their_name(demo: Any, language: str) -> None:
    person, actor = _person("drive_nurse"), _person("district_committee")
    event = _event(
        "organisations.membership",
        {"user": [None, str(person.uuid)], "role": [None, "drive_nurse"]},
        action="membership.create",
        actor_id=actor.pk,
        actor_label="username_not_shown",
    )
    with translation.override(language):
        [row] = present([event])
    shown = {c.label: c.new for c in row.changes}
    assert person.full_name in shown.values()
    assert str(person.uuid) not in " ".join(shown.values())
    assert "drive_nurse" not in " ".join(shown.values())
    assert row.actor == actor.full_name


@pytest.mark.parametrize(("language", "expected"), [("en", "Hanoi"), ("vi", "Hà Nội")])
def test_it_shows_a_translated_name_in_the_readers_language(language: str, expected: str) -> None:
    event = _event(
        "organisations.organisation", {"name_translations": [{}, {"en": "Hanoi", "vi": "Hà Nội"}]}
    )
    [(label, old, new)] = _read(event, language)
    assert (old, new) == ("—", expected)
    assert "{" not in new and label == capfirst(_words(language, "names in other languages"))


@pytest.mark.parametrize("language", ["en", "vi"])
def test_it_never_shows_a_uuid(language: str) -> None:
    gone = str(uuid.uuid4())
    event = _event(
        "screening.presentation",
        {"deferral": [None, gone], "anything": [None, str(uuid.uuid4())]},
        action="presentation.defer",
    )
    rows = _read(event, language)
    assert all(gone not in new and "-" not in new for _l, _o, new in rows)
    assert {label: new for label, _o, new in rows}[capfirst(_words(language, "deferral"))]


@pytest.mark.parametrize("language", ["en", "vi"])
def test_it_names_the_action_and_leaves_bookkeeping_out(language: str) -> None:
    event = _event(
        "organisations.organisation",
        {"path": ["0001", "0001.0002"], "version": [1, 2]},
        action="organisation.move",
    )
    with translation.override(language):
        [row] = present([event])
    assert row.changes == []
    assert row.action == _words(language, "Organisation moved")
    assert "organisation.move" not in row.action


def test_an_unknown_action_is_not_shown_as_its_code() -> None:
    event = _event("organisations.organisation", {}, action="something.new")
    [row] = present([event])
    assert row.action == "Recorded change"


def test_the_system_actor_reads_as_system() -> None:
    event = _event("organisations.organisation", {}, actor_label="system")
    with translation.override("vi"):
        [row] = present([event])
        assert row.actor == translation.gettext("System")


def test_a_page_of_events_costs_the_same_queries_whatever_its_length(demo: Any) -> None:
    nodes = list(demo.nodes.values())
    person = _person("drive_nurse")

    def events(n: int) -> list[AuditEvent]:
        return [
            _event(
                "organisations.organisation",
                {
                    "parent": [
                        str(nodes[i % len(nodes)].uuid),
                        str(nodes[(i + 1) % len(nodes)].uuid),
                    ]
                },
                actor_id=person.pk,
            )
            for i in range(n)
        ]

    small, large = events(3), events(30)
    with counted() as few:
        present(small)
    with counted() as many:
        present(large)
    assert_flat(few, many, sizes=(3, 30))


@pytest.mark.parametrize(("language", "expected"), [("en", "Fridge 2"), ("vi", "Tủ lạnh 2")])
def test_it_shows_a_storage_location_by_its_name_in_the_readers_language(
    demo: Any, language: str, expected: str
) -> None:
    from bloodline.inventory.models import LocationKind, StorageLocation

    location = StorageLocation.objects.create(
        establishment=demo.nodes["vn_dong"],
        name="Tủ lạnh 2",
        name_translations={"en": "Fridge 2"},
        kind=LocationKind.FRIDGE,
        min_c=2,
        max_c=6,
    )
    event = _event(
        "inventory.component",
        {"location": [None, str(location.uuid)]},
        action="component.stock",
    )
    [(label, old, new)] = _read(event, language)
    assert label == capfirst(_words(language, "location"))
    assert (old, new) == (EMPTY, expected)


def test_a_location_written_as_words_by_an_older_event_reads_as_written() -> None:
    event = _event("inventory.component", {"location": ["Fridge 1", None]}, action="component.move")
    [(_label, old, _new)] = _read(event, "vi")
    assert old == "Fridge 1"
