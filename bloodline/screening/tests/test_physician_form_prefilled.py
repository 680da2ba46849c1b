"""The physician does not type again what the engine already computed: when it deferred the
donor, the form arrives set to defer, until the latest date among the deferring reasons (or
permanently)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bloodline.screening.forms import engine_deferral
from bloodline.screening.models import Presentation
from bloodline.screening.tests.helpers import confirm_vn_limits

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(rules_in_force: Any) -> None:
    rules_in_force(("vn-tt26-2013.toml", confirm_vn_limits))


def _physician_form(client: Any, presentation: Presentation) -> Any:
    url = reverse("stations:station", args=[presentation.drive.uuid, "physician"])
    page = client.get(url + f"?p={presentation.uuid}")
    assert page.status_code == 200
    return page


def test_a_donor_too_young_is_deferred_until_the_date_the_engine_computed(
    at_physician: Any, english: Any, confirmed: None
) -> None:
    today = timezone.localdate()
    born = dt.date(today.year - 17, today.month, 1)
    presentation = at_physician({"date_of_birth": born})
    dated = [r["until"] for r in presentation.engine_reasons if r["until"]]
    assert presentation.engine_outcome == "deferred_temporary" and dated
    page = _physician_form(english("physician"), presentation)
    form = page.context["form"]
    assert form["until"].value() == dt.date.fromisoformat(max(dated))
    assert form["decision"].value() == "defer"
    html = page.content.decode()
    assert f'value="{max(dated)}"' in html


def test_it_takes_the_latest_of_several_dated_reasons() -> None:
    reasons = [
        {
            "code": "interval.whole_blood_after_whole_blood",
            "severity": "temporary",
            "until": "2026-03-01",
        },
        {"code": "age.under_min", "severity": "temporary", "until": "2026-07-14"},
        {"code": "hb.review", "severity": "review", "until": "2027-01-01"},
    ]
    assert engine_deferral("deferred_temporary", reasons) == {
        "decision": "defer",
        "until": dt.date(2026, 7, 14),
    }


def test_a_permanent_deferral_arrives_ticked_permanent() -> None:
    reasons = [{"code": "deferral.hiv", "severity": "permanent", "until": None}]
    assert engine_deferral("deferred_permanent", reasons) == {
        "decision": "defer",
        "permanent": True,
    }


def test_an_eligible_donor_arrives_with_nothing_chosen(
    at_physician: Any, english: Any, confirmed: None
) -> None:
    presentation = at_physician()
    assert engine_deferral(presentation.engine_outcome, presentation.engine_reasons) == {}
    form = _physician_form(english("physician"), presentation).context["form"]
    assert form["until"].value() is None
