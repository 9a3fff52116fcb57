"""WAFv2 as moto holds it. The WAF engine reads web ACLs, IP sets, regex pattern sets and rule groups by ARN; its
provider validates CreateWebACL/UpdateWebACL and then lets moto do the work, by handing it the original request.

    waf_resource(arn)        a WAFv2 resource as moto holds it (wire JSON: blobs still Base64), or None
    waf_lock_token(arn)      its current LockToken (cheap: tells a cache whether to re-read), or None
    waf_call_moto(environ)   run one WSGI request through moto's application: (status, headers, body)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..moto import LOCK
from ..moto.dispatch import wsgi_app

_waf_moto_app: Any = None


def _waf_item(arn: str) -> Any:
    from moto.wafv2.models import wafv2_backends

    parts = arn.split(":")
    if len(parts) < 6 or parts[2] != "wafv2":
        return None
    for backend in dict.values(wafv2_backends[parts[4]]):  # only regions in use; "global" holds CLOUDFRONT scope
        for store in (backend.wacls, backend.ip_sets, backend.regex_pattern_sets, backend.rule_groups):
            item = store.get(arn)
            if item is not None:
                return item
    return None


def waf_resource(arn: str) -> dict[str, Any] | None:
    with LOCK:
        item = _waf_item(arn)
        return None if item is None else item.to_dict()


def waf_lock_token(arn: str) -> str | None:
    with LOCK:
        item = _waf_item(arn)
        return None if item is None else item.lock_token


def waf_call_moto(environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """The environ must carry its body in a fresh ``wsgi.input``; the answer is materialised under LOCK."""
    global _waf_moto_app
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    with LOCK:
        if _waf_moto_app is None:
            _waf_moto_app = wsgi_app()
        result = _waf_moto_app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
    return int(captured["status"].split()[0]), list(captured["headers"]), body
