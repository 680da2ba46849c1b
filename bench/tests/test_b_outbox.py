"""The outbox benchmark runs and every message is delivered exactly once."""

from __future__ import annotations

import pytest

from bench import b_outbox

pytestmark = pytest.mark.django_db


def test_the_outbox_benchmark_delivers_each_message_once() -> None:
    figures = b_outbox.measure(count=200)
    assert figures["delivered_once"] is True
    assert figures["requests"] == 200 + figures["failures_injected"]
    assert figures["send_per_s"] > 0
    print(figures)  # the figures, read with -s


def test_the_run_clock_is_outside_quiet_hours_whenever_it_starts() -> None:
    import datetime as dt

    late_evening_hanoi = dt.datetime(2026, 12, 7, 15, 35, tzinfo=dt.UTC)  # 22:35 in Hanoi
    clock = b_outbox.daytime_after(late_evening_hanoi, "Asia/Ho_Chi_Minh")
    assert clock == dt.datetime(2026, 12, 8, 5, 0, tzinfo=dt.UTC)
    morning_hanoi = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)  # 08:00 in Hanoi
    assert b_outbox.daytime_after(morning_hanoi, "Asia/Ho_Chi_Minh") == dt.datetime(
        2026, 12, 7, 5, 0, tzinfo=dt.UTC
    )
