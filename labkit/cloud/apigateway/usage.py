"""API keys and usage plans: who may call a method that requires a key, how fast and how often.

    UsagePlans.check(plans, api_id, stage, key, resource_path, method) -> (failure or None, key id)
        failure: INVALID_API_KEY (403 Forbidden), THROTTLED (429 Too Many Requests) or QUOTA_EXCEEDED (429 Limit
        Exceeded), the gateway response types (responses.py)
    quota_window(period, now)      the start of the current DAY / WEEK / MONTH (UTC)

AWS ("Usage plans and API keys for REST APIs"): a method with apiKeyRequired needs the x-api-key header (API key
source HEADER) to carry an enabled key that belongs to a usage plan associated with the API's stage; the plan's
throttle (and per-method throttles of its apiStages) apply per key, and its quota counts requests per key per
period. Quota counts live in memory and in the snapshot; the plan's ``offset`` is not applied.
"""

from __future__ import annotations

import datetime
import threading
from typing import Any

from .throttling import Throttles


def quota_window(period: str, now: datetime.datetime | None = None) -> str:
    now = now or datetime.datetime.now(datetime.timezone.utc)
    day = now.date()
    if period == "WEEK":
        day = day - datetime.timedelta(days=day.weekday())
    elif period == "MONTH":
        day = day.replace(day=1)
    return day.isoformat()


class UsagePlans:
    def __init__(self) -> None:
        self.throttles = Throttles()
        self._counts: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()

    def check(self, plans: list[dict[str, Any]], api_id: str, stage: str, key: str | None, resource_path: str,
              method: str) -> tuple[str | None, str | None]:
        if not key:
            return "INVALID_API_KEY", None
        for plan in plans:
            stages = [s for s in plan.get("apiStages") or [] if s.get("apiId") == api_id and s.get("stage") == stage]
            if not stages:
                continue
            found = next((k for k in plan.get("keys") or [] if k.get("value") == key and k.get("enabled")), None)
            if found is None:
                continue
            failure = self._limit(plan, stages[0], found["id"], resource_path, method)
            return failure, found["id"]
        return "INVALID_API_KEY", None

    def _limit(self, plan: dict[str, Any], stage: dict[str, Any], key_id: str, resource_path: str,
               method: str) -> str | None:
        method_key = f"{resource_path}/{method}"
        per_method = (stage.get("throttle") or {}).get(method_key)
        throttle = per_method or plan.get("throttle") or {}
        if throttle and ("rateLimit" in throttle or "burstLimit" in throttle):
            bucket = (plan["id"], key_id, method_key if per_method else "*")
            if not self.throttles.take(bucket, float(throttle.get("rateLimit", 10_000)),
                                       int(throttle.get("burstLimit", 5_000))):
                return "THROTTLED"
        quota = plan.get("quota") or {}
        if quota.get("limit") is not None:
            window = (plan["id"], key_id, f"{quota.get('period', 'DAY')}:{quota_window(str(quota.get('period')))}")
            with self._lock:
                used = self._counts.get(window, 0)
                if used >= int(quota["limit"]):
                    return "QUOTA_EXCEEDED"
                self._counts[window] = used + 1
        return None

    def snapshot(self) -> dict[tuple[str, str, str], int]:
        with self._lock:
            return dict(self._counts)

    def restore(self, counts: dict[tuple[str, str, str], int]) -> None:
        with self._lock:
            self._counts = dict(counts)
