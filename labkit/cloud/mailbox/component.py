"""The local cloud's mailbox: everything the local cloud e-mails (Cognito codes, SNS notifications) lands here.

    MailboxComponent   an SMTP server on 127.0.0.1:LAB_SMTP_PORT (aiosmtpd; our part is the handle_DATA handler)
                       and the viewer at /_lab/mail (HTML, page.py) and /_lab/mail/api/messages (JSON)
    Message            one received mail, parsed; its summary (the JSON) adds the verification code it carries
                       and whether a validator sent it to itself
    send_mail()        how the cloud's own senders deliver: a real SMTP conversation with the server above

Each mail belongs to the account whose pool or topic sent it (the X-Lab-Account header send_mail adds): one cloud
serves a class, and ``?account=`` (the API, the page, DELETE) keeps a learner to their own mail even when two
learners use the same address. Mail that names no account (sent straight to the SMTP port) is everyone's.

The messages are kept in the snapshot, so a confirmation mail survives a restart like everything else.
"""

from __future__ import annotations

import email
import email.errors
import email.header
import email.policy
import json
import math
import re
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from werkzeug.wrappers import Request, Response

from ...config import HOST
from ..core.component import Component
from ..core.listeners import bind_socket
from ..core.mail import ACCOUNT_HEADER
from . import page

MAX_MESSAGES = 1000  # oldest dropped first: a mailbox for a workshop, not an archive
# A code as labkit.mailbox.code_in reads it, in a mail that speaks of one (Cognito's default "Your verification
# code is {####}", or a pool's own template): other mails' numbers are not codes.
_CODE = re.compile(r"\b(\d{6})\b")
_SPEAKS_OF_CODE = re.compile(r"code|verif", re.IGNORECASE)
# The validators' throw-away addresses (validators/cognito.py, api.py, dynamodb.py: validator-<hex>@example.com).
_VALIDATOR = re.compile(r"validator-[0-9a-f]+@example\.com", re.IGNORECASE)
_ACCOUNT = re.compile(r"\d{12}")


@dataclass
class Message:
    id: str
    received_at: float
    mail_from: str
    to: list[str]
    subject: str
    text: str
    headers: dict[str, str] = field(default_factory=dict)
    account: str = ""  # the sender's account; "" for mail that names none (and for snapshots older than this)

    def belongs_to(self, account: str | None) -> bool:
        return account is None or not self.account or self.account == account

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        data["received_at_iso"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.received_at))
        found = _CODE.search(self.text) if _SPEAKS_OF_CODE.search(f"{self.subject}\n{self.text}") else None
        data["code"] = found.group(1) if found else None
        data["validator"] = bool(self.to) and all(_VALIDATOR.fullmatch(r) for r in self.to)
        return data


def parse(raw: bytes, mail_from: str, rcpt_tos: list[str]) -> Message:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    body = parsed.get_body(preferencelist=("plain", "html"))
    return Message(
        id=uuid.uuid4().hex[:12],
        received_at=time.time(),
        mail_from=mail_from,
        to=list(rcpt_tos),
        subject=str(parsed.get("Subject", "")),
        text=_text(body) if body is not None else "",
        headers={k: _header_text(v) for k, v in parsed.raw_items()},
        account=str(parsed.get(ACCOUNT_HEADER, "")).strip(),
    )


def _header_text(raw: str) -> str:
    """A header's value, unfolded and with its encoded words decoded: what the default policy's parsed headers
    give, for a fraction of their cost (the header registry parses each header's structure, which is not needed
    here and was most of a mail's CPU)."""
    try:
        return str(email.header.make_header(email.header.decode_header(raw.replace("\r\n", "").replace("\n", ""))))
    except (LookupError, ValueError, email.errors.HeaderParseError):
        return raw


