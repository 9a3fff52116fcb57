"""Match statements: compiled once from the WAFv2 JSON shape, then ``match(evaluation) -> bool`` per request.

    compile_statement(spec)   a ``Statement`` dict → a node below; raises ValueError for a malformed statement
    ByteMatch RegexMatch RegexPatternSet SqliMatch XssMatch SizeConstraint     inspect a FieldToMatch after the
                              statement's text transformations; any one inspected value matching is enough
    IPSetReference GeoMatch AsnMatch                                           the client (or forwarded) address
    LabelMatch                labels added by rules evaluated earlier in this request
    And Or Not                combinations
    probes(statement)         the SqliMatch/XssMatch inspections inside a statement, for batched detection

RateBasedStatement, ManagedRuleGroupStatement and RuleGroupReferenceStatement may only head a rule: the engine
handles them (engine.py, ratelimit.py). GeoMatch: the local cloud has no geolocation database. Loopback, private,
link-local and other non-global addresses never have a country (so GeoMatch never matches them); public addresses
get one only from the ``geo`` function the engine is built with (none by default). AsnMatch never matches.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from .context import Evaluation, MatchDetail, Probe, inspection_key
from .detect import EXTENDED_SQLI
from .fields import Field, compile_field
from .request import INVALID, as_text
from .transforms import chain, lowercase

_DETAIL_CHARS = 200
_WORD = "A-Za-z0-9_"
_COMPARE = {"EQ": lambda a, b: a == b, "NE": lambda a, b: a != b, "LE": lambda a, b: a <= b,
            "LT": lambda a, b: a < b, "GE": lambda a, b: a >= b, "GT": lambda a, b: a > b}


@lru_cache(maxsize=2048)
def compile_regex(pattern: str) -> re.Pattern[str]:
    """AWS regexes are PCRE-like; Python's engine reads the common subset the same way."""
    return re.compile(pattern)


