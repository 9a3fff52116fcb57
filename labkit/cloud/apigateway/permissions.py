"""May API Gateway invoke this function? The function's resource-based policy decides, as on AWS.

    source_arn(region, account, api_id, stage, method, resource_path)
        arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/<METHOD>/<resource path without its first "/">
    may_invoke(policy, source_arn, account) -> (allowed, reason)

AWS ("Lambda permissions for API Gateway", and Lambda's AddPermission reference): the policy needs a statement that
allows lambda:InvokeFunction (or lambda:*, *) to the service principal apigateway.amazonaws.com; a condition on
AWS:SourceArn (ArnLike / ArnEquals / StringLike / StringEquals) must match the method's ARN, where "*" matches any
run of characters (also "/") and "?" one; a condition on AWS:SourceAccount must name the API's account. An
explicit Deny that matches wins. Without an allowing statement API Gateway answers 500 and logs "Execution failed
due to configuration error: Invalid permissions on Lambda function".
"""

from __future__ import annotations

import functools
import re
from typing import Any

PRINCIPAL = "apigateway.amazonaws.com"
_ACTIONS = {"lambda:invokefunction", "lambda:*", "*"}


def source_arn(region: str, account: str, api_id: str, stage: str, method: str, resource_path: str) -> str:
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{method}/{resource_path[1:]}"


@functools.lru_cache(maxsize=512)
def _pattern(glob: str, case_sensitive: bool = True) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(regex, 0 if case_sensitive else re.IGNORECASE)


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _principal_ok(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return PRINCIPAL in _listed(principal.get("Service")) or "*" in _listed(principal.get("AWS"))
    return False


def _conditions_ok(conditions: Any, arn: str, account: str) -> bool:
    for operator, tests in (conditions or {}).items():
        if not isinstance(tests, dict):
            return False
        for key, expected in tests.items():
            key = key.lower()
            if key == "aws:sourcearn":
                actual = arn
            elif key == "aws:sourceaccount":
                actual = account
            else:
                continue  # other keys do not describe API Gateway's call; IAM would ignore what is absent
            values = _listed(expected)
            op = operator.lower()
            if op in ("arnlike", "stringlike"):
                ok = any(_pattern(v).fullmatch(actual) for v in values)
            elif op in ("arnequals", "stringequals"):
                ok = actual in values
            elif op == "stringequalsignorecase":
                ok = actual.lower() in (v.lower() for v in values)
            elif op in ("arnnotlike", "stringnotlike"):
                ok = not any(_pattern(v).fullmatch(actual) for v in values)
            elif op in ("arnnotequals", "stringnotequals"):
                ok = actual not in values
            else:
                ok = False  # an operator this check does not know: do not grant on it
            if not ok:
                return False
    return True


def may_invoke(policy: dict[str, Any] | None, arn: str, account: str) -> tuple[bool, str]:
    """Whether the policy lets API Gateway invoke the function for the method ``arn``, and why not."""
    if not policy:
        return False, "the function has no resource-based policy (lambda add_permission was never called)"
    allowed = False
    for statement in _listed_statements(policy.get("Statement")):
        actions = {a.lower() for a in _listed(statement.get("Action"))}
        if not actions & _ACTIONS or not _principal_ok(statement.get("Principal")):
            continue
        if not _conditions_ok(statement.get("Condition"), arn, account):
            continue
        if str(statement.get("Effect", "Allow")) == "Deny":
            return False, f"statement {statement.get('Sid', '?')} denies {arn}"
        allowed = True
    if allowed:
        return True, ""
    return False, (f"no statement allows principal {PRINCIPAL} to call lambda:InvokeFunction with source ARN "
                   f"{arn}")


def _listed_statements(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [s for s in value or [] if isinstance(s, dict)]
