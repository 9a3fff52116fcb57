"""Web ACL capacity units (WCU): an estimate of what AWS's CheckCapacity reports.

    rules_capacity(rules, rule_group_capacity) -> int

Costs from the WAF Developer Guide's rule statement pages: ByteMatch 2 (EXACTLY, STARTS_WITH, ENDS_WITH) or 10
(CONTAINS, CONTAINS_WORD); RegexMatch 3; a regex pattern set 25; SqliMatch 20 (LOW) or 30 (HIGH); XssMatch 40;
SizeConstraint, GeoMatch, IPSet, Label and ASN matches 1; each text transformation +10; inspecting all query
arguments +10 and a JSON body doubles the base cost; And/Or/Not add up what they hold; a rate-based rule is 2 plus
its scope-down statement (custom keys: +10 per text transformation); a managed rule group its published capacity
(managed.py), a rule group its own Capacity. AWS adds some costs this does not know (some field-specific ones),
so treat the number as an estimate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .managed import find as find_managed

_BASE = {"RegexMatchStatement": 3, "RegexPatternSetReferenceStatement": 25, "XssMatchStatement": 40,
         "SizeConstraintStatement": 1, "GeoMatchStatement": 1, "IPSetReferenceStatement": 1,
         "LabelMatchStatement": 1, "AsnMatchStatement": 1}
_BYTE_MATCH = {"EXACTLY": 2, "STARTS_WITH": 2, "ENDS_WITH": 2, "CONTAINS": 10, "CONTAINS_WORD": 10}


def _inspection(body: dict[str, Any], base: int) -> int:
    field = body.get("FieldToMatch") or {}
    if "JsonBody" in field:
        base *= 2
    if "AllQueryArguments" in field:
        base += 10
    transforms = [t for t in body.get("TextTransformations") or () if t.get("Type") != "NONE"]
    return base + 10 * len(transforms)


def statement_capacity(statement: dict[str, Any], rule_group_capacity: Callable[[str], int]) -> int:
    ((kind, body),) = ((k, v) for k, v in statement.items() if v is not None)
    if kind in ("AndStatement", "OrStatement"):
        return sum(statement_capacity(s, rule_group_capacity) for s in body["Statements"])
    if kind == "NotStatement":
        return statement_capacity(body["Statement"], rule_group_capacity)
    if kind == "ByteMatchStatement":
        return _inspection(body, _BYTE_MATCH.get(body.get("PositionalConstraint", ""), 10))
    if kind == "SqliMatchStatement":
        return _inspection(body, 30 if body.get("SensitivityLevel") == "HIGH" else 20)
    if kind == "RateBasedStatement":
        keys = sum(10 * len(list(options.get("TextTransformations") or ()))
                   for key in body.get("CustomKeys") or () for options in key.values())
        scope = body.get("ScopeDownStatement")
        return 2 + keys + (statement_capacity(scope, rule_group_capacity) if scope else 0)
    if kind == "ManagedRuleGroupStatement":
        group = find_managed(body.get("VendorName", ""), body.get("Name", ""))
        scope = body.get("ScopeDownStatement")
        return (group.capacity if group else 0) + (statement_capacity(scope, rule_group_capacity) if scope else 0)
    if kind == "RuleGroupReferenceStatement":
        return rule_group_capacity(body["ARN"])
    if kind in ("XssMatchStatement", "RegexMatchStatement", "RegexPatternSetReferenceStatement",
                "SizeConstraintStatement"):
        return _inspection(body, _BASE[kind])
    return _BASE.get(kind, 1)


def rules_capacity(rules: list[dict[str, Any]], rule_group_capacity: Callable[[str], int] = lambda arn: 0) -> int:
    return sum(statement_capacity(rule["Statement"], rule_group_capacity) for rule in rules or ())
