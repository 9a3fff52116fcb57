"""Rate-based rules: request counts per aggregation key over a sliding window.

    RateRule        a compiled RateBasedStatement: Limit, EvaluationWindowSec (60|120|300|600, default 300),
                    AggregateKeyType IP | FORWARDED_IP | CONSTANT | CUSTOM_KEYS, optional ScopeDownStatement
    RateLimiter     the counts, per (web ACL ARN, rule, key); thread-safe; kept by the engine

Behaviour (aws-facts WAFv2; botocore wafv2 docs): only requests that match the scope-down statement are counted;
the rule matches while more than ``Limit`` requests with the same key arrived within the window (the request being
evaluated included, and requests the rule itself blocks count too). FORWARDED_IP takes the first address of the
configured header; without the header the rule does not apply to the request, with an invalid address its
``FallbackBehavior`` decides. CUSTOM_KEYS: a request lacking any key component is not counted.
One deliberate difference: AWS re-checks rates about every 10 seconds, so it starts (and stops) acting up to ~10 s
late; here the count is exact at every request, so a lab sees the limit take effect at once.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from .context import Evaluation
from .request import INVALID
from .statements import Statement, compile_statement
from .transforms import apply, chain, url_decode

DEFAULT_WINDOW = 300
WINDOWS = (60, 120, 300, 600)
_MATCH = object()  # the key could not be read and FallbackBehavior says MATCH


class RateLimiter:
    """Keeps at most Limit+1 timestamps per key: the count exceeds Limit exactly when the (Limit+1)-th latest
    request is still inside the window, so memory stays bounded however fast a client sends."""

    MAX_KEYS = 50_000

    def __init__(self) -> None:
        self._seen: dict[tuple[Any, ...], deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: tuple[Any, ...], now: float, window: int, limit: int) -> bool:
        """Count a request at ``now``; True when the key is over the limit within the window."""
        with self._lock:
            times = self._seen.get(key)
            if times is None or times.maxlen != limit + 1:
                times = self._seen[key] = deque(times or (), maxlen=limit + 1)
                if len(self._seen) > self.MAX_KEYS:
                    self._forget_older_than(now - max(WINDOWS))
            times.append(now)
            return len(times) > limit and times[0] > now - window

    def count(self, key: tuple[Any, ...], now: float, window: int) -> int:
        """Requests seen for ``key`` within the window (capped at Limit+1)."""
        with self._lock:
            return sum(1 for t in self._seen.get(key, ()) if t > now - window)

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()

    def _forget_older_than(self, cutoff: float) -> None:
        for key in [k for k, times in self._seen.items() if not times or times[-1] <= cutoff]:
            del self._seen[key]


class RateRule:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.limit = int(spec["Limit"])
        self.window = int(spec.get("EvaluationWindowSec") or DEFAULT_WINDOW)
        if self.window not in WINDOWS:
            raise ValueError(f"EvaluationWindowSec must be one of {WINDOWS}, got {self.window}")
        self.aggregate = spec.get("AggregateKeyType", "IP")
        self.forwarded = spec.get("ForwardedIPConfig") or {}
        if self.aggregate == "FORWARDED_IP" and not self.forwarded:
            raise ValueError("AggregateKeyType FORWARDED_IP needs a ForwardedIPConfig")
        self.custom = [_compile_key(key) for key in spec.get("CustomKeys") or ()]
        scope = spec.get("ScopeDownStatement")
        self.scope_down: Statement | None = compile_statement(scope) if scope else None

    def key(self, ev: Evaluation) -> tuple[Any, ...] | None | object:
        """The aggregation key; None when the rule does not apply; _MATCH when a fallback says match."""
        if self.aggregate == "CONSTANT":
            return ()
        if self.aggregate == "IP":
            return (ev.request.client_ip,)
        if self.aggregate == "FORWARDED_IP":
            return self._forwarded(ev)
        parts: list[Any] = []
        for kind, options in self.custom:
            part = self._forwarded(ev) if kind == "ForwardedIP" else _key_part(kind, options, ev)
            if part is None or part is _MATCH:
                return part
            parts.append(part)
        return tuple(parts)

    def _forwarded(self, ev: Evaluation) -> tuple[str] | None | object:
        address = ev.request.forwarded_ip(self.forwarded["HeaderName"], "FIRST")
        if address is None:
            return None
        if address == INVALID:
            return _MATCH if self.forwarded.get("FallbackBehavior") == "MATCH" else None
        return (address,)

    def matches(self, ev: Evaluation, limiter: RateLimiter, scope: tuple[str, ...]) -> bool:
        if self.scope_down is not None and not self.scope_down.match(ev):
            return False
        key = self.key(ev)
        if key is None:
            return False
        if key is _MATCH:
            return True
        return limiter.hit((*scope, self.aggregate, key), ev.now, self.window, self.limit)


def _compile_key(spec: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ((kind, options),) = spec.items()
    options = dict(options or {})
    options["transforms"] = chain(options.get("TextTransformations"))
    return kind, options


def _key_part(kind: str, options: dict[str, Any], ev: Evaluation) -> str | None:
    request = ev.request
    if kind == "IP":
        value: str | None = request.client_ip
    elif kind == "HTTPMethod":
        value = request.method
    elif kind == "Header":
        value = request.header(options["Name"])
    elif kind == "Cookie":
        value = next((v for n, v in request.cookies if n == options["Name"]), None)
    elif kind == "QueryArgument":
        wanted = options["Name"].lower()
        value = next((v for n, v in request.query_args if url_decode(n).lower() == wanted), None)
    elif kind == "QueryString":
        value = request.query or None
    elif kind == "UriPath":
        value = request.path
    elif kind == "LabelNamespace":
        namespace = options["Namespace"]
        names = sorted(label[len(namespace):] for label in ev.labels if label.startswith(namespace))
        value = ",".join(names) if names else None
    else:  # JA3/JA4 fingerprints and ASN are not known to the local edge
        value = None
    if value is None:
        return None
    return apply(value, options["transforms"])
