"""The edge cache: keys from the cache policy, TTLs from the origin's headers, entries kept in a bounded LRU.

    Entry               a stored response: status, headers, body, the origin's ETag, when stored, its TTL
    Cache               (key → Entry) with a byte budget; get/put, purge(distribution, matcher), clear
    cache_key(...)      the key of a viewer request under a KeyPolicy
    ttl_for(...)        how long a response may be cached (aws-facts CloudFront, TTL rules)
    error_ttl(...)      how long an error response is cached (ErrorCachingMinTTL, default 10 s)
    normalized_encoding(accept_encoding, policy)   "br", "gzip" or "" (the normalised Accept-Encoding)

TTL rules (aws-facts CloudFront): the origin sends none of s-maxage/max-age/Expires → DefaultTTL (or MinTTL if
larger); otherwise that value clamped to [MinTTL, MaxTTL], with s-maxage before max-age before Expires. no-cache,
no-store or private: not cached when MinTTL is 0, cached MinTTL otherwise. The viewer's Cache-Control and Pragma
are ignored (nothing here reads them). Ages use a monotonic clock.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

from .cache_policies import KeyPolicy

MAX_BYTES = 128 * 1024 * 1024  # the whole cache
MAX_ENTRY_BYTES = 32 * 1024 * 1024  # larger responses are served, not stored
DEFAULT_ERROR_TTL = 10.0  # "By default, CloudFront caches error responses for 10 seconds" (ErrorCachingMinTTL)
# The codes custom error responses handle (aws-facts CloudFront), less 416: "CloudFront doesn't cache status code
# 416 responses" (developer guide, custom error pages).
CACHED_ERRORS = frozenset({400, 403, 404, 405, 414, 500, 501, 502, 503, 504})
_NOT_STORED = ("no-cache", "no-store", "private")


@dataclasses.dataclass(frozen=True)
class Entry:
    status: int
    headers: tuple[tuple[str, str], ...]  # as served to viewers (Content-Length excluded: computed when sent)
    body: bytes
    origin_etag: str | None  # for revalidation (If-None-Match): the origin's own, even for a compressed copy
    stored: float  # monotonic time of storing (or of the last revalidation)
    ttl: float

    def fresh(self, now: float) -> bool:
        return now - self.stored < self.ttl

    def age(self, now: float) -> int:
        return max(0, int(now - self.stored))


class Cache:
    """Thread-safe LRU of entries keyed by tuples whose first two items are the distribution id and the path."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple[Any, ...], entry: Entry) -> None:
        size = len(entry.body)
        if size > MAX_ENTRY_BYTES or size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)

    def purge(self, dist_id: str, matches: Callable[[str, str], bool]) -> int:
        """Drop the distribution's entries whose (path, query) ``matches``; returns how many."""
        with self._lock:
            doomed = [k for k in self._entries if k[0] == dist_id and matches(k[1], k[2])]
            for key in doomed:
                self._bytes -= len(self._entries.pop(key).body)
            return len(doomed)

    def clear(self, dist_id: str) -> None:
        self.purge(dist_id, lambda path, query: True)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._bytes}


# -- keys -------------------------------------------------------------------------------------------------------------
def _select(pairs: list[tuple[str, str]], behavior: str, names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    if behavior == "none":
        return ()
    if behavior == "whitelist":
        chosen = [p for p in pairs if p[0] in names]
    elif behavior == "allExcept":
        chosen = [p for p in pairs if p[0] not in names]
    else:
        chosen = pairs
    return tuple(sorted(chosen))


def _query_pairs(query: str) -> list[tuple[str, str]]:
    pairs = []
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((name, value))
    return pairs


def _cookie_pairs(header: str) -> list[tuple[str, str]]:
    pairs = []
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            pairs.append((name, value))
    return pairs


def normalized_encoding(accept_encoding: str, policy: KeyPolicy) -> str:
    """CloudFront keeps only gzip and br of Accept-Encoding when the policy says so, and prefers Brotli
    (developer guide, "Compression support"; aws-facts: CachingOptimized's key has normalised Accept-Encoding)."""
    if not (policy.gzip or policy.brotli) or not accept_encoding:
        return ""
    accepted = set()
    for token in accept_encoding.lower().split(","):
        name, _, params = token.strip().partition(";")
        if params.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            continue
        accepted.add(name.strip())
    if policy.brotli and "br" in accepted:
        return "br"
    if policy.gzip and "gzip" in accepted:
        return "gzip"
    return ""


def cache_key(dist_id: str, path: str, query: str, environ: Mapping[str, Any], policy: KeyPolicy,
              encoding: str) -> tuple[Any, ...]:
    """(distribution, path, query part, headers, cookies, encoding): only what the policy puts in the key."""
    query_part = _select(_query_pairs(query), policy.query_behavior, policy.query)
    query_text = "&".join(f"{n}={v}" if v else n for n, v in query_part)
    headers = tuple((h, environ.get("HTTP_" + h.upper().replace("-", "_"), "")) for h in policy.headers)
    cookies = _select(_cookie_pairs(environ.get("HTTP_COOKIE", "")), policy.cookie_behavior, policy.cookies)
    return (dist_id, path, query_text, headers, cookies, encoding)


# -- TTLs --------------------------------------------------------------------------------------------------------------
def cache_control(value: str) -> dict[str, str]:
    directives = {}
    for part in value.split(","):
        name, _, argument = part.strip().partition("=")
        if name:
            directives[name.lower()] = argument.strip().strip('"')
    return directives


def _seconds(text: str) -> float | None:
    return float(text) if text.isdigit() else None


def ttl_for(headers: Mapping[str, str], policy: KeyPolicy, now: float | None = None) -> float | None:
    """Seconds the response stays fresh, or None when CloudFront does not store it at all. A stored response whose
    TTL is 0 is revalidated on every request (RefreshHit). ``headers``: the origin's, names lower case; ``now``:
    epoch seconds, for Expires without Date."""
    if policy.max_ttl <= 0:  # CachingDisabled (0/0/0): nothing is stored
        return None
    directives = cache_control(headers.get("cache-control", ""))
    if any(d in directives for d in _NOT_STORED):
        return policy.min_ttl if policy.min_ttl > 0 else None
    value = None
    for directive in ("s-maxage", "max-age"):
        if directive in directives:
            value = _seconds(directives[directive])
            if value is not None:
                break
    if value is None and "expires" in headers:
        value = _expires_in(headers["expires"], headers.get("date"), now)
    if value is None:
        return max(policy.default_ttl, policy.min_ttl)
    return min(max(value, policy.min_ttl), policy.max_ttl)


def _expires_in(expires: str, date: str | None, now: float | None) -> float:
    try:
        until = parsedate_to_datetime(expires).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0.0  # an invalid Expires means "already expired" (RFC 9111 §5.3)
    try:
        base = parsedate_to_datetime(date).timestamp() if date else (now if now is not None else time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        base = now if now is not None else time.time()
    return max(0.0, until - base)


def error_ttl(status: int, min_ttl: float | None) -> float | None:
    """A custom error response's ErrorCachingMinTTL, else 10 s, for the codes CloudFront caches; None (not stored)
    for other codes and for a TTL of 0."""
    ttl = DEFAULT_ERROR_TTL if min_ttl is None else float(min_ttl)
    return ttl if status in CACHED_ERRORS and ttl > 0 else None
