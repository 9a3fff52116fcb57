"""How many state-changing requests moto has served, per service: a cache built at one count holds until it moves.

    watch_changes()           count from now on (idempotent)
    count_change(service)     one more, for a change made without a request
    change_count(*services)   their sum (cloud.generation moves on every DynamoDB PutItem as well)
"""

from __future__ import annotations

import functools
from collections import Counter as _Counter
from typing import Any

from . import LOCK

_CHANGES: _Counter[str] = _Counter()
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def watch_changes() -> None:
    """Count every state-changing request moto serves, per service (moto's service_name: apigateway, apigatewayv2,
    awslambda, wafv2, cognito-idp…). Patches BaseResponse._dispatch, which every service's handler runs: patching
    the services' own classes would import them, and moto.apigateway alone takes ~1.7 s to import."""
    from moto.core.responses import BaseResponse

    with LOCK:
        original = BaseResponse._dispatch
        if getattr(original, "__kit_changes__", False):
            return

        @functools.wraps(original)
        def _dispatch(self: Any, request: Any, full_url: Any = None, headers: Any = None) -> Any:
            try:
                return original(self, request, full_url, headers)
            finally:
                if getattr(request, "method", "GET") not in _READS:
                    _CHANGES[self.service_name or ""] += 1

        _dispatch.__kit_changes__ = True  # type: ignore[attr-defined]
        BaseResponse._dispatch = _dispatch


RESET = "(reset)"  # counted when every backend is forgotten: every cache is stale


def count_change(service: str) -> None:
    """One change made without a request (CreateDeployment done through the backend)."""
    _CHANGES[service] += 1


def change_count(*services: str) -> int:
    return sum(_CHANGES[s] for s in services)
