"""Scope=CLOUDFRONT outside us-east-1, refused for every wafv2 call (moto answers them in any region).

    cloudfront_scope_filter(environ)   a gateway filter: WAFInvalidParameterException for such a call, else None

aws-facts CloudFront: "WAF web ACLs for CloudFront use Scope=CLOUDFRONT and must be created in us-east-1"; the
same holds for listing or reading them, and for IP sets, regex pattern sets and rule groups. A filter, not provider
methods: the calls that go to moto reach it untouched (a provider's hand-off re-serialises moto's answer, which
would encode ByteMatchStatement's SearchString twice).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..core.errors import AwsError, render_plain_error
from ..moto.accounts import peek_body

_TARGET = "AWSWAF_20190729."
_REGION = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/wafv2/")
_BODY_LIMIT = 1024 * 1024
MESSAGE = "Error reason: The scope is not valid., field: SCOPE_VALUE, parameter: CLOUDFRONT"


def cloudfront_scope_filter(environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes] | None:
    if not environ.get("HTTP_X_AMZ_TARGET", "").startswith(_TARGET):
        return None
    region = _REGION.search(environ.get("HTTP_AUTHORIZATION", ""))
    if region is None or region.group(1) == "us-east-1":
        return None
    body = peek_body(environ, _BODY_LIMIT)
    if body is None:
        return None
    try:
        scope = json.loads(body).get("Scope")
    except (ValueError, AttributeError):
        return None
    if scope != "CLOUDFRONT":
        return None
    return render_plain_error(AwsError("WAFInvalidParameterException", MESSAGE, 400), json_protocol=True)
