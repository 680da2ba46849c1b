"""Local fake gateways speaking the real protocols, on 127.0.0.1: an SMTP server (aiosmtpd)
and a small HTTP gateway that can fail or hang on demand and remembers idempotency keys, so a
retry of a message it already delivered is answered without delivering it again."""

from __future__ import annotations

import email
import itertools
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Gateway:
    """What the fake was sent, and how it should misbehave next."""

    fail_next: int = 0  # answer 500 to this many requests
    hang_next: int = 0  # accept, deliver, then answer too late for this many
    refuse_next: int = 0  # answer 400 (a permanent refusal) to this many
    hang_seconds: float = 2.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)  # idempotency key -> provider id
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: Any = field(default_factory=lambda: itertools.count(1))

    def answer(self, path: str, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append({"path": path, "key": key, "body": body})
            if self.fail_next:
                self.fail_next -= 1
                return 500, {"error": "unavailable"}
            if self.refuse_next:
                self.refuse_next -= 1
                return 400, {"error": "invalid recipient"}
            hang = self.hang_next > 0
            self.hang_next -= 1 if hang else 0
            if key not in self.ids:  # a key seen before is not delivered again
                self.ids[key] = f"gw-{next(self.counter)}"
                self.delivered.append({"path": path, "key": key, "body": body})
            provider_id = self.ids[key]
        if hang:
            time.sleep(self.hang_seconds)
        return 200, _shape(path, provider_id)


def _shape(path: str, provider_id: str) -> dict[str, Any]:
    if path.startswith("/zalo"):
        return {"error": 0, "message": "Success", "data": {"msg_id": provider_id}}
    if path.startswith("/wechat"):
        return {"errcode": 0, "errmsg": "ok", "msgid": provider_id}
    return {"id": provider_id, "status": "accepted"}


def serve_gateway() -> tuple[ThreadingHTTPServer, Gateway]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keeps connections alive, as real gateways do
        disable_nagle_algorithm = True  # headers and body go out in two writes

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            key = self.headers.get("Idempotency-Key") or body.get("client_msg_id", "")
            status, answer = state.answer(self.path, key, body)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up waiting (a timeout test)
                pass

        def log_message(self, *args: Any) -> None:  # quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, state


class Mailbox:
    """An aiosmtpd handler keeping every message; ``delivered`` counts each Message-ID once,
    as a receiving server that de-duplicates by it would."""

    def __init__(self) -> None:
        self.received: list[email.message.Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    @property
    def delivered(self) -> list[email.message.Message]:
        seen: dict[str, email.message.Message] = {}
        for mail in self.received:
            seen.setdefault(mail["Message-ID"], mail)
        return list(seen.values())


def serve_smtp() -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    # aiosmtpd connects to its own port to start, so it needs a real one, not 0.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, mailbox
