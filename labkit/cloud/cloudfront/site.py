"""One distribution on the edge: the WSGI application that answers its viewers.

    DistributionSite(cdn, dist_id)     the app the edge runs for <id>.cloudfront.localhost and the aliases

A request, in CloudFront's order:
    viewer protocol policy of the matching behaviour (301 to HTTPS, or 403 on HTTP for https-only)
    → WAF (the distribution's WebACLId): a block answers the rule's custom response, else a 403 custom error
      response of the distribution, else CloudFront's 403 page (aws-facts: WAF custom response > distribution custom
      error > default 403)
    → AllowedMethods (CloudFront's own 403 otherwise)
    → cache (key from the cache policy; fresh: Hit; expired with an ETag: revalidated with If-None-Match, 304 →
      RefreshHit; else the origin: Miss) → origin (S3 through OAC, origin.py)
    → custom error responses for the origin's 4xx/5xx (ResponsePagePath fetched through the same cache)
    → the viewer's conditional request (If-None-Match / If-Modified-Since → 304)
    → the viewer's Range, cut from the cached object (ranges.py: 206, or 416)
    → headers: X-Cache, Via, X-Amz-Cf-Pop, X-Amz-Cf-Id, Age on hits; HEAD gets no body.
DefaultRootObject applies to ``/`` only (aws-facts). Any failure inside answers CloudFront's 502 page and is logged:
the edge's worker thread and the cache stay as they were.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any

from . import origin as s3
from .cache import Entry, cache_key, error_ttl, normalized_encoding, ttl_for
from .plan import Behaviour, OriginSpec, Plan
from .ranges import partial
from .responses import (
    BAD_REQUEST,
    METHOD_NOT_ALLOWED,
    NO_ORIGIN,
    compress_entry,
    edge_headers,
    error_page,
    new_request_id,
    redirect,
)

log = logging.getLogger("labkit.cloud.cloudfront")
Answer = tuple[int, list[tuple[str, str]], bytes, str, int | None]  # status, headers, body, X-Cache, Age
_NOT_STORED_HEADERS = ("content-length", "date", "connection", "transfer-encoding")


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _viewer_path(environ: dict[str, Any]) -> str | None:
    """The URI path as text: the edge hands over percent-decoded bytes as latin-1; S3 keys are UTF-8. None when S3
    could not parse it: a % that starts no escape, or escapes that decode to no UTF-8 text."""
    raw = environ.get("PATH_INFO") or "/"
    if _BAD_ESCAPE.search((environ.get("RAW_URI") or "").split("?", 1)[0]):
        return None
    try:
        return raw.encode("latin-1").decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class DistributionSite:
    def __init__(self, cdn: Any, dist_id: str) -> None:
        self.cdn = cdn
        self.dist_id = dist_id

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        request_id = new_request_id()
        try:
            status, headers, body, x_cache, age = self.respond(environ, request_id)
        except Exception:  # a bug here must cost one answer, not the edge's worker or the cache
            log.exception("the distribution %s failed on %s %s", self.dist_id, environ.get("REQUEST_METHOD"),
                          environ.get("PATH_INFO"))
            status, headers, body = error_page(502, NO_ORIGIN, request_id)
            x_cache, age = "Error", None
        # No Date here: the edge's HTTP server (uvicorn) dates every response itself.
        headers = [*headers, ("Content-Length", str(len(body))),
                   *edge_headers(self.cdn.identity, request_id, x_cache, age)]
        start_response(f"{status} {_reason(status)}", headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]

    # -- the pipeline ------------------------------------------------------------------------------------------
    def respond(self, environ: dict[str, Any], request_id: str) -> Answer:
        plan = self.cdn.plan_for(self.dist_id)
        if plan is None or not plan.enabled:
            return (*error_page(403, BAD_REQUEST, request_id), "Error", None)
        method = environ.get("REQUEST_METHOD", "GET")
        path = _viewer_path(environ)
        unparsable = path is None
        if unparsable:  # names no key: S3 refuses it (below, once the viewer policy and the WAF have had their say)
            path = environ.get("PATH_INFO") or "/"
        behaviour = plan.behaviour(path)
        if environ.get("wsgi.url_scheme") == "http" and behaviour.viewer_policy != "allow-all":
            if behaviour.viewer_policy == "redirect-to-https":
                target = environ.get("RAW_URI") or path
                return (*redirect(self.cdn.https_url(environ.get("SERVER_NAME", ""), target)), "Redirect", None)
            return (*error_page(403, BAD_REQUEST, request_id), "Error", None)
        block = self.cdn.firewall.check(plan.web_acl, environ, request_id)
        if block is not None:
            if not block.custom:  # the rule has no custom response: a 403 custom error response may rewrite it
                custom = self._custom_error(plan, 403, environ)
                if custom is not None:
                    return (*custom, "Error", None)
            return block.status, block.headers, block.body, "Error", None
        if method not in behaviour.allowed:
            return (*error_page(403, METHOD_NOT_ALLOWED, request_id), "Error", None)
        origin = plan.origins.get(behaviour.origin_id)
        if origin is None or origin.bucket is None:
            return (*error_page(502, NO_ORIGIN, request_id), "Error", None)
        if unparsable or method not in ("GET", "HEAD"):  # not cached: straight to the origin, or its refusal
            # S3's answer to a path it cannot parse (S3 error codes: InvalidURI; ceph/s3-tests
            # test_object_read_unreadable records it on AWS)
            answer = (s3.s3_error(400, "InvalidURI", "Couldn't parse the specified URI.") if unparsable
                      else s3.fetch(origin, plan.arn, self._s3_key(plan, origin, path), method=method))
            headers = [(k, v) for k, v in answer.headers if k.lower() not in _NOT_STORED_HEADERS]
            return answer.status, headers, answer.body, "Error" if answer.status >= 400 else "Miss", None
        entry, x_cache = self._lookup(plan, behaviour, origin, path, environ.get("QUERY_STRING", ""), environ)
        if entry.status >= 400:
            custom = self._custom_error(plan, entry.status, environ)
            if custom is not None:
                return (*custom, "Error", None)
            return entry.status, list(entry.headers), entry.body, "Error", None
        age = entry.age(time.monotonic()) if x_cache == "Hit" else None
        if entry.status == 200 and _not_modified(environ, entry):
            kept = [(k, v) for k, v in entry.headers
                    if k.lower() in ("etag", "last-modified", "cache-control", "expires", "vary", "server")]
            return 304, kept, b"", x_cache, age
        return (*partial(environ, entry.status, list(entry.headers), entry.body), x_cache, age)

    # -- cache and origin --------------------------------------------------------------------------------------
    @staticmethod
    def _s3_key(plan: Plan, origin: OriginSpec, path: str) -> str:
        key = plan.root_object if path == "/" and plan.root_object else path[1:]  # "//a" is the key "/a"
        return f"{origin.path}/{key}" if origin.path else key

    def _lookup(self, plan: Plan, behaviour: Behaviour, origin: OriginSpec, path: str, query: str,
                environ: dict[str, Any]) -> tuple[Entry, str]:
        policy = behaviour.policy
        encoding = normalized_encoding(environ.get("HTTP_ACCEPT_ENCODING", ""), policy)
        key = cache_key(plan.dist_id, path, query, environ, policy, encoding)
        cacheable = "GET" in behaviour.cached and not policy.all_headers
        cache = self.cdn.cache
        now = time.monotonic()
        entry = cache.get(key) if cacheable else None
        if entry is not None and entry.fresh(now):
            return entry, "Hit"
        s3_key = self._s3_key(plan, origin, path)
        if entry is not None and entry.status == 200 and entry.origin_etag:
            answer = s3.fetch(origin, plan.arn, s3_key, if_none_match=entry.origin_etag)
            if answer.status == 304:
                ttl = ttl_for({k.lower(): v for k, v in answer.headers}, policy, time.time())
                refreshed = dataclasses.replace(entry, stored=now, ttl=ttl or 0.0)
                if ttl is not None:
                    cache.put(key, refreshed)
                return refreshed, "RefreshHit"
        else:
            answer = s3.fetch(origin, plan.arn, s3_key)
        entry, ttl = self._entry(plan, behaviour, answer, encoding if behaviour.compress else "", now)
        # A TTL of 0 still stores a response with an ETag: every request revalidates it (RefreshHit).
        if cacheable and ttl is not None and (ttl > 0 or entry.origin_etag):
            cache.put(key, entry)
        return entry, "Miss"

    @staticmethod
    def _entry(plan: Plan, behaviour: Behaviour, answer: s3.OriginResponse, encoding: str,
               now: float) -> tuple[Entry, float | None]:
        """The entry for an origin response and its TTL (None: not stored)."""
        headers = tuple((k, v) for k, v in answer.headers if k.lower() not in _NOT_STORED_HEADERS)
        ttl: float | None = None
        if answer.status >= 400:
            rule = plan.errors.get(answer.status)
            ttl = error_ttl(answer.status, rule.min_ttl if rule else None)
        elif answer.status == 200:
            ttl = ttl_for({k.lower(): v for k, v in answer.headers}, behaviour.policy, time.time())
        headers, body = compress_entry(answer.status, headers, answer.body, encoding)
        return Entry(answer.status, headers, body, answer.etag if answer.status == 200 else None, now,
                     ttl or 0.0), ttl

    def _custom_error(self, plan: Plan, status: int, environ: dict[str, Any]) -> tuple[int, list, bytes] | None:
        """The distribution's custom error response for ``status`` with a page: that page (fetched like any object,
        through the cache) with the ResponseCode, or the page's own error if it cannot be fetched; None when the
        distribution has no page for ``status``."""
        rule = plan.errors.get(status)
        if rule is None or not rule.page_path:
            return None
        page_path = rule.page_path.split("?", 1)[0]
        behaviour = plan.behaviour(page_path)
        origin = plan.origins.get(behaviour.origin_id)
        if origin is None or origin.bucket is None:
            return None
        page, _ = self._lookup(plan, behaviour, origin, page_path, "", environ)
        if page.status >= 400:
            # "If … the custom error page isn't available, CloudFront returns to the viewer the status code that
            # CloudFront received from the origin that contains the custom error pages" (developer guide).
            return page.status, list(page.headers), page.body
        return rule.response_code or status, list(page.headers), page.body


def _etags(value: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in value.split(",") if tag.strip()}


def _not_modified(environ: dict[str, Any], entry: Entry) -> bool:
    """The viewer's cached copy is current (RFC 9110 §13.1.2, weak comparison; If-Modified-Since only without
    If-None-Match, §13.1.3)."""
    headers = {k.lower(): v for k, v in entry.headers}
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        etag = headers.get("etag", "").removeprefix("W/")
        return bool(etag) and (if_none_match.strip() == "*" or etag in _etags(if_none_match))
    since, modified = environ.get("HTTP_IF_MODIFIED_SINCE"), headers.get("last-modified")
    if not since or not modified:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
