"""Channel backends behind one interface: ``send(message) -> provider id``, raising
``Transient`` (try again later) or ``Permanent`` (give up). Every call carries the message's
idempotency key, so a gateway that received an attempt whose answer was lost does not
deliver the retry (decision 0053 describes the gateway shapes assumed).

URLs and keys are settings (``NOTIFY_GATEWAYS``), never code. Errors carry a short code, not
the gateway's text, which may quote the address."""

from __future__ import annotations

import http.client
import json
import smtplib
import threading
import urllib.parse
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from bloodline.notifications.models import Channel, Message


class SendError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code[:40]


class Transient(SendError):
    """The gateway did not take the message now (timeout, 5xx, busy); try again."""


class Permanent(SendError):
    """The gateway refused the message (bad address, rejected); retrying will not help."""


class Backend(Protocol):
    def send(self, message: Message) -> str: ...


class EmailBackend:
    """Mail through Django's configured email backend (SMTP in production). The Message-ID
    is made from the idempotency key, so the same message sent twice is one message to the
    receiving servers that de-duplicate by it."""

    def send(self, message: Message) -> str:
        message_id = f"<{message.key}@{settings.NOTIFY_MESSAGE_ID_DOMAIN}>"
        mail = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            headers={"Message-ID": message_id, "X-Idempotency-Key": message.key},
        )
        try:
            connection = get_connection(timeout=settings.NOTIFY_TIMEOUT_SECONDS)
            mail.connection = connection
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise Permanent("smtp_recipient_refused") from exc
        except smtplib.SMTPResponseException as exc:
            code = f"smtp_{exc.smtp_code}"
            raise (Permanent(code) if 500 <= exc.smtp_code < 600 else Transient(code)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise Transient("smtp_unreachable") from exc
        return message_id


class HttpGateway:
    """A JSON-over-HTTPS gateway: ``url`` and ``token`` from NOTIFY_GATEWAYS[channel]."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def config(self) -> dict[str, str]:
        conf = settings.NOTIFY_GATEWAYS.get(self.channel) or {}
        if not conf.get("url"):
            raise Permanent("gateway_not_configured")
        return conf

    def body(self, message: Message, conf: dict[str, str]) -> dict[str, Any]:
        raise NotImplementedError

    def provider_id(self, answer: dict[str, Any]) -> str:
        raise NotImplementedError

    def send(self, message: Message) -> str:
        conf = self.config()
        url = urllib.parse.urlsplit(conf["url"])
        body = json.dumps(self.body(message, conf)).encode()
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {conf.get('token', '')}",
            "Idempotency-Key": message.key,
        }
        path = url.path + (f"?{url.query}" if url.query else "")
        connection = _connection(url)
        try:
            connection.request("POST", path or "/", body=body, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            if response.will_close:
                _drop(url)
        except TimeoutError as exc:
            _drop(url)
            raise Transient("timeout") from exc
        except (OSError, http.client.HTTPException) as exc:
            _drop(url)
            raise Transient("unreachable") from exc
        if response.status >= 300:
            code = f"http_{response.status}"
            retry = response.status >= 500 or response.status in (408, 429)
            raise Transient(code) if retry else Permanent(code)
        try:
            answer = json.loads(raw or b"{}")
        except ValueError as exc:
            raise Transient("bad_answer") from exc
        return self.provider_id(answer)


# One kept-alive connection per gateway and thread: a new TCP (and TLS) handshake for every
# message would cost more than the message.
_connections = threading.local()


def _connection(url: urllib.parse.SplitResult) -> http.client.HTTPConnection:
    pool: dict[str, http.client.HTTPConnection] = _connections.__dict__.setdefault("pool", {})
    key = f"{url.scheme}://{url.netloc}"
    if key not in pool:
        kind = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        pool[key] = kind(url.netloc, timeout=settings.NOTIFY_TIMEOUT_SECONDS)
    return pool[key]


def _drop(url: urllib.parse.SplitResult) -> None:
    pool: dict[str, http.client.HTTPConnection] = _connections.__dict__.setdefault("pool", {})
    connection = pool.pop(f"{url.scheme}://{url.netloc}", None)
    if connection is not None:
        connection.close()


class SmsGateway(HttpGateway):
    """A generic SMS HTTP API: ``{"to", "text", "reference"}`` answered ``{"id": …}``."""

    def body(self, message: Message, conf: dict[str, str]) -> dict[str, Any]:
        return {
            "to": message.address,
            "text": message.body,
            "reference": message.key,
            "sender": conf.get("sender", ""),
        }

    def provider_id(self, answer: dict[str, Any]) -> str:
        if not answer.get("id"):
            raise Transient("bad_answer")
        return str(answer["id"])


class ZaloGateway(HttpGateway):
    """Zalo OA notification (ZNS) template message: phone, registered template id, its data,
    our key as ``tracking_id``; answered ``{"error": 0, "data": {"msg_id": …}}``."""

    def body(self, message: Message, conf: dict[str, str]) -> dict[str, Any]:
        return {
            "phone": message.address.lstrip("+"),
            "template_id": conf.get("template_id", ""),
            "template_data": {"content": message.body},
            "tracking_id": message.key,
        }

    def provider_id(self, answer: dict[str, Any]) -> str:
        error = int(answer.get("error") or 0)
        if error:
            # Negative codes below -100 are the request's fault at Zalo; others are theirs.
            raise Permanent(f"zalo_{error}") if error <= -100 else Transient(f"zalo_{error}")
        msg_id = (answer.get("data") or {}).get("msg_id")
        if not msg_id:
            raise Transient("bad_answer")
        return str(msg_id)


class WeChatGateway(HttpGateway):
    """WeChat official-account template message: openid, template id, data fields and
    ``client_msg_id`` (WeChat's own de-duplication id); answered ``{"errcode": 0, "msgid": …}``."""

    def body(self, message: Message, conf: dict[str, str]) -> dict[str, Any]:
        return {
            "touser": message.address,
            "template_id": conf.get("template_id", ""),
            "client_msg_id": message.key[:64],
            "data": {"thing1": {"value": message.subject}, "content": {"value": message.body}},
        }

    def provider_id(self, answer: dict[str, Any]) -> str:
        errcode = answer.get("errcode", 0)
        if errcode != 0:
            # -1 is "system busy"; 45009 is the daily quota: both pass.
            transient = errcode in (-1, 45009)
            raise Transient(f"wechat_{errcode}") if transient else Permanent(f"wechat_{errcode}")
        if not answer.get("msgid"):
            raise Transient("bad_answer")
        return str(answer["msgid"])


def backend_for(channel: str) -> Backend:
    if channel == Channel.EMAIL:
        return EmailBackend()
    gateway = {Channel.SMS: SmsGateway, Channel.ZALO: ZaloGateway, Channel.WECHAT: WeChatGateway}
    return gateway[Channel(channel)](channel)
