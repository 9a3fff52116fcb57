"""S3's CORS, from the bucket's CORS configuration alone (S3 user guide, "Using cross-origin resource sharing").

    Rule                                   one CORSRule: origins and headers may hold one "*" wildcard each
    preflight(rules, origin, method, headers)   S3's answer to an OPTIONS preflight: (status, headers, body)
    actual_headers(rules, origin, method)  the CORS headers of a GET/PUT/… answer: [] when no rule matches

The first rule whose AllowedOrigins match the Origin, whose AllowedMethods hold the method, and whose AllowedHeaders
match every requested header decides. Its answer echoes the Origin (or "*" for a rule allowing every origin, then
without Access-Control-Allow-Credentials), lists the rule's methods, echoes the requested headers, and adds
ExposeHeaders and MaxAgeSeconds. A preflight nothing matches is 403 AccessForbidden "CORSResponse: This CORS
request is not allowed…", and "CORSResponse: CORS is not enabled for this bucket." when the bucket has no CORS
configuration; an ordinary answer then carries no CORS header at all, so the browser refuses to show it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import s3_error

VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
NOT_ALLOWED = ("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
               "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not "
               "whitelisted by the resource's CORS spec.")  # sic: S3's spelling
NOT_ENABLED = "CORSResponse: CORS is not enabled for this bucket."


@dataclass(frozen=True)
class Rule:
    origins: tuple[str, ...]
    methods: tuple[str, ...]
    headers: tuple[str, ...] = ()
    expose: tuple[str, ...] = ()
    max_age: int | None = None


def _wildcard(pattern: str, value: str, *, case: bool) -> bool:
    flags = 0 if case else re.IGNORECASE
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), value, flags) is not None


def _match(rules: list[Rule], origin: str, method: str, requested: list[str]) -> Rule | None:
    for rule in rules:
        if method not in rule.methods or not any(_wildcard(o, origin, case=True) for o in rule.origins):
            continue
        if all(any(_wildcard(h, name, case=False) for h in rule.headers) for name in requested):
            return rule
    return None


def _allowed(rule: Rule, origin: str, requested: list[str]) -> list[tuple[str, str]]:
    everyone = "*" in rule.origins
    headers = [("Access-Control-Allow-Origin", "*" if everyone else origin),
               ("Access-Control-Allow-Methods", ", ".join(rule.methods))]
    if requested:
        headers.append(("Access-Control-Allow-Headers", ", ".join(requested)))
    if rule.expose:
        headers.append(("Access-Control-Expose-Headers", ", ".join(rule.expose)))
    if rule.max_age is not None:
        headers.append(("Access-Control-Max-Age", str(rule.max_age)))
    if not everyone:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    return headers + [("Vary", VARY)]


def requested_headers(value: str) -> list[str]:
    return [name.strip().lower() for name in value.split(",") if name.strip()]


def preflight(rules: list[Rule] | None, origin: str, method: str,
              requested: list[str]) -> tuple[int, list[tuple[str, str]], bytes]:
    """``rules``: the bucket's CORS rules, None when it has no CORS configuration."""
    rule = _match(rules or [], origin, method, requested)
    if rule is not None:
        return 200, _allowed(rule, origin, requested) + [("Content-Length", "0")], b""
    return s3_error(403, "AccessForbidden", NOT_ENABLED if rules is None else NOT_ALLOWED, Method=method,
                    ResourceType="OBJECT")


def actual_headers(rules: list[Rule] | None, origin: str, method: str) -> list[tuple[str, str]]:
    rule = _match(rules or [], origin, method, [])
    return _allowed(rule, origin, []) if rule is not None else []
