"""The check board's store: each learner's latest check results, as make check or a notebook published them.

    CheckBoard.publish(body)   validate a POSTed body and keep it as that learner's latest results: the layers it
                               has replace that learner's earlier results for them, other layers stay (a notebook's
                               last cell checks one layer); "replace": true, or results for another target,
                               drop the other layers too
    CheckBoard.document()      {"learners": {name: {"updated", "target", "account", "layers", "results"}},
                                "layers": [...]}; "account": the learner's local account (their mailbox), or null
    BadBody                    a body the board refuses; its message says which field and why (answered 400)

The sizes are capped so one runaway client cannot fill the cloud's memory or its snapshot: a body of MAX_BODY bytes,
MAX_RESULTS results, MAX_LEARNERS learners (the one updated longest ago leaves first), long texts cut at MAX_TEXT.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from ...architecture import LAYERS, STATUSES, layer_of, layers_from_results

MAX_BODY = 512 * 1024
MAX_RESULTS = 500
MAX_LEARNERS = 200
MAX_NAME = 64
MAX_TEXT = 2000
_CHECK_ID = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_.-]+)*")
_TEXTS = ("title", "hint", "observed", "doc")


class BadBody(ValueError):
    """The POSTed body is not one the board keeps: the message names the field."""


def _text(value: Any, where: str, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadBody(f"{where} must be a string, not {type(value).__name__}")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadBody(f"{where} must be a non-empty string")
    name = value.strip()
    if len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise BadBody(f"{where} must be at most {MAX_NAME} printable characters")
    return name


def _result(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise BadBody(f"{where} must be an object with check and status")
    check = item.get("check")
    if not isinstance(check, str) or len(check) > 100 or not _CHECK_ID.fullmatch(check):
        raise BadBody(f"{where}.check must be a check id such as \"s3.bucket\" (layer, a dot, a name)")
    if item.get("status") not in STATUSES:
        raise BadBody(f"{where}.status must be one of {', '.join(STATUSES)}, not {item.get('status')!r}"[:300])
    kept = {"check": check, "status": item["status"], **{k: _text(item.get(k), f"{where}.{k}") for k in _TEXTS}}
    if "counted" in item:
        if not isinstance(item["counted"], bool):
            raise BadBody(f"{where}.counted must be true or false")
        kept["counted"] = item["counted"]
    return kept


def validate(body: Any) -> tuple[str, str, str | None, list[dict[str, Any]]]:
    """(learner, target, account, results) from a parsed JSON body; BadBody saying what is wrong."""
    if isinstance(body, dict) and not isinstance(body.get("replace", False), bool):
        raise BadBody("replace must be true or false")
    if not isinstance(body, dict):
        raise BadBody('the body must be a JSON object: {"learner": …, "target": …, "results": [...]}')
    learner = _name(body.get("learner"), "learner")
    target = _text(body.get("target"), "target", 16)
    account = body.get("account")
    if account is not None and not (isinstance(account, str) and re.fullmatch(r"\d{12}", account)):
        raise BadBody(f"account must be a 12-digit account id or absent, not {account!r}"[:300])
    results = body.get("results")
    if not isinstance(results, list):
        raise BadBody("results must be a list of {check, status, hint, observed, title}")
    if len(results) > MAX_RESULTS:
        raise BadBody(f"results has {len(results)} entries; the board keeps at most {MAX_RESULTS}")
    return learner, target, account, [_result(item, f"results[{i}]") for i, item in enumerate(results)]


class CheckBoard:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.learners: dict[str, dict[str, Any]] = {}

    def publish(self, body: Any) -> str:
        """Keep a body's results as its learner's latest; returns the learner. BadBody for a body it refuses."""
        learner, target, account, results = validate(body)
        with self._lock:
            earlier = self.learners.get(learner)
            if earlier and not body.get("replace") and earlier["target"] == target:
                fresh = {layer_of(r["check"]) for r in results}
                results = [r for r in earlier["results"] if layer_of(r["check"]) not in fresh] + results
            order = {name: i for i, name in enumerate(LAYERS)}
            results.sort(key=lambda r: order.get(layer_of(r["check"]), len(order)))  # stable: checks keep their order
            entry = {"updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "updated_at": time.time(),
                     "target": target, "account": account, "results": results[:MAX_RESULTS]}
            self.learners[learner] = entry
            while len(self.learners) > MAX_LEARNERS:
                oldest = min(self.learners, key=lambda name: self.learners[name]["updated_at"])
                del self.learners[oldest]
        return learner

    def clear(self, learner: str | None = None) -> int:
        with self._lock:
            if learner is None:
                count = len(self.learners)
                self.learners.clear()
                return count
            return 1 if self.learners.pop(learner, None) is not None else 0

    def layers(self, learner: str) -> dict[str, dict[str, str]]:
        with self._lock:
            entry = self.learners.get(learner)
            return layers_from_results(entry["results"]) if entry else {}

    def latest(self) -> str | None:
        """The learner who published last (whose picture the home page shows unless asked for another)."""
        with self._lock:
            return max(self.learners, key=lambda name: self.learners[name]["updated_at"], default=None)

    def document(self) -> dict[str, Any]:
        with self._lock:
            entries = {name: dict(entry) for name, entry in sorted(self.learners.items())}
        learners = {name: {"updated": e["updated"], "target": e["target"], "account": e.get("account"),
                           "layers": layers_from_results(e["results"]), "results": e["results"]}
                    for name, e in entries.items()}
        return {"learners": learners, "layers": list(LAYERS)}

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {name: dict(entry) for name, entry in self.learners.items()}

    def restore(self, state: Any) -> None:
        with self._lock:
            self.learners = {name: dict(entry) for name, entry in (state or {}).items()}
