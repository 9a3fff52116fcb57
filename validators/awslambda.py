"""Layer 08 · Lambda: the contact function exists on a supported runtime, its role grants only what it needs, and
an invocation with an API Gateway proxy event from the site's origin answers in the proxy shape with the CORS header
for that origin."""

from __future__ import annotations

import json
import re

from botocore.exceptions import ClientError

from labkit import names, site_origin

from .base import Check, Context, Result, failed, passed
from .events import proxy_event

SUPPORTED = ("python3.10", "python3.11", "python3.12", "python3.13")
# IAM's refusal as a function's error carries it ("Access denied error messages", IAM User Guide).
_DENIED = re.compile(r"not authorized to perform: ([\w-]+:\w+)(?: on resource: (\S+))?")


def refused(text: str) -> tuple[str, str] | None:
    """(action, resource) IAM refused a function, read from its error; None for any other failure."""
    found = _DENIED.search(text)
    return (found.group(1), found.group(2) or "*") if found else None


def role_denial(text: str) -> str | None:
    """The hint for a function refused by IAM (its role lacks a permission), or None for any other failure."""
    denied = refused(text)
    if denied is None:
        return None
    action, resource = denied
    return (f"the function's role may not {action} on {resource}: add that action on that resource to the role's "
            "policy (notebook 08, the role), then try again: no redeploy needed")


def probe_function(ctx: Context) -> Result:
    try:
        fn = ctx.client("lambda").get_function(FunctionName=names(ctx.cfg).function)["Configuration"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            return failed(f"no function {names(ctx.cfg).function}", "the function exists",
                          "run notebook 08's create-function cell")
        raise
    ctx.facts["function"] = fn
    return passed(f"{fn['FunctionName']} ({fn.get('State', 'Active')})")


def probe_runtime(ctx: Context) -> Result:
    runtime = ctx.facts["function"].get("Runtime", "")
    if runtime not in SUPPORTED:
        return failed(runtime or "none", " / ".join(SUPPORTED),
                      "use a supported Python runtime: older ones are deprecated and can no longer be updated")
    return passed(runtime)


def _broad(statement: dict) -> str | None:
    actions = statement.get("Action", [])
    actions = [actions] if isinstance(actions, str) else actions
    resources = statement.get("Resource", [])
    resources = [resources] if isinstance(resources, str) else resources
    if statement.get("Effect") != "Allow":
        return None
    wide = [a for a in actions if a == "*" or a.endswith(":*")]
    if wide:
        return f"allows {', '.join(wide)}"
    if "*" in resources and any(a.split(":")[0] in ("dynamodb", "sns") for a in actions):
        return "allows DynamoDB or SNS actions on every resource (Resource '*')"
    return None


def probe_role(ctx: Context) -> Result:
    iam = ctx.client("iam")
    role = ctx.facts["function"]["Role"].rsplit("/", 1)[-1]
    attached = [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]]
    too_much = [p for p in attached if "FullAccess" in p or p == "AdministratorAccess"]
    if too_much:
        return failed(f"{role} has {', '.join(too_much)}", "only the actions the function uses",
                      "least privilege: replace *FullAccess policies with an inline policy for dynamodb:PutItem, "
                      "dynamodb:Query on the table and sns:Publish on the topic")
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        document = json.loads(document) if isinstance(document, str) else document
        statements = document.get("Statement", [])
        for statement in statements if isinstance(statements, list) else [statements]:
            problem = _broad(statement)
            if problem:
                return failed(f"{role}/{name} {problem}", "named actions on named resources",
                              "least privilege: name the actions and the table and topic ARNs")
    return passed(f"{role}: {len(attached)} managed, inline policies scoped")


def probe_environment(ctx: Context) -> Result:
    variables = ctx.facts["function"].get("Environment", {}).get("Variables", {})
    expected = names(ctx.cfg).table
    if variables.get("TABLE_NAME") != expected or not variables.get("TOPIC_ARN"):
        return failed(json.dumps(variables), f"TABLE_NAME={expected}, TOPIC_ARN set",
                      "set the function's Environment: the handler reads TABLE_NAME and TOPIC_ARN")
    return passed(f"TABLE_NAME={expected}")


def probe_invoke(ctx: Context) -> Result:
    origin = site_origin(ctx.cfg)  # as the site's page calls it
    event = proxy_event("GET", email="validator@example.com", origin=origin)
    answer = ctx.client("lambda").invoke(FunctionName=names(ctx.cfg).function, Payload=json.dumps(event).encode())
    payload = answer["Payload"].read().decode()
    if answer.get("FunctionError"):
        return failed(payload[:300], "a proxy response",
                      role_denial(payload) or "the function raised: read its logs (notebook 08, last cells)")
    try:
        response = json.loads(payload)
    except ValueError:
        response = None
    if not isinstance(response, dict) or "statusCode" not in response or not isinstance(response.get("body"), str):
        return failed(payload[:300], '{"statusCode": …, "headers": …, "body": "<a string>"}',
                      "proxy vs non-proxy: with a Lambda proxy integration the function must return statusCode, "
                      "headers and body (a JSON string), not the data itself")
    if response["statusCode"] != 200:
        return failed(f"statusCode {response['statusCode']}: {response['body'][:200]}", "200",
                      "GET /messages failed: check the table name and the role's dynamodb:Query permission")
    allowed = (response.get("headers") or {}).get("Access-Control-Allow-Origin")
    if allowed not in ("*", origin):
        variables = ctx.facts["function"].get("Environment", {}).get("Variables", {})
        return failed(f"Origin {origin} → Access-Control-Allow-Origin {allowed or 'missing'}",
                      f"Access-Control-Allow-Origin {origin} on every answer",
                      "missing CORS header in the Lambda response for the site's origin: the browser will hide the "
                      "answer from the page; the function names the request's Origin when ALLOWED_ORIGINS lists it "
                      f"(now {variables.get('ALLOWED_ORIGINS', 'unset')!r}: labkit.site_origins(cfg), notebook 08)")
    return passed(f"GET /messages → 200 with Access-Control-Allow-Origin {allowed}")


CHECKS = [
    Check("lambda.function", "the contact function exists", probe_function),
    Check("lambda.runtime", "a supported Python runtime", probe_runtime, needs=("lambda.function",)),
    Check("lambda.role", "its role grants only what it needs", probe_role, needs=("lambda.function",)),
    Check("lambda.environment", "it knows its table and topic", probe_environment, needs=("lambda.function",)),
    Check("lambda.invoke", "a proxy event gets a proxy response with CORS", probe_invoke, needs=("lambda.function",)),
]
