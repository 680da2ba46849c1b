"""A small bounded-load HTTP client on asyncio (decision 0040: why not locust).

Each request opens a connection, sends one HTTP/1.1 request with ``Connection: close`` (what
gunicorn's sync workers do anyway) and reads the answer to the end. At most ``concurrency``
requests are in flight; the figures are the successful answers per second and the latency
percentiles of those answers, with every other status counted apart.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

# Latency goals are read at a load the server carries (decision 0049): requests sent on a
# fixed schedule at this share of the most it answered. At saturation a p95 is the queue the
# client builds (in flight × service time), not the time one request takes.
LATENCY_LOAD = 0.5


@dataclass
class Outcome:
    requests: int = 0
    ok: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the successful answers' latencies (ms)."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1]

    def summary(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "ok": self.ok,
            "errors": self.requests - self.ok,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "max_ms": round(max(self.latencies_ms, default=0.0), 2),
        }


def request(
    method: str,
    path: str,
    cookie: str = "",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> bytes:
    """The raw bytes of one request to 127.0.0.1."""
    head = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "Connection: close",
        "Accept: application/json",
        f"Content-Length: {len(body)}",
    ]
    if cookie:
        head.append(f"Cookie: {cookie}")
    if body:
        head.append("Content-Type: application/json")
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _exchange(port: int, raw: bytes) -> bytes:
    """Send one request on a fresh connection and read the whole answer (Connection: close)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        await writer.drain()
        return await reader.read()
    finally:
        writer.close()


async def _send(port: int, raw: bytes) -> tuple[int, float]:
    start = time.perf_counter()
    answer = await _exchange(port, raw)
    elapsed = time.perf_counter() - start
    try:
        status = int(answer[9:12])
    except ValueError:
        status = 0
    return status, elapsed


async def _count(port: int, raw: bytes, outcome: Outcome) -> None:
    """Send one request and count its answer: its status, and its latency when it succeeded
    (a connection that failed counts as status 0)."""
    try:
        status, elapsed = await _send(port, raw)
    except OSError:
        status, elapsed = 0, 0.0
    outcome.statuses[status] += 1
    if 200 <= status < 300:
        outcome.ok += 1
        outcome.latencies_ms.append(elapsed * 1000)


async def _drive(port: int, requests: Sequence[bytes], concurrency: int) -> Outcome:
    outcome = Outcome(requests=len(requests))
    queue = iter(requests)

    async def worker() -> None:
        for raw in queue:
            await _count(port, raw, outcome)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    outcome.seconds = time.perf_counter() - start
    return outcome


async def answer(port: int, raw: bytes) -> tuple[int, bytes, float]:
    """One request inside a running event loop: its status, body and seconds taken."""
    start = time.perf_counter()
    whole = await _exchange(port, raw)
    elapsed = time.perf_counter() - start
    head, _, body = whole.partition(b"\r\n\r\n")
    return int(head[9:12] or 0), body, elapsed


def fetch(port: int, raw: bytes) -> tuple[int, bytes]:
    """One request; its status and body."""
    status, body, _seconds = asyncio.run(answer(port, raw))
    return status, body


def load(port: int, requests: Sequence[bytes], concurrency: int) -> Outcome:
    """Send ``requests`` with at most ``concurrency`` in flight; wait for every answer."""
    return asyncio.run(_drive(port, requests, concurrency))


async def _paced(port: int, requests: Sequence[bytes], rate: float) -> Outcome:
    """Open loop: request ``i`` leaves at ``i / rate`` seconds whatever the answers before it
    (arrivals do not wait for the server, as people at a desk do not), and its latency counts
    from then."""
    outcome = Outcome(requests=len(requests))
    start = time.perf_counter()

    async def one(i: int, raw: bytes) -> None:
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await _count(port, raw, outcome)

    await asyncio.gather(*(one(i, raw) for i, raw in enumerate(requests)))
    outcome.seconds = time.perf_counter() - start
    return outcome


def paced(port: int, requests: Sequence[bytes], rate: float) -> Outcome:
    """Send ``requests`` at a fixed ``rate`` per second (open loop) and wait for every answer:
    latency at a given load, where ``load`` measures the most the server answers."""
    if rate <= 0:
        raise ValueError("rate must be positive")
    return asyncio.run(_paced(port, requests, rate))
