"""FieldToMatch: which part of the request a statement inspects, with AWS WAF's inspection limits.

    compile_field(spec) -> Field      a ``FieldToMatch`` dict, checked and made hashable (it keys the value cache)
    extract(field, request, limits)   -> Extracted: the values to inspect, and whether the field was oversize or
                                      fell back (which can decide the statement on its own)
    Limits                            body inspection limit of the protected resource; header/cookie limits

Limits (aws-facts WAFv2; botocore wafv2 docs): the body is inspected up to 16 KB by default for CloudFront and API
Gateway (``AssociationConfig.RequestBody.<type>.DefaultSizeInspectionLimit`` raises it up to 64 KB; 8 KB fixed for
load balancers); headers and cookies up to 8 KB or 200 entries. Past a limit ``OversizeHandling`` says CONTINUE
(inspect what fits), MATCH or NO_MATCH. A field the request lacks (a header not sent, a query argument not given)
has nothing to inspect: the statement does not match.

JsonBody: keys and scalar values are separate strings (numbers, booleans and null in their JSON spelling);
``IncludedPaths`` are JSON Pointers whose whole subtree is inspected. On unparseable JSON ``InvalidFallbackBehavior``
decides (MATCH, NO_MATCH, EVALUATE_AS_STRING); without one AWS inspects up to the first parse error, which this
emulation does not reproduce: nothing is inspected.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from .request import WafRequest, as_text
from .transforms import url_decode

KB = 1024
HEADER_LIMIT_BYTES, HEADER_LIMIT_COUNT = 8 * KB, 200
BODY_LIMITS = {"KB_8": 8 * KB, "KB_16": 16 * KB, "KB_32": 32 * KB, "KB_48": 48 * KB, "KB_64": 64 * KB}
DEFAULT_BODY_LIMIT = 16 * KB
FIXED_BODY_LIMITS = {"APPLICATION_LOAD_BALANCER": 8 * KB, "APPSYNC": 8 * KB}


@dataclass(frozen=True)
class Limits:
    body: int = DEFAULT_BODY_LIMIT

    @classmethod
    def for_resource(cls, web_acl: dict[str, Any], resource_type: str) -> Limits:
        """The body limit a web ACL sets for one resource type (CLOUDFRONT, API_GATEWAY, …)."""
        if resource_type in FIXED_BODY_LIMITS:
            return cls(FIXED_BODY_LIMITS[resource_type])
        config = ((web_acl.get("AssociationConfig") or {}).get("RequestBody") or {}).get(resource_type) or {}
        return cls(BODY_LIMITS.get(config.get("DefaultSizeInspectionLimit", ""), DEFAULT_BODY_LIMIT))


@dataclass(frozen=True)
class Field:
    kind: str  # the FieldToMatch member: SingleHeader, Body, JsonBody, …
    name: str = ""  # SingleHeader / SingleQueryArgument, lowercased
    oversize: str = "CONTINUE"
    scope: str = "ALL"  # MatchScope of JsonBody / Headers / Cookies
    pattern: tuple[str, tuple[str, ...]] = ("All", ())  # All | IncludedX | ExcludedX, and the names
    fallback: str = ""  # InvalidFallbackBehavior / FallbackBehavior

    def describe(self) -> str:
        return f"{self.kind}:{self.name}" if self.name else self.kind


@dataclass
class Extracted:
    values: list[str] = dataclass_field(default_factory=list)
    forced: bool | None = None  # set when oversize or fallback handling decides the statement by itself


_SIMPLE = {"UriPath", "QueryString", "Method", "AllQueryArguments"}
_PATTERN_KEYS = ("All", "IncludedPaths", "IncludedHeaders", "ExcludedHeaders", "IncludedCookies", "ExcludedCookies")


def compile_field(spec: dict[str, Any]) -> Field:
    """Raises ValueError for an empty or unknown FieldToMatch."""
    if len(spec) != 1:
        raise ValueError(f"FieldToMatch must name exactly one component, got {sorted(spec)}")
    ((kind, options),) = spec.items()
    options = options or {}
    if kind in _SIMPLE:
        return Field(kind)
    if kind in ("SingleHeader", "SingleQueryArgument"):
        return Field(kind, name=options["Name"].lower())
    if kind == "Body":
        return Field(kind, oversize=options.get("OversizeHandling", "CONTINUE"))
    if kind in ("JsonBody", "Headers", "Cookies"):
        match_pattern = options.get("MatchPattern") or {"All": {}}
        key = next((k for k in _PATTERN_KEYS if k in match_pattern), "All")
        names = () if key == "All" else tuple(match_pattern[key])
        if key.endswith("Headers"):
            names = tuple(name.lower() for name in names)
        return Field(kind, oversize=options.get("OversizeHandling", "CONTINUE"), scope=options.get("MatchScope", "ALL"),
                     pattern=(key, names), fallback=options.get("InvalidFallbackBehavior", ""))
    if kind == "HeaderOrder":
        return Field(kind, oversize=options.get("OversizeHandling", "CONTINUE"))
    if kind in ("UriFragment", "JA3Fingerprint", "JA4Fingerprint"):
        return Field(kind, fallback=options.get("FallbackBehavior", "NO_MATCH"))
    raise ValueError(f"unknown FieldToMatch {kind!r}")


def _oversize(handling: str, values: list[str]) -> Extracted:
    if handling == "MATCH":
        return Extracted(values, forced=True)
    if handling == "NO_MATCH":
        return Extracted(values, forced=False)
    return Extracted(values)


def _limited_pairs(pairs: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], bool]:
    """The pairs that fit in 8 KB / 200 entries, and whether any were left out."""
    kept, size = [], 0
    for name, value in pairs:
        size += len(name) + len(value)
        if len(kept) == HEADER_LIMIT_COUNT or size > HEADER_LIMIT_BYTES:
            return kept, True
        kept.append((name, value))
    return kept, False


def _select(pairs: list[tuple[str, str]], f: Field, fold: bool) -> list[str]:
    key, names = f.pattern
    wanted = set(names)
    picked = []
    for name, value in pairs:
        probe = name.lower() if fold else name
        if key.startswith("Included") and probe not in wanted:
            continue
        if key.startswith("Excluded") and probe in wanted:
            continue
        if f.scope in ("ALL", "KEY"):
            picked.append(name)
        if f.scope in ("ALL", "VALUE"):
            picked.append(value)
    return picked


def _pairs_field(pairs: list[tuple[str, str]], f: Field, fold: bool) -> Extracted:
    kept, over = _limited_pairs(pairs)
    values = _select(kept, f, fold)
    return _oversize(f.oversize, values) if over else Extracted(values)


def _json_values(node: Any, pointer: str, f: Field, included: tuple[str, ...] | None, inside: bool,
                 out: list[str]) -> None:
    inside = inside or included is None or pointer in included
    if isinstance(node, dict):
        for key, child in node.items():
            escaped = str(key).replace("~", "~0").replace("/", "~1")
            if inside and f.scope in ("ALL", "KEY"):
                out.append(as_text(str(key)))
            _json_values(child, f"{pointer}/{escaped}", f, included, inside, out)
    elif isinstance(node, list):
        for index, child in enumerate(node):
            _json_values(child, f"{pointer}/{index}", f, included, inside, out)
    elif inside and f.scope in ("ALL", "VALUE"):
        out.append(as_text(node if isinstance(node, str) else json.dumps(node)))


def _json_body(request: WafRequest, f: Field, limits: Limits) -> Extracted:
    body = request.body
    over = len(body) > limits.body
    if over and f.oversize != "CONTINUE":
        return _oversize(f.oversize, [])
    text = body[: limits.body]
    try:
        document = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        if f.fallback == "MATCH":
            return Extracted([], forced=True)
        if f.fallback == "NO_MATCH":
            return Extracted([], forced=False)
        if f.fallback == "EVALUATE_AS_STRING":
            return Extracted([text.decode("latin-1")])
        return Extracted([])
    key, names = f.pattern
    out: list[str] = []
    _json_values(document, "", f, None if key == "All" else names, False, out)
    return Extracted(out)


def extract(f: Field, request: WafRequest, limits: Limits) -> Extracted:
    kind = f.kind
    if kind == "UriPath":
        return Extracted([request.path])
    if kind == "QueryString":
        return Extracted([request.query])
    if kind == "Method":
        return Extracted([request.method])
    if kind == "AllQueryArguments":
        return Extracted([value for _, value in request.query_args])
    if kind == "SingleQueryArgument":
        return Extracted([value for name, value in request.query_args if url_decode(name).lower() == f.name])
    if kind == "SingleHeader":
        value = request.header(f.name)
        return Extracted([] if value is None else [value])
    if kind == "Body":
        if len(request.body) > limits.body:
            return _oversize(f.oversize, [request.body_text[: limits.body]])
        return Extracted([request.body_text])
    if kind == "JsonBody":
        return _json_body(request, f, limits)
    if kind == "Headers":
        return _pairs_field(request.headers, f, fold=True)
    if kind == "Cookies":
        return _pairs_field(request.cookies, f, fold=False)
    if kind == "HeaderOrder":
        kept, over = _limited_pairs(request.headers)
        order = ":".join(name.lower() for name, _ in kept)
        return _oversize(f.oversize, [order]) if over else Extracted([order])
    if kind == "UriFragment":
        if request.fragment is None:
            return Extracted([], forced=f.fallback == "MATCH")
        return Extracted([request.fragment])
    # JA3/JA4: the local edge does not compute TLS fingerprints, so the fallback decides.
    return Extracted([], forced=f.fallback == "MATCH")
