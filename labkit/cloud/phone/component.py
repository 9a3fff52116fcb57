"""PhoneComponent: the outbox of the texts SNS sends from the local cloud.

    receive(account=…, region=…, to=…, text=…, origin=…, message_id=…, failure=…)   keep one text
    /_lab/sms                     the page (page.py), ?account=… one account's texts
    /_lab/sms/api/messages        JSON, newest first: ?to= (a number), ?since= (epoch seconds), ?account=; DELETE

Each text belongs to the account that sent it: one cloud serves a class, and ``?account=`` keeps a learner to
their own texts. The outbox is kept in the snapshot, like the mailbox.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from ..core.component import Component
from . import page

MAX_TEXTS = 1000  # oldest dropped first
_ACCOUNT = re.compile(r"\d{12}")
_CODE = re.compile(r"\b(\d{5,8})\b")


@dataclass
class Text:
    id: str
    sent_at: float
    account: str
    region: str
    to: str
    text: str
    origin: str  # "Publish", a topic's ARN, or the operation that sent it (CreateSMSSandboxPhoneNumber)
    message_id: str
    delivered: bool
    reason: str = ""  # why it was not delivered

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        data["sent_at_iso"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.sent_at))
        found = _CODE.search(self.text) if "code" in self.text.lower() else None
        data["code"] = found.group(1) if found else None
        return data


class PhoneComponent(Component):
    name = "phone"

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self._lock = threading.Lock()
        self.texts: list[Text] = []

    def receive(self, *, account: str, region: str, to: str, text: str, origin: str, message_id: str,
                failure: str | None) -> Text:
        kept = Text(uuid.uuid4().hex[:12], time.time(), account, region, to, text, origin, message_id,
                    failure is None, failure or "")
        with self._lock:
            self.texts.append(kept)
            del self.texts[:-MAX_TEXTS]
        self.cloud.mark_changed()
        return kept

    def find(self, to: str | None = None, since: float = 0.0, account: str | None = None) -> list[Text]:
        with self._lock:
            return [t for t in self.texts if t.sent_at >= since and (account is None or t.account == account)
                    and (to is None or t.to == to)]

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "texts": len(self.texts)}

    def snapshot(self) -> Any:
        with self._lock:
            return [asdict(t) for t in self.texts]

    def restore(self, state: Any) -> None:
        for saved in state or []:
            try:
                self.texts.append(Text(**saved))
            except TypeError:  # saved by another version of the kit
                continue

    def routes(self) -> dict[str, Any]:
        return {"sms": self._viewer}

    def _viewer(self, request: Request) -> Response:
        rest = request.path[len("/_lab/sms"):].strip("/")
        account = request.args.get("account", "").strip() or None
        if account is not None and not _ACCOUNT.fullmatch(account):
            return _json({"message": f"account must be a 12-digit account id, not {account!r}"}, 400)
        if rest == "api/messages":
            if request.method == "DELETE":
                with self._lock:
                    before = len(self.texts)
                    self.texts[:] = [t for t in self.texts if account is not None and t.account != account]
                    deleted = before - len(self.texts)
                self.cloud.mark_changed()
                return _json({"deleted": deleted})
            try:
                since = float(request.args.get("since", 0) or 0)
            except ValueError:
                since = math.nan
            if not math.isfinite(since):
                return _json({"message": f"since must be a number of seconds since the epoch (like sent_at), not "
                                         f"{request.args['since']!r}"}, 400)
            found = self.find(request.args.get("to") or None, since, account)
            return _json({"messages": [t.summary() for t in reversed(found)]})
        if rest:
            return _json({"message": f"no such page: /_lab/sms/{rest}; the texts are at /_lab/sms"}, 404)
        texts = [t.summary() for t in reversed(self.find(account=account))]
        return Response(page.listing(texts, account), mimetype="text/html", headers={"Cache-Control": "no-store"})


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, indent=2), status, mimetype="application/json")
