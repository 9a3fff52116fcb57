"""Where the engine reads referenced resources (engine.Resources): plain dicts, or the local cloud's state.

    StaticResources(ip_sets=…, regex_pattern_sets=…, rule_groups=…, web_acls=…)   dicts by ARN (tests, tools)
    CloudResources()    reads moto's WAFv2 state through models.py, in boto3's shape, re-converted only when a
                        resource's LockToken changes; also ``web_acl(arn)`` for data planes
    from_wire(data, shape)   moto keeps request JSON as sent (blobs such as ByteMatch SearchString in Base64);
                        boto3 callers see bytes: this converts by the botocore model
"""

from __future__ import annotations

import base64
import threading
from typing import Any

from botocore.session import get_session

from . import models

_MODEL: Any = None


def _shape(name: str) -> Any:
    global _MODEL
    if _MODEL is None:
        _MODEL = get_session().get_service_model("wafv2")
    return _MODEL.shape_for(name)


def _convert(value: Any, shape: Any) -> Any:
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {key: _convert(item, shape.members[key]) if key in shape.members else item
                for key, item in value.items() if item is not None}
    if kind == "list" and isinstance(value, list):
        return [_convert(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: _convert(item, shape.value) for key, item in value.items()}
    if kind == "blob" and isinstance(value, str):
        return base64.b64decode(value)
    return value


def from_wire(data: dict[str, Any], shape: str = "WebACL") -> dict[str, Any]:
    """A WebACL / IPSet / RegexPatternSet / RuleGroup in wire JSON → boto3's shape (blobs as bytes, no nulls)."""
    return _convert(data, _shape(shape))


class StaticResources:
    def __init__(self, *, ip_sets: dict[str, dict] | None = None, regex_pattern_sets: dict[str, dict] | None = None,
                 rule_groups: dict[str, dict] | None = None, web_acls: dict[str, dict] | None = None) -> None:
        self.ip_sets = ip_sets or {}
        self.regex_pattern_sets = regex_pattern_sets or {}
        self.rule_groups = rule_groups or {}
        self.web_acls = web_acls or {}

    @staticmethod
    def _get(store: dict[str, dict], arn: str, what: str) -> dict[str, Any]:
        try:
            return store[arn]
        except KeyError:
            raise LookupError(f"no {what} {arn}") from None

    def ip_set(self, arn: str) -> dict[str, Any]:
        return self._get(self.ip_sets, arn, "IP set")

    def regex_pattern_set(self, arn: str) -> dict[str, Any]:
        return self._get(self.regex_pattern_sets, arn, "regex pattern set")

    def rule_group(self, arn: str) -> dict[str, Any]:
        return self._get(self.rule_groups, arn, "rule group")

    def web_acl(self, arn: str) -> dict[str, Any]:
        return self._get(self.web_acls, arn, "web ACL")


class CloudResources:
    """Thread-safe. Each read asks moto for the resource's LockToken and converts it again only if it changed."""

    _SHAPES = {"webacl": "WebACL", "ipset": "IPSet", "regexpatternset": "RegexPatternSet", "rulegroup": "RuleGroup"}

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def _read(self, arn: str, kind: str) -> dict[str, Any]:
        token = models.waf_lock_token(arn)
        if token is None or f"/{kind}/" not in arn:
            raise LookupError(f"WAFNonexistentItemException: no {kind} {arn} in the local cloud")
        with self._lock:
            cached = self._cache.get(arn)
        if cached is not None and cached[0] == token:
            return cached[1]
        wire = models.waf_resource(arn)
        if wire is None:
            raise LookupError(f"WAFNonexistentItemException: no {kind} {arn} in the local cloud")
        converted = from_wire(wire, self._SHAPES[kind])
        with self._lock:
            self._cache[arn] = (wire.get("LockToken", token), converted)
        return converted

    def web_acl(self, arn: str) -> dict[str, Any]:
        return self._read(arn, "webacl")

    def ip_set(self, arn: str) -> dict[str, Any]:
        return self._read(arn, "ipset")

    def regex_pattern_set(self, arn: str) -> dict[str, Any]:
        return self._read(arn, "regexpatternset")

    def rule_group(self, arn: str) -> dict[str, Any]:
        return self._read(arn, "rulegroup")
