"""Small builders for WAFv2 JSON (the shape boto3 get_web_acl returns) and requests, shared by the WAF tests."""

from __future__ import annotations

from typing import Any

from labkit.cloud.wafv2 import WafRequest

ACCOUNT = "123456789012"
VISIBILITY = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}
UA = ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0")
_serial = [0]


def acl(*rules: dict[str, Any], default: dict[str, Any] | None = None, name: str = "lab-acl",
        **extra: Any) -> dict[str, Any]:
    """A web ACL with a fresh ARN (so each test gets its own rate-based counts)."""
    _serial[0] += 1
    return {"Name": name, "ARN": f"arn:aws:wafv2:us-east-1:{ACCOUNT}:global/webacl/{name}/{_serial[0]}",
            "LockToken": "1", "DefaultAction": default or {"Allow": {}}, "VisibilityConfig": VISIBILITY,
            "Rules": [dict(r, Priority=r.get("Priority", i)) for i, r in enumerate(rules)], **extra}


def rule(name: str, statement: dict[str, Any], *, action: str | dict[str, Any] = "Block", priority: int | None = None,
         labels: tuple[str, ...] = ()) -> dict[str, Any]:
    spec: dict[str, Any] = {"Name": name, "Statement": statement, "VisibilityConfig": VISIBILITY,
                            "Action": {action: {}} if isinstance(action, str) else action}
    if priority is not None:
        spec["Priority"] = priority
    if labels:
        spec["RuleLabels"] = [{"Name": label} for label in labels]
    return spec


def managed(name: str, *, priority: int | None = None, override: str = "None", **statement: Any) -> dict[str, Any]:
    reference = {"VendorName": "AWS", "Name": name, **statement}
    spec: dict[str, Any] = {"Name": f"AWS-{name}", "OverrideAction": {override: {}}, "VisibilityConfig": VISIBILITY,
                            "Statement": {"ManagedRuleGroupStatement": reference}}
    if priority is not None:
        spec["Priority"] = priority
    return spec


def tt(*types: str) -> list[dict[str, Any]]:
    return [{"Priority": i, "Type": t} for i, t in enumerate(types or ("NONE",))]


def byte_match(search: str | bytes, field: dict[str, Any], constraint: str = "CONTAINS",
               transforms: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"ByteMatchStatement": {"SearchString": search if isinstance(search, bytes) else search.encode(),
                                   "FieldToMatch": field, "PositionalConstraint": constraint,
                                   "TextTransformations": tt(*transforms)}}


def regex(pattern: str, field: dict[str, Any], transforms: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"RegexMatchStatement": {"RegexString": pattern, "FieldToMatch": field,
                                    "TextTransformations": tt(*transforms)}}


def size(field: dict[str, Any], op: str, value: int, transforms: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"SizeConstraintStatement": {"FieldToMatch": field, "ComparisonOperator": op, "Size": value,
                                        "TextTransformations": tt(*transforms)}}


def label_match(key: str, scope: str = "LABEL") -> dict[str, Any]:
    return {"LabelMatchStatement": {"Scope": scope, "Key": key}}


PATH = {"UriPath": {}}
QUERY = {"QueryString": {}}
ARGS = {"AllQueryArguments": {}}
METHOD = {"Method": {}}


def header(name: str) -> dict[str, Any]:
    return {"SingleHeader": {"Name": name}}


def body(oversize: str = "CONTINUE") -> dict[str, Any]:
    return {"Body": {"OversizeHandling": oversize}}


def request(target: str = "/", *, method: str = "GET", headers: list[tuple[str, str]] | None = None,
            body: bytes = b"", ip: str = "198.51.100.7", user_agent: bool = True) -> WafRequest:
    """A request from a browser-like client (a User-Agent, so NoUserAgent_HEADER stays quiet)."""
    base = [("Host", "www.contact.localhost:4443")] + ([UA] if user_agent else [])
    return WafRequest.from_target(method, target, base + list(headers or ()), body, client_ip=ip)
