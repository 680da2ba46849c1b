"""One optimistic lock (decision 0028): every action that takes the version a person saw
refuses a stale one with the same error and the same message, and writes nothing.

The actions are collected from the code, not listed by hand: a new action with a version
parameter fails here until it has a scenario below."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

import bloodline
from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.lib.locking import StaleEdit, Versioned, stale_message

SKIPPED_MODULES = (".tests", ".migrations", "management", ".views", ".api", ".forms", ".urls")


def _version_parameters(function: Callable[..., Any]) -> list[str]:
    """Keyword-only integer parameters named ``version`` or ``…_version``."""
    return [
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.kind is p.KEYWORD_ONLY
        and (p.name == "version" or p.name.endswith("_version"))
        and "int" in str(p.annotation)
    ]


def versioned_actions() -> set[str]:
    """``module.function:parameter`` for every public function that takes a seen version."""
    found = set()
    for info in pkgutil.walk_packages(bloodline.__path__, "bloodline."):
        if any(part in info.name for part in SKIPPED_MODULES):
            continue
        module = importlib.import_module(info.name)
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function):
                continue
            if function.__module__ != info.name:
                continue
            found |= {f"{info.name}.{name}:{p}" for p in _version_parameters(function)}
    return found


# Scenarios: each makes a row and a call that passes the version it is given. ---------------


def _organisation(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.organisations import actions

    org = demo.nodes["vn_dong_c1"]
    return org, lambda v: actions.update_organisation(
        by=system_actor(), organisation=org, version=v, changes={"name": "Lost update"}
    )


def _plan(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.programmes import actions

    plan = actions.create_plan(
        by=system_actor(),
        issuer=demo.nodes["vn_dong_committee"],
        number="1/KH",
        issued_on=dt.date(2026, 1, 2),
        title="Kế hoạch",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        measure="bags",
        total_target=100,
    )
    return plan, lambda v: actions.update_plan(
        by=system_actor(), plan=plan, version=v, changes={"title": "Lost update"}
    )


def _drive(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.drives import actions

    soon = timezone.localdate() + dt.timedelta(days=10)
    drive = actions.create_drive(
        by=system_actor(),
        establishment=centre.centre,
        hosts=[centre.unit],
        title="Hiến máu",
        venue="Hội trường",
        starts_on=soon,
        ends_on=soon,
        opens_at=dt.time(7, 30),
        closes_at=dt.time(11),
        slot_minutes=30,
        beds=6,
    )
    return drive, lambda v: actions.update_drive(
        by=system_actor(), drive=drive, version=v, changes={"title": "Lost update"}
    )


def _donor(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.demo.factories import collection
    from bloodline.donors import actions

    (donor,) = collection.donors(1, centre.unit)
    nurse = next(u for p, u in demo.accounts if p.username == "drive_nurse")
    return donor, lambda v: actions.update_donor(
        by=nurse, donor=donor, version=v, changes={"address": "Lost update"}
    )


def _unit(centre: Any) -> Any:
    red, _plasma = centre.stocked("A", "pos")
    return red


def _scan_back(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.demo.factories import distribution as factories
    from bloodline.inventory import actions

    red = _unit(centre)
    scans = factories.label_scans(red)
    return red, lambda v: actions.scan_back(
        by=centre.clerk, component=red, **scans, location=red.location, version=v
    )


def _move(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.inventory import actions

    red = _unit(centre)
    return red, lambda v: actions.move(
        by=centre.clerk, component=red, location=red.location, version=v
    )


def _discard(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.inventory import actions

    red = _unit(centre)
    return red, lambda v: actions.discard(
        by=centre.clerk, component=red, reason="bag_damaged", note="Leaking", version=v
    )


def _processing(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.inventory import actions

    _red, plasma = centre.stocked()
    return plasma, lambda v: actions.record_processing(
        by=centre.clerk, component=plasma, kind="thaw", version=v
    )


def _release(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.lab import actions

    red = _unit(centre)
    return red, lambda v: actions.release(by=centre.lab, component=red, version=v)


def _order(centre: Any) -> Any:
    from bloodline.distribution import actions

    return actions.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[actions.LineRequest("red_cells_additive", "A", "pos", 1)],
    )


def _cancel(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.distribution import actions

    order = _order(centre)
    return order, lambda v: actions.cancel_order(by=centre.hospital_user, order=order, version=v)


def _emergency(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.distribution import actions

    order = _order(centre)
    line = order.lines.get()
    return order, lambda v: actions.sign_emergency_release(
        by=centre.hospital_user, line=line, clinician="BS. Lan", reason="Bleeding", version=v
    )


def _allocate(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.distribution import actions

    _unit(centre)
    order = _order(centre)
    return order, lambda v: actions.allocate(by=centre.clerk, order=order, version=v)


def _allocate_unit_order(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.distribution import actions

    red = _unit(centre)
    order = _order(centre)
    line = order.lines.get()
    return order, lambda v: actions.allocate_unit(
        by=centre.clerk, line=line, component=red, version=red.version, order_version=v
    )


def _allocate_unit_unit(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.distribution import actions

    red = _unit(centre)
    order = _order(centre)
    line = order.lines.get()
    return red, lambda v: actions.allocate_unit(
        by=centre.clerk, line=line, component=red, version=v, order_version=order.version
    )


def _unallocate(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.distribution import actions

    _unit(centre)
    order = _order(centre)
    (allocation,) = actions.allocate(by=centre.clerk, order=order, version=order.version)
    order.refresh_from_db()
    return order, lambda v: actions.unallocate(by=centre.clerk, allocation=allocation, version=v)


def _dispatch(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.distribution import actions

    _unit(centre)
    order = _order(centre)
    actions.allocate(by=centre.clerk, order=order, version=order.version)
    order.refresh_from_db()
    return order, lambda v: actions.dispatch(
        by=centre.clerk, order=order, packed_count=1, version=v
    )


def _template(demo: Any, centre: Any) -> tuple[Any, Callable[[int], Any]]:
    from bloodline.notifications import actions

    words = {
        "establishment": centre.centre,
        "event": "thank_you",
        "language": "vi",
        "channel": "sms",
        "subject": "",
        "body": "Cảm ơn {{ donor_name }}",
    }
    row = actions.save_template(by=system_actor(), version=None, **words)
    return row, lambda v: actions.save_template(by=system_actor(), version=v, **words)


SCENARIOS: dict[str, Callable[[Any, Any], tuple[Any, Callable[[int], Any]]]] = {
    "bloodline.organisations.actions.update_organisation:version": _organisation,
    "bloodline.programmes.actions.update_plan:version": _plan,
    "bloodline.drives.planning.update_drive:version": _drive,
    "bloodline.donors.actions.update_donor:version": _donor,
    "bloodline.inventory.actions.scan_back:version": _scan_back,
    "bloodline.inventory.actions.move:version": _move,
    "bloodline.inventory.actions.discard:version": _discard,
    "bloodline.inventory.actions.record_processing:version": _processing,
    "bloodline.lab.actions.release:version": _release,
    "bloodline.distribution.actions.cancel_order:version": _cancel,
    "bloodline.distribution.actions.sign_emergency_release:version": _emergency,
    "bloodline.distribution.actions.allocate:version": _allocate,
    "bloodline.distribution.actions.allocate_unit:order_version": _allocate_unit_order,
    "bloodline.distribution.actions.allocate_unit:version": _allocate_unit_unit,
    "bloodline.distribution.actions.unallocate:version": _unallocate,
    "bloodline.distribution.actions.dispatch:version": _dispatch,
    "bloodline.notifications.actions.save_template:version": _template,
}


def test_it_has_a_scenario_for_every_action_that_takes_a_seen_version():
    assert versioned_actions() == set(SCENARIOS)


@pytest.mark.parametrize("action", sorted(SCENARIOS))
def test_it_refuses_a_stale_version_with_the_one_message_and_writes_nothing(centre, demo, action):
    row, call = SCENARIOS[action](demo, centre)
    row.refresh_from_db()
    seen, events = row.version, AuditEvent.objects.count()
    with pytest.raises(StaleEdit) as refused:
        call(seen + 1)
    assert refused.value.message_dict == {"version": [stale_message()]}
    row.refresh_from_db()
    assert row.version == seen
    assert AuditEvent.objects.count() == events


def test_every_versioned_model_uses_the_one_mixin():
    with_version = {
        m._meta.label
        for m in apps.get_models()
        if any(f.name == "version" for f in m._meta.get_fields())
    }
    assert with_version == {m._meta.label for m in apps.get_models() if issubclass(m, Versioned)}
    assert len(with_version) >= 7


def test_no_module_words_or_counts_its_own_stale_edit():
    root = Path(bloodline.__file__).parent
    own = root / "lib" / "locking.py"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path != own
        and "tests" not in path.parts
        and "migrations" not in path.parts
        and any(
            needle in path.read_text(encoding="utf-8")
            for needle in ("Someone else changed", "version += 1", 'F("version")', "class Stale")
        )
    ]
    assert offenders == []


def test_a_page_and_the_api_refuse_a_stale_edit_with_the_same_message(demo, login):
    school = demo.nodes["vn_dong_school"]
    client = login("district_committee", HTTP_ACCEPT_LANGUAGE="en")
    seen = school.version
    ok = client.patch(
        f"/api/v1/organisations/{school.uuid}",
        {"version": seen, "name": "Trường A"},
        content_type="application/json",
    )
    assert ok.status_code == 200
    api = client.patch(
        f"/api/v1/organisations/{school.uuid}",
        {"version": seen, "name": "Trường B"},
        content_type="application/json",
    )
    assert api.status_code == 409
    assert api.json() == {
        "detail": [{"loc": ["body", "version"], "msg": stale_message(), "type": "stale"}]
    }
    page = client.post(
        f"/organisations/{school.uuid}/edit/",
        {"name": "Trường C", "version": seen, "is_active": "on"},
    )
    assert page.status_code == 200
    assert stale_message() in page.content.decode()
    school.refresh_from_db()
    assert school.name == "Trường A"
