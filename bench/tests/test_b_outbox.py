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