def _text(part: Any) -> str:
    try:
        return part.get_content()
    except LookupError:
        # A charset Python does not know (e.g. "x-unknown"): keep the mail, readable wherever it is ASCII or UTF-8,
        # rather than refuse it and lose, say, a confirmation code.
        return (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")


class Store:
    """Received messages, newest last; thread-safe (SMTP thread writes, HTTP threads read)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.messages: list[Message] = []
        self.arrived = threading.Condition(self._lock)

    def add(self, message: Message) -> None:
        with self._lock:
            self.messages.append(message)
            del self.messages[:-MAX_MESSAGES]
            self.arrived.notify_all()

    def find(self, to: str | None = None, since: float = 0.0, account: str | None = None) -> list[Message]:
        with self._lock:
            return [m for m in self.messages
                    if m.received_at >= since and m.belongs_to(account)
                    and (to is None or to.lower() in (r.lower() for r in m.to))]

    def accounts(self) -> list[str]:
        with self._lock:
            return sorted({m.account for m in self.messages if m.account})

    def get(self, message_id: str) -> Message | None:
        with self._lock:
            return next((m for m in self.messages if m.id == message_id), None)

    def clear(self, account: str | None = None) -> int:
        """Delete every message, or only ``account``'s own (mail that names no account stays)."""
        with self._lock:
            kept = [m for m in self.messages if account is not None and m.account != account]
            count = len(self.messages) - len(kept)
            self.messages[:] = kept
            return count


class _Handler:
    """aiosmtpd calls handle_DATA once per accepted mail."""

    def __init__(self, store: Store, on_change: Any) -> None:
        self.store, self.on_change = store, on_change

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.store.add(parse(envelope.original_content or envelope.content, envelope.mail_from, envelope.rcpt_tos))
        self.on_change()
        return "250 Message accepted for delivery"


class _BoundController(Controller):
    """aiosmtpd's threaded controller, serving a socket bound beforehand (so a taken port fails our way)."""

    def __init__(self, handler: Any, sock: Any) -> None:
        self._sock = sock
        super().__init__(handler, hostname=HOST, port=sock.getsockname()[1], ready_timeout=10)

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


class MailboxComponent(Component):
    name = "mailbox"
    port_settings = ("smtp",)

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self.store = Store()
        self._controller: _BoundController | None = None

    def bind(self) -> None:
        sock = bind_socket("smtp", self.cloud.cfg.ports["smtp"])
        self.ports["smtp"] = sock.getsockname()[1]
        self._controller = _BoundController(_Handler(self.store, self.cloud.mark_changed), sock)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()

    def endpoints(self) -> dict[str, str]:
        return {"mailbox": f"{self.cloud.cfg.gateway_url}/_lab/mail", "smtp": f"{HOST}:{self.ports.get('smtp')}"}

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "port": self.ports.get("smtp"), "messages": len(self.store.messages)}

    def snapshot(self) -> Any:
        return [asdict(m) for m in self.store.messages]

    def restore(self, state: Any) -> None:
        for saved in state or []:
            self.store.messages.append(Message(**saved))

    # -- the viewer ----------------------------------------------------------------------------------------------
    def routes(self) -> dict[str, Any]:
        return {"mail": self._viewer}

    def _viewer(self, request: Request) -> Response:
        rest = request.path[len("/_lab/mail"):].strip("/")
        account = request.args.get("account", "").strip() or None
        if account is not None and not _ACCOUNT.fullmatch(account):
            return _json({"message": f"account must be a 12-digit account id, not {account!r}"}, 400)
        if rest == "api/messages":
            if request.method == "DELETE":
                deleted = self.store.clear(account)
                self.cloud.mark_changed()  # else a restart would bring the mail back from the last snapshot
                return _json({"deleted": deleted})
            try:
                since = float(request.args.get("since", 0) or 0)
            except ValueError:
                since = math.nan
            if not math.isfinite(since):
                return _json({"message": f"since must be a number of seconds since the epoch (like received_at), "
                                         f"not {request.args['since']!r}"}, 400)
            found = self.store.find(request.args.get("to"), since, account)
            return _json({"messages": [m.summary() for m in reversed(found)]})
        if rest.startswith("api/messages/"):
            message = self.store.get(rest.rsplit("/", 1)[1])
            return _json(message.summary()) if message else _json({"message": "no such message"}, 404)
        if rest:
            message = self.store.get(rest)
            if message is None:
                return Response("no such message", 404)
            return Response(page.message_page(message.summary()), mimetype="text/html")
        newest_first = [m.summary() for m in reversed(self.store.find(account=account))]
        return Response(page.listing(newest_first, request.args.get("to", ""), bool(request.args.get("validator")),
                                     account=account, accounts=self.store.accounts()),
                        mimetype="text/html", headers={"Cache-Control": "no-store"})


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, indent=2), status, mimetype="application/json")
