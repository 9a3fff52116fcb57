"""The web request as the WAF sees it: what a data plane (CDN, API Gateway) hands to ``WafEngine.evaluate``.

    WafRequest         method, raw path and query string (as on the wire), ordered headers, body bytes, client IP;
                       derived views (query arguments, cookies, forwarded IPs) are parsed once, on first use
    INVALID            what ``forwarded_ip`` returns when the header is present but holds no usable address

Text values are Python ``str`` holding one character per byte (latin-1), the way WSGI servers hand over header
values: transformations and matching then work byte for byte, as AWS WAF does, and a UTF-8 search string is
compared in the same representation (``as_text``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from functools import cached_property

INVALID = "<invalid>"


def as_text(value: str | bytes) -> str:
    """A search string or body in the engine's one-character-per-byte representation (UTF-8 for ``str``)."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if value.isascii() else value.encode("utf-8").decode("latin-1")


def _split_pairs(raw: str, separator: str) -> list[tuple[str, str]]:
    pairs = []
    for part in raw.split(separator):
        if not part:
            continue
        name, _, value = part.partition("=")
        pairs.append((name, value))
    return pairs


@dataclass
class WafRequest:
    """One request. ``path`` and ``query`` are raw (percent-encoding untouched); ``headers`` keep order and case.
    Treat it as immutable: derived views are parsed once and kept.

        WafRequest.from_target("GET", "/search?q=select+a+plan", [("Host", "contact.localhost")], b"", "127.0.0.1")
    """

    method: str = "GET"
    path: str = "/"
    query: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    client_ip: str = "127.0.0.1"
    fragment: str | None = None  # browsers never send one; raw clients may

    @classmethod
    def from_target(cls, method: str, target: str, headers: list[tuple[str, str]] | None = None,
                    body: bytes = b"", client_ip: str = "127.0.0.1") -> WafRequest:
        """Build from the request target of the request line (``/path?query#fragment``)."""
        rest, hash_sign, fragment = target.partition("#")
        path, _, query = rest.partition("?")
        return cls(method=method, path=path or "/", query=query, headers=list(headers or []), body=body,
                   client_ip=client_ip, fragment=fragment if hash_sign else None)

    # -- headers ---------------------------------------------------------------------------------------------
    @cached_property
    def _by_name(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for name, value in self.headers:
            index.setdefault(name.lower(), []).append(value)
        return index

    def header(self, name: str) -> str | None:
        """The header's value, or None when absent. Repeated headers are joined with ", " as HTTP allows, and
        Cookie headers (HTTP/2 sends one per cookie) with "; "."""
        key = name.lower()
        values = self._by_name.get(key)
        if values is None:
            return None
        return values[0] if len(values) == 1 else ("; " if key == "cookie" else ", ").join(values)

    @cached_property
    def cookies(self) -> list[tuple[str, str]]:
        """(name, value) pairs from every Cookie header, in order; values raw."""
        pairs = []
        for value in self._by_name.get("cookie", []):
            for part in value.split(";"):
                part = part.strip()
                if part:
                    name, _, val = part.partition("=")
                    pairs.append((name.strip(), val.strip()))
        return pairs

    @cached_property
    def query_args(self) -> list[tuple[str, str]]:
        """(name, value) pairs of the query string, raw (still percent-encoded), in order."""
        return _split_pairs(self.query, "&")

    @cached_property
    def body_text(self) -> str:
        return self.body.decode("latin-1")

    # -- addresses -------------------------------------------------------------------------------------------
    def forwarded_ip(self, header_name: str, position: str = "FIRST") -> str | list[str] | None:
        """The address a forwarded-IP header names: None if the header is absent, INVALID if it holds no valid
        address in that position. ``position`` is FIRST or LAST (a string), or ANY (every valid address, a list).
        AWS takes the first address for rate-based and geo rules (aws-facts WAFv2: "forwarded IP = first address").
        """
        raw = self.header(header_name)
        if raw is None:
            return None
        candidates = [part.strip() for part in raw.split(",") if part.strip()]
        if position == "ANY":
            valid = [c for c in candidates if _valid_ip(c)]
            return valid or INVALID
        if not candidates:
            return INVALID
        chosen = candidates[0] if position == "FIRST" else candidates[-1]
        return chosen if _valid_ip(chosen) else INVALID


def _valid_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
