"""Request throttling: token buckets, as API Gateway throttles ("Throttle requests to your REST APIs": "API Gateway
throttles requests to your API using the token bucket algorithm, where a token counts for a request"; aws-facts,
API Gateway: rateLimit is the steady rate, burstLimit the bucket).

    TokenBucket(rate, burst)        starts full; take() spends a token if one is there
    Throttles                       buckets by key (stage and method, or usage plan and API key); a bucket is
                                    made again when its limits change
    method_limits(settings, path, method)   the (rate, burst) that applies to one method of a stage

A stage's methodSettings hold "*/*" (every method) and "<resource path>/<METHOD>" entries (the path without its
leading slash; UpdateStage patch paths write it with "/" escaped as "~1"). A method's own entry replaces the
stage default for that method. A burst of 0 refuses every request.
"""

from __future__ import annotations

import threading
import time
from typing import Any


class TokenBucket:
    __slots__ = ("rate", "burst", "tokens", "stamp")

    def __init__(self, rate: float, burst: int, now: float | None = None) -> None:
        self.rate, self.burst = max(float(rate), 0.0), max(int(burst), 0)
        self.tokens = float(self.burst)
        self.stamp = time.monotonic() if now is None else now

    def take(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Throttles:
    MAX_BUCKETS = 10_000

    def __init__(self) -> None:
        self._buckets: dict[Any, TokenBucket] = {}
        self._lock = threading.Lock()

    def take(self, key: Any, rate: float, burst: int, now: float | None = None) -> bool:
        """Spend a token of the bucket ``key`` (made, or made again, with these limits); False when empty."""
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None or bucket.rate != max(float(rate), 0.0) or bucket.burst != max(int(burst), 0):
                if len(self._buckets) >= self.MAX_BUCKETS:
                    self._buckets.clear()
                bucket = self._buckets[key] = TokenBucket(rate, burst, now)
            return bucket.take(now)


def _setting_key(key: str) -> str:
    key = key.replace("~1", "/")
    return key[1:] if key.startswith("/") else key


def method_limits(settings: dict[str, Any] | None, resource_path: str, method: str) -> tuple[float, int] | None:
    """(rateLimit, burstLimit) for ``method`` on ``resource_path`` ("/messages"), or None when the stage sets
    neither for it. moto fills a new methodSettings entry with its defaults (1000 / 2000)."""
    if not settings:
        return None
    wanted = f"{resource_path.lstrip('/')}/{method}"
    chosen = None
    for key, entry in settings.items():
        normal = _setting_key(key)
        if normal == wanted:
            chosen = entry
            break
        if normal == "*/*" and chosen is None:
            chosen = entry
    if not chosen or ("throttlingRateLimit" not in chosen and "throttlingBurstLimit" not in chosen):
        return None
    return float(chosen.get("throttlingRateLimit", 10_000.0)), int(chosen.get("throttlingBurstLimit", 5_000))
