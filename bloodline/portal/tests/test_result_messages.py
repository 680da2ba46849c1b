# ruff: noqa: F811  (pytest fixtures are imported by name)
""" "Your test results are ready" (issue 13 §6, decision 0059): sent once per donation when
its panel is complete, only by establishments that show donors their results, never for a
reactive result (a physician tells the donor in person)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.lab import imports
from bloodline.notifications.models import Event, Message
from bloodline.notifications.tests.conftest import consenting, make_donor, nurse  # noqa: F401
from bloodline.portal import result_messages
from bloodline.portal.account_models import ResultRelease

pytestmark = pytest.mark.django_db


def _tested(centre: Any, donor: Any, rows: Any = None) -> Any:
    donation = centre.donation(donor=donor)
    content = factories.to_csv(
        rows(donation) if rows else factories.passing_rows(donation, "O", "pos")
    )
    batch = imports.import_results(
        by=centre.lab, establishment=centre.centre, file_name="run.csv", content=content
    )
    assert batch.rows_refused == 0, batch.refused
    return donation


def _run(monkeypatch: Any) -> dict[str, Any]:
    later = timezone.now() + dt.timedelta(minutes=2)  # past the settling minute
    monkeypatch.setattr(timezone, "now", lambda: later)
    return result_messages.run()


def test_a_complete_panel_tells_the_donor_once(
    centre: Any, consenting: Any, monkeypatch: Any
) -> None:
    ResultRelease.objects.create(establishment=centre.centre, to_donors=True)
    donor = consenting("contact_sms", full_name="Đỗ Kết Quả")
    donation = _tested(centre, donor)
    assert _run(monkeypatch)["queued"] == 1
    (message,) = Message.objects.filter(event=Event.RESULT_READY)
    assert message.donor == donor and message.key == f"result_ready:{donation.uuid}"
    assert "Đỗ Kết Quả" in message.body and message.language == "vi"
    assert (
        result_messages.tell(list(type(donation.sample).objects.filter(pk=donation.sample.pk))) == 0
    )  # the same donation again: nothing twice


def test_nothing_is_sent_where_results_are_not_shown_to_donors(
    centre: Any, consenting: Any, monkeypatch: Any
) -> None:
    _tested(centre, consenting("contact_sms"))
    assert _run(monkeypatch)["queued"] == 0
    assert not Message.objects.filter(event=Event.RESULT_READY).exists()


def test_a_reactive_result_is_never_announced_by_message(
    centre: Any, consenting: Any, monkeypatch: Any
) -> None:
    ResultRelease.objects.create(establishment=centre.centre, to_donors=True)

    def reactive(donation: Any) -> Any:
        rows = factories.passing_rows(donation, "O", "pos")
        marker = next(r for r in rows if r["test"] not in ("abo", "rhd"))
        marker["result"] = "reactive" if marker["result"] == "non_reactive" else "positive"
        return rows

    _tested(centre, consenting("contact_sms"), rows=reactive)
    assert _run(monkeypatch)["queued"] == 0
    assert not Message.objects.filter(event=Event.RESULT_READY).exists()
