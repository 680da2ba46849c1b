"""Acceptance (issue 11, point 4): signed in, switched to Vietnamese and then to Simplified
Chinese, a reader of the history, drive reconciliation, trace and lab sample pages sees words
— no reason code, enum value, lab test code, UUID, ``{'…'}`` dictionary or English demo name.

The data is the demo (programmes and blood centre) plus a screening session run through the
real actions on the demo's drive of today: a questionnaire deferral, a low haemoglobin, a
physician's own deferral, and a donor accepted after review whose donation is then traced.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from bloodline.web.tests.test_browser import CHROMIUM_ARGS

pytestmark = pytest.mark.browser

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
# Whole-word codes and names that must never reach a reader of a vi or zh-Hans page.
DENIED_WORDS = [
    "physician",
    "hb.low",
    "weight.low",
    "abo",
    "rhd",
    "irregular_antibody_screen",
    "organisation.create",
    "plan.create",
    "draft",
    "issued",
    "Fridge 1",
    "Freezer 1",
    "Deep freezer 1",
    "Platelet agitator 1",
    "Quarantine store",
]
DENIED_TEXT = ["deferral.", "O pos", "{'", '{"', "_after_", "no_rule."]


def denied(text: str) -> list[str]:
    """What of the deny-list appears in a page's visible text."""
    found = [w for w in DENIED_WORDS if re.search(rf"(?<![\w.]){re.escape(w)}(?![\w])", text)]
    found += [t for t in DENIED_TEXT if t in text]
    found += UUID.findall(text)
    return found


def in_context(text: str, found: list[str]) -> list[str]:
    """Each finding with the words around it, to say where it is."""
    shown = []
    for item in sorted(set(found)):
        at = text.find(item)
        shown.append(f"{item!r} in …{text[max(at - 60, 0) : at + 40]!r}…")
    return shown


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Any:
    import os
    import shutil

    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
    monkeypatch.setitem(os.environ, "DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-GB")
        yield context.new_page()
        context.close()
        browser.close()


def _sign_in(page: Any, base: str, username: str) -> None:
    from bloodline.demo.seed import DEMO_PASSWORD

    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").click()


def _switch(page: Any, language: str) -> None:
    """Choose the language in the page header, as a reader would."""
    page.select_option("#language-select", language)
    with page.expect_navigation():
        page.locator("form.language button[type=submit]").click()
    assert page.evaluate("document.documentElement.lang") == language


def _screening_day() -> dict[str, Any]:
    """Screen four registered people on the demo's drive of today through the actions."""
    from django.utils import timezone

    from bloodline.accounts.models import User
    from bloodline.drives.models import DriveStatus, LabelSet, Registration
    from bloodline.lib.isbt128 import type3_flag
    from bloodline.screening import actions
    from bloodline.screening.assessment import questions_for

    nurse = User.objects.get(username="drive_nurse")
    physician = User.objects.get(username="physician")
    registrations = list(
        Registration.objects.filter(drive__status=DriveStatus.RUNNING, cancelled_at__isnull=True)
        .select_related("drive")
        .order_by("pk")[:4]
    )
    drive = registrations[0].drive
    year = timezone.localdate().year % 100
    LabelSet.objects.create(
        drive=drive,
        fin="Z9999",
        year=year,
        first=100,
        last=199,
        printed_by=nurse,
        printed_at=timezone.now(),
    )
    healthy = {
        "weight_kg": "62",
        "temperature_c": "36.6",
        "systolic": "120",
        "diastolic": "80",
        "pulse": "72",
        "hb_g_l": "135",
    }
    later = timezone.localdate() + dt.timedelta(days=90)

    def screen(registration: Any, answers: dict[str, str], **vitals: str) -> Any:
        p = actions.check_in(by=nurse, drive=drive, scan=str(registration.uuid)).presentation
        given = {q.code: "no" for q in questions_for(p)} | answers
        p = actions.record_answers(by=nurse, presentation=p, answers=given)
        return actions.record_vitals(by=nurse, presentation=p, **(healthy | vitals))

    tattoo = screen(registrations[0], {"tattoo": "yes"})
    low_hb = screen(registrations[1], {}, hb_g_l="95")
    fine = screen(registrations[2], {})
    for p in (tattoo, low_hb, fine):
        actions.physician_decide(
            by=physician, presentation=p, decision="defer", reason="Hẹn lại sau.", until=later
        )
    unknown = next(q.code for q in questions_for(fine) if q.code != "tattoo")
    reviewed = screen(registrations[3], {unknown: "unknown"})
    reviewed = actions.physician_decide(
        by=physician, presentation=reviewed, decision="accept", volume_ml=350, reason="OK"
    )
    din = f"Z9999{year:02d}000101"
    end = timezone.now() - dt.timedelta(minutes=1)
    donation = actions.collect(
        by=nurse,
        presentation=reviewed,
        din=f"={din}{type3_flag(din)}",
        bag_type="triple",
        volume_ml=350,
        started_at=end - dt.timedelta(minutes=8),
        ended_at=end,
    )
    return {"drive": drive, "din": donation.din}


def _pages(day: dict[str, Any]) -> dict[str, list[str]]:
    from django.urls import reverse

    from bloodline.collection.models import Donation
    from bloodline.inventory.models import Component
    from bloodline.programmes.models import Plan

    plan = Plan.objects.filter(number="276/KH-BCĐ").get()
    tested = Component.objects.order_by("pk").first()
    assert tested is not None
    sample = Donation.objects.filter(pk=tested.donation_id).get()
    return {
        "district_committee": [
            reverse("organisations:history", args=[plan.area.uuid]),
            reverse("programmes:history", args=[plan.uuid]),
        ],
        "establishment_admin": [
            reverse("drives:reconcile", args=[day["drive"].uuid]),
            reverse("trace:unit", args=[day["din"]]),
            reverse("trace:unit", args=[sample.din]),
        ],
        "lab_technician": [reverse("lab:sample", args=[sample.din])],
    }


def test_pages_read_in_words_in_vietnamese_and_chinese(
    live_server: Any, flushable_audit: None, browser_page: Any
) -> None:
    from bloodline.demo.blood_centre import seed_blood_centre
    from bloodline.demo.seed import seed

    seed(with_programmes=True)
    assert seed_blood_centre()
    day = _screening_day()
    base, page = live_server.url, browser_page
    problems: dict[str, list[str]] = {}
    for persona, paths in _pages(day).items():
        _sign_in(page, base, persona)
        for language in ("vi", "zh-hans"):
            page.goto(base + paths[0])
            _switch(page, language)
            for path in paths:
                answer = page.goto(base + path)
                assert answer is not None and answer.status == 200, (persona, path)
                text = page.inner_text("body")
                found = denied(text)
                if found:
                    problems[f"{language} {persona} {path}"] = in_context(text, found)
    assert problems == {}, "\n".join(f"{where}: {found}" for where, found in problems.items())


def test_the_deny_list_catches_what_it_should() -> None:
    assert denied("Lý do: deferral.tattoo, hb.low") == ["hb.low", "deferral."]
    assert denied("ABO: abo; nhóm O pos") == ["abo", "O pos"]
    assert denied("{'en': 'x'} 3f2b6c1e-0a4d-4f5e-9b7c-2d1e0f9a8b7c") == [
        "{'",
        "3f2b6c1e-0a4d-4f5e-9b7c-2d1e0f9a8b7c",
    ]
    assert denied("Bác sĩ quyết định; Tủ lạnh 1") == []