@lru_cache(maxsize=256)
def _networks(addresses: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(ipaddress.ip_network(address, strict=False) for address in addresses)


class Statement:
    kind = ""

    def match(self, ev: Evaluation) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def children(self) -> tuple[Statement, ...]:
        return ()


class Inspecting(Statement):
    """A statement over a FieldToMatch with TextTransformations."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.field: Field = compile_field(spec["FieldToMatch"])
        self.transforms = chain(spec.get("TextTransformations"))
        self.key = inspection_key(self.field, self.transforms)

    def test(self, value: str, ev: Evaluation) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def match(self, ev: Evaluation) -> bool:
        return self.scan(ev, self.test)

    def scan(self, ev: Evaluation, test: Any) -> bool:
        extracted = ev.values(self.field, self.transforms, self.key)
        if extracted.forced is not None:
            if extracted.forced:
                ev.detail = MatchDetail(self.kind, self.field.describe(), "(oversize or fallback handling)")
            return extracted.forced
        for value in extracted.values:
            if test(value, ev):
                ev.detail = MatchDetail(self.kind, self.field.describe(), value[:_DETAIL_CHARS])
                return True
        return False


class ByteMatch(Inspecting):
    kind = "ByteMatchStatement"

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        self.search = as_text(spec["SearchString"])
        self.constraint = spec["PositionalConstraint"]
        if self.constraint == "CONTAINS_WORD":
            self._word = re.compile(f"(?<![{_WORD}]){re.escape(self.search)}(?![{_WORD}])")

    def test(self, value: str, ev: Evaluation) -> bool:
        search, constraint = self.search, self.constraint
        if constraint == "EXACTLY":
            return value == search
        if constraint == "STARTS_WITH":
            return value.startswith(search)
        if constraint == "ENDS_WITH":
            return value.endswith(search)
        if constraint == "CONTAINS":
            return search in value
        return self._word.search(value) is not None


class RegexMatch(Inspecting):
    kind = "RegexMatchStatement"

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        self.regex = compile_regex(spec["RegexString"])

    def test(self, value: str, ev: Evaluation) -> bool:
        return self.regex.search(value) is not None


class RegexPatternSet(Inspecting):
    kind = "RegexPatternSetReferenceStatement"

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        self.arn = spec["ARN"]

    def match(self, ev: Evaluation) -> bool:
        if ev.resources is None:
            raise LookupError(f"no resources to read the regex pattern set {self.arn}")
        patterns = ev.resources.regex_pattern_set(self.arn).get("RegularExpressionList") or []
        regexes = [compile_regex(p["RegexString"]) for p in patterns]
        return self.scan(ev, lambda value, _: any(regex.search(value) for regex in regexes))


class SqliMatch(Inspecting):
    """libinjection (SensitivityLevel LOW, the default); HIGH adds the extended patterns (detect.EXTENDED_SQLI):
    AWS says only that HIGH uses more signatures (aws-facts WAFv2). A URI path is also read without its leading
    slashes: an AWS WAF log published in Spryker's Cloud docs ("Troubleshooting 403 error") shows SQLi_URIPATH
    blocking ``/SELECT-1e1FROM%60test%60`` with matched tokens SELECT, 1e1, FROM, test, which libinjection finds
    only once the slash is gone."""

    kind = "SqliMatchStatement"

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        self.high = spec.get("SensitivityLevel", "LOW") == "HIGH"

    def test(self, value: str, ev: Evaluation) -> bool:
        if ev.detected("sqli", value) or (self.high and EXTENDED_SQLI.search(lowercase(value)) is not None):
            return True
        return self.field.kind == "UriPath" and value.startswith("/") and ev.detected("sqli", value.lstrip("/"))


class XssMatch(Inspecting):
    kind = "XssMatchStatement"

    def test(self, value: str, ev: Evaluation) -> bool:
        return ev.detected("xss", value)


class SizeConstraint(Inspecting):
    kind = "SizeConstraintStatement"

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        self.compare = _COMPARE[spec["ComparisonOperator"]]
        self.size = int(spec["Size"])

    def test(self, value: str, ev: Evaluation) -> bool:
        return self.compare(len(value), self.size)


def _address(ev: Evaluation, config: dict[str, Any] | None, position: str = "FIRST") -> str | list[str] | None:
    """The client address, or the forwarded one (None: header absent, so the statement does not apply)."""
    if not config:
        return ev.request.client_ip
    return ev.request.forwarded_ip(config["HeaderName"], config.get("Position", position))


class IPSetReference(Statement):
    kind = "IPSetReferenceStatement"

    def __init__(self, spec: dict[str, Any]) -> None:
        self.arn = spec["ARN"]
        self.forwarded = spec.get("IPSetForwardedIPConfig")

    def match(self, ev: Evaluation) -> bool:
        address = _address(ev, self.forwarded)
        if address is None:
            return False
        if address == INVALID:
            return self.forwarded.get("FallbackBehavior") == "MATCH"
        if ev.resources is None:
            raise LookupError(f"no resources to read the IP set {self.arn}")
        networks = _networks(tuple(ev.resources.ip_set(self.arn).get("Addresses") or ()))
        for candidate in address if isinstance(address, list) else [address]:
            ip = ipaddress.ip_address(candidate)
            if any(ip.version == net.version and ip in net for net in networks):
                ev.detail = MatchDetail(self.kind, "ForwardedIP" if self.forwarded else "IP", candidate)
                return True
        return False


class GeoMatch(Statement):
    kind = "GeoMatchStatement"

    def __init__(self, spec: dict[str, Any]) -> None:
        self.countries = frozenset(spec.get("CountryCodes") or ())
        self.forwarded = spec.get("ForwardedIPConfig")

    def match(self, ev: Evaluation) -> bool:
        address = _address(ev, self.forwarded)
        if address is None:
            return False
        if address == INVALID:
            return self.forwarded.get("FallbackBehavior") == "MATCH"
        country = country_of(address, ev)
        if country is None:
            return False
        source = "forwardedip" if self.forwarded else "clientip"
        ev.add_label(f"awswaf:{source}:geo:country:{country}")
        if country in self.countries:
            ev.detail = MatchDetail(self.kind, "ForwardedIP" if self.forwarded else "IP", f"{address} ({country})")
            return True
        return False


def country_of(address: str, ev: Evaluation) -> str | None:
    """None for every address that is not globally routable, whatever the geo function says."""
    try:
        if not ipaddress.ip_address(address).is_global:
            return None
    except ValueError:
        return None
    return ev.geo(address)


class AsnMatch(Statement):
    kind = "AsnMatchStatement"

    def match(self, ev: Evaluation) -> bool:
        return False  # no ASN data in the local cloud


class LabelMatch(Statement):
    """Scope LABEL: the key is the label's name, optionally with any number of its namespaces before it, up to
    the fully qualified label. Scope NAMESPACE: the key is a run of contiguous namespaces of a label (ending in
    ':'), up to its whole namespace prefix. Labels are case-sensitive (WAF Developer Guide, label match)."""

    kind = "LabelMatchStatement"

    def __init__(self, spec: dict[str, Any]) -> None:
        self.scope = spec["Scope"]
        self.key = spec["Key"]
        self._parts = tuple(self.key.rstrip(":").split(":"))

    def matches_label(self, label: str) -> bool:
        parts = label.split(":")
        if self.scope == "LABEL":
            return tuple(parts[-len(self._parts):]) == self._parts
        namespace, size = parts[:-1], len(self._parts)
        return any(tuple(namespace[i:i + size]) == self._parts for i in range(len(namespace) - size + 1))

    def match(self, ev: Evaluation) -> bool:
        for label in ev.labels:
            if self.matches_label(label):
                ev.detail = MatchDetail(self.kind, "Label", label)
                return True
        return False


class And(Statement):
    kind = "AndStatement"

    def __init__(self, spec: dict[str, Any]) -> None:
        self.statements = tuple(compile_statement(s) for s in spec["Statements"])
        if len(self.statements) < 2:
            raise ValueError("AndStatement needs at least two statements")

    def match(self, ev: Evaluation) -> bool:
        return all(statement.match(ev) for statement in self.statements)

    def children(self) -> tuple[Statement, ...]:
        return self.statements


class Or(And):
    kind = "OrStatement"

    def match(self, ev: Evaluation) -> bool:
        return any(statement.match(ev) for statement in self.statements)


class Not(Statement):
    kind = "NotStatement"

    def __init__(self, spec: dict[str, Any]) -> None:
        self.statement = compile_statement(spec["Statement"])

    def match(self, ev: Evaluation) -> bool:
        matched = not self.statement.match(ev)
        if matched:
            ev.detail = MatchDetail(self.kind, getattr(getattr(self.statement, "field", None), "kind", ""), "")
        return matched

    def children(self) -> tuple[Statement, ...]:
        return (self.statement,)


_NODES: dict[str, type[Statement]] = {
    "ByteMatchStatement": ByteMatch,
    "RegexMatchStatement": RegexMatch,
    "RegexPatternSetReferenceStatement": RegexPatternSet,
    "SqliMatchStatement": SqliMatch,
    "XssMatchStatement": XssMatch,
    "SizeConstraintStatement": SizeConstraint,
    "IPSetReferenceStatement": IPSetReference,
    "GeoMatchStatement": GeoMatch,
    "AsnMatchStatement": AsnMatch,
    "LabelMatchStatement": LabelMatch,
    "AndStatement": And,
    "OrStatement": Or,
    "NotStatement": Not,
}
RULE_LEVEL = ("RateBasedStatement", "ManagedRuleGroupStatement", "RuleGroupReferenceStatement")


def compile_statement(spec: dict[str, Any]) -> Statement:
    present = [key for key, value in spec.items() if value is not None]
    if len(present) != 1:
        raise ValueError(f"a Statement must hold exactly one statement, got {present}")
    (kind,) = present
    if kind in RULE_LEVEL:
        raise ValueError(f"{kind} can only be the top-level statement of a rule")
    if kind not in _NODES:
        raise ValueError(f"unknown statement {kind!r}")
    try:
        return _NODES[kind](spec[kind])
    except KeyError as missing:
        raise ValueError(f"{kind} lacks {missing}") from None


def probes(statement: Statement | None) -> Iterator[Probe]:
    """Every SqliMatch/XssMatch inspection inside ``statement``."""
    if statement is None:
        return
    if isinstance(statement, SqliMatch):
        yield ("sqli", statement.field, statement.transforms, statement.key)
    elif isinstance(statement, XssMatch):
        yield ("xss", statement.field, statement.transforms, statement.key)
    for child in statement.children():
        yield from probes(child)
