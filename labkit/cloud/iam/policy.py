"""Does a policy let this principal do this action on this resource? IAM's evaluation logic for one policy, reduced
to what the workshop's policies use:

    explicit Deny wins → else any matching Allow → else implicit deny
    Principal   "*", {"AWS": "*" | arns}, {"Service": "cloudfront.amazonaws.com" | [...]}; not looked at in an
                identity policy (a role's own, decide(..., identity=True)), which has none
    Action      "s3:GetObject", wildcards ("s3:Get*", "s3:*", "*")
    Resource    ARNs with * and ? wildcards
    Condition   String{Equals,NotEquals,Like,NotLike}, Arn{Equals,Like,NotEquals,NotLike} (and IfExists), Bool;
                an operator this module does not know never matches (fails closed)

Used for bucket policies (anonymous requests to the gateway, s3/component.py; CloudFront's Origin Access Control,
which reads an object only if the bucket policy allows cloudfront.amazonaws.com with the distribution's
AWS:SourceArn) and for the permissions of a role's session (evaluation.py).
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Principal:
    kind: str  # "anonymous" | "AWS" | "Service"
    id: str = ""  # an ARN or account for AWS, a service name for Service
    also: tuple[str, ...] = ()  # other ARNs of the same principal: a role session is its role too


@dataclass
class RequestContext:
    principal: Principal
    action: str
    resource: str
    keys: dict[str, str] = field(default_factory=dict)  # condition keys, lower-cased names: {"aws:sourcearn": …}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _wild(pattern: str, value: str, *, case: bool = True) -> bool:
    if not case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern)


def _principal_matches(statement: dict[str, Any], principal: Principal) -> bool:
    if "NotPrincipal" in statement:
        return False  # not used by the workshop; fail closed
    spec = statement.get("Principal")
    if spec == "*":
        return True
    if not isinstance(spec, dict):
        return False
    if principal.kind == "Service":
        return principal.id in _as_list(spec.get("Service", []))
    aws = [str(v) for v in _as_list(spec.get("AWS", []))]
    if "*" in aws:
        return True
    ids = (principal.id, *principal.also)
    return principal.kind == "AWS" and any(i == v or i.endswith(f":{v}") for v in aws for i in ids)


def _action_matches(statement: dict[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(_wild(a, action, case=False) for a in _as_list(statement["NotAction"]))
    return any(_wild(a, action, case=False) for a in _as_list(statement.get("Action", [])))


def _resource_matches(statement: dict[str, Any], resource: str) -> bool:
    if "NotResource" in statement:
        return not any(_wild(r, resource) for r in _as_list(statement["NotResource"]))
    return any(_wild(r, resource) for r in _as_list(statement.get("Resource", [])))


def _condition_holds(condition: dict[str, Any], keys: dict[str, str]) -> bool:
    for operator, tests in condition.items():
        if_exists = operator.endswith("IfExists")
        base = operator[: -len("IfExists")] if if_exists else operator
        for key, expected in tests.items():
            actual = keys.get(key.lower())
            if actual is None:
                if if_exists:
                    continue
                if base.startswith(("StringNot", "ArnNot")):
                    continue  # a negated test on an absent key holds
                return False
            wanted = [str(v) for v in _as_list(expected)]
            if base in ("StringEquals", "ArnEquals"):
                ok = actual in wanted
            elif base == "StringEqualsIgnoreCase":
                ok = actual.lower() in (w.lower() for w in wanted)
            elif base in ("StringLike", "ArnLike"):
                ok = any(_wild(w, actual) for w in wanted)
            elif base in ("StringNotEquals", "ArnNotEquals"):
                ok = actual not in wanted
            elif base in ("StringNotLike", "ArnNotLike"):
                ok = not any(_wild(w, actual) for w in wanted)
            elif base == "Bool":
                ok = actual.lower() in (w.lower() for w in wanted)
            else:
                return False  # unknown operator: fail closed
            if not ok:
                return False
    return True


def decide(policy: str | dict[str, Any] | None, ctx: RequestContext, *, identity: bool = False) -> str:
    """"Deny", "Allow" or "NoMatch" (implicit deny) for one request against one policy: a resource's (with
    principals) or, with ``identity``, one attached to the principal itself."""
    if not policy:
        return "NoMatch"
    document = json.loads(policy) if isinstance(policy, str) else policy
    verdict = "NoMatch"
    for statement in _as_list(document.get("Statement", [])):
        if not ((identity or _principal_matches(statement, ctx.principal)) and _action_matches(statement, ctx.action)
                and _resource_matches(statement, ctx.resource)
                and _condition_holds(statement.get("Condition", {}), ctx.keys)):
            continue
        if statement.get("Effect") == "Deny":
            return "Deny"
        if statement.get("Effect") == "Allow":
            verdict = "Allow"
    return verdict


def is_public(policy: str | dict[str, Any] | None) -> bool:
    """Whether any Allow statement grants something to everyone without a condition (S3's notion of a public policy,
    simplified: conditions are assumed to restrict)."""
    if not policy:
        return False
    document = json.loads(policy) if isinstance(policy, str) else policy
    for statement in _as_list(document.get("Statement", [])):
        if statement.get("Effect") != "Allow" or statement.get("Condition"):
            continue
        if _principal_matches(statement, Principal("anonymous")):
            return True
    return False
