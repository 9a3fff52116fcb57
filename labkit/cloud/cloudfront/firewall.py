"""The distribution's web ACL, evaluated by the local cloud's WAF engine (the waf component).

    Firewall(cloud).check(web_acl_arn, environ, request_id) -> WafBlock | None
    WafBlock      status, headers, body; ``custom`` when the rule had its own CustomResponse
    waf_request(environ)   the WafRequest of a viewer request (raw path and query, headers in order, body, client IP)

A block without a custom response is CloudFront's 403 page (responses.cloudfront_block_page, aws-facts "WAF block
at CloudFront"); the caller may still replace it by a 403 custom error response of the distribution. A web ACL the engine cannot
read or evaluate is logged and lets the request through: CreateDistribution checked it existed, and AWS does not
let a web ACL in use be deleted.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from .responses import cloudfront_block_page

log = logging.getLogger("labkit.cloud.cloudfront")
_EDGE_HEADERS = ("content-length", "x-cache", "x-amz-cf-id")  # the CDN adds these itself


@dataclasses.dataclass(frozen=True)
class WafBlock:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    custom: bool


def waf_request(environ: dict[str, Any]) -> Any:
    from ..wafv2 import WafRequest

    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append((key[5:].replace("_", "-").lower(), value))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            headers.append((key.replace("_", "-").lower(), value))
    stream = environ.get("wsgi.input")
    body = stream.getvalue() if hasattr(stream, "getvalue") else b""
    target = environ.get("RAW_URI") or environ.get("PATH_INFO") or "/"
    return WafRequest.from_target(environ.get("REQUEST_METHOD", "GET"), target, headers, body,
                                  environ.get("REMOTE_ADDR") or "127.0.0.1")


class Firewall:
    def __init__(self, cloud: Any) -> None:
        self.cloud = cloud
        self._waf: Any = None

    def _component(self) -> Any:
        if self._waf is None:
            from ..wafv2.component import WafComponent

            self._waf = next((c for c in getattr(self.cloud, "components", []) if isinstance(c, WafComponent)), False)
        return self._waf or None

    def check(self, web_acl_arn: str, environ: dict[str, Any], request_id: str) -> WafBlock | None:
        if not web_acl_arn:
            return None
        waf = self._component()
        if waf is None:
            log.warning("distribution web ACL %s not evaluated: this local cloud runs no waf component", web_acl_arn)
            return None
        from ..wafv2 import WafConfigurationError

        try:
            decision = waf.engine.evaluate(waf.resources.web_acl(web_acl_arn), waf_request(environ))
        except (LookupError, WafConfigurationError) as exc:
            log.warning("web ACL %s not evaluated: %s", web_acl_arn, exc)
            return None
        if not decision.blocked:
            return None
        if decision.response is not None:
            response = decision.response
            headers = [(k, v) for k, v in response.headers if k.lower() not in _EDGE_HEADERS]
            if not any(k.lower() == "server" for k, _ in headers):
                headers.insert(0, ("Server", "CloudFront"))
            return WafBlock(response.status, headers, response.body, custom=True)
        status, headers, body = cloudfront_block_page(request_id)
        return WafBlock(status, [(k, v) for k, v in headers if k.lower() not in _EDGE_HEADERS], body, custom=False)
