"""A REST API (v1) request, from the stage to the integration's answer.

    serve_rest(plane, exchange) -> Answer

Order (DESIGN.md: "stage → WAF → throttling → authorizer → integration"; the WAF "inspects web requests before
they reach the API", developer guide "Use AWS WAF to protect your REST APIs"):
  1. stage: the first path segment names a stage; none → 403 Missing Authentication Token (aws-facts: "unknown
     route on REST → 403 … Missing Authentication Token"); the stage's deployment gives the definition served,
     or for a canary's share of requests the canary's deployment with its variables (canary.py)
  2. WAF: the web ACL associated with the stage; a block is 403 Forbidden (WAF_FILTERED) unless the rule has its
     own custom response ("AWS WAF custom responses take precedence over custom gateway responses")
  3. route: resource by path, method by verb or ANY; none → 403 Missing Authentication Token
  4. throttling: the stage's method settings ("*/*", or the method's own) → 429 Too Many Requests
  5. authorizer: COGNITO_USER_POOLS (authorizers.py) → 401 Unauthorized
  6. API key: methods with apiKeyRequired (usage.py) → 403 Forbidden, 429
  7. integration: AWS_PROXY (with the function's permission for this method, permissions.py) or MOCK
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import unquote

from ..core.errors import AwsError
from . import canary, integrations, permissions
from .authorizers import Denied, cognito_claims
from .events import rest_event
from .exchange import Exchange
from .integrations import ConfigurationError, Malformed
from .responses import Answer
from .routing import split_stage
from .throttling import method_limits

log = logging.getLogger("labkit.cloud.apigateway")


def serve_rest(plane: Any, ex: Exchange) -> Answer:
    req = ex.req
    stage_name, path = split_stage(req.raw_path)
    stage = plane.state.rest_stage(ex.location, ex.api_id, stage_name) if stage_name else None
    is_canary = False
    if stage is not None:
        stage, is_canary = canary.serving(stage)  # percentTraffic % of requests: the canary's deployment
    definition = plane.rest_definition(ex.location, ex.api_id, stage) if stage else None
    if stage is None or definition is None:
        return ex.fail("MISSING_AUTHENTICATION_TOKEN")
    ex.stage = stage
    ex.api_name = definition.name
    ex.custom = definition.gateway_responses
    ex.ctx.update({"stage": stage_name, "deploymentId": stage.get("deploymentId"),
                   "path": f"/{stage_name}{unquote(path)}", "isCanaryRequest": str(is_canary).lower()})
    if definition.disabled:  # disableExecuteApiEndpoint: the default endpoint refuses every call
        return ex.fail("ACCESS_DENIED", message="Forbidden")

    acl = stage.get("webAclArn")
    if acl:
        ex.ctx["webaclArn"] = acl
        blocked = plane.waf_block(acl, ex)
        if blocked is not None:
            return blocked

    match = definition.router.match(path)
    method = None
    if match is not None:
        method = match.value.methods.get(req.method) or match.value.methods.get("ANY")
    if match is None or method is None:
        return ex.fail("MISSING_AUTHENTICATION_TOKEN")
    resource = match.value
    ex.ctx.update({"resourcePath": resource.path, "resourceId": resource.id})

    limits = method_limits(stage.get("methodSettings"), resource.path, req.method)
    if limits is not None and not plane.throttles.take((ex.api_id, stage_name, resource.path, req.method), *limits):
        return ex.fail("THROTTLED")

    authorizer_context = None
    if method.authorization_type == "COGNITO_USER_POOLS":
        authorizer = definition.authorizers.get(method.authorizer_id or "")
        if authorizer is None or authorizer.type != "COGNITO_USER_POOLS":
            return ex.fail("AUTHORIZER_CONFIGURATION_ERROR",
                           reason=f"Execution failed due to configuration error: authorizer {method.authorizer_id} "
                                  "of this deployment is not a COGNITO_USER_POOLS authorizer")
        try:
            claims = cognito_claims(plane.verifier, authorizer, method, req.lower_headers)
        except Denied as denied:
            ex.ctx["authorizer.error"] = denied.reason
            ex.note(f"Unauthorized request: {denied.reason}")
            return ex.fail("UNAUTHORIZED")
        authorizer_context = {"claims": claims}
        ex.ctx.update({f"authorizer.claims.{k}": v for k, v in claims.items()})
    elif method.authorization_type not in ("NONE", ""):
        return ex.fail("AUTHORIZER_CONFIGURATION_ERROR",
                       reason=f"authorization type {method.authorization_type} is not served by the local cloud "
                              "(it serves NONE and COGNITO_USER_POOLS)")

    api_key = None
    if method.api_key_required:
        value = req.lower_headers.get("x-api-key") if definition.api_key_source == "HEADER" else None
        failure, key_id = plane.usage.check(plane.state.usage_plans(ex.location), ex.api_id, stage_name, value,
                                            resource.path, req.method)
        if failure is not None:
            return ex.fail(failure)
        api_key = (value, key_id)
        ex.ctx.update({"identity.apiKey": value, "identity.apiKeyId": key_id})

    integration = method.integration
    if integration is None:
        return ex.fail("API_CONFIGURATION_ERROR",
                       reason="Execution failed due to configuration error: No integration defined for method")
    variables = dict(stage.get("variables") or {})
    if integration.type == "MOCK":
        try:
            mocked = integrations.mock_response(integration, method, req.lower_headers.get("content-type"),
                                                req.lower_headers.get("accept"))
        except ConfigurationError as exc:
            return ex.fail("API_CONFIGURATION_ERROR", reason=f"Execution failed due to configuration error: {exc}")
        ex.ctx["integration.status"] = ex.ctx["integrationStatus"] = str(mocked.status)
        return Answer(mocked.status, mocked.headers, mocked.body)
    if integration.type != "AWS_PROXY":
        return ex.fail("API_CONFIGURATION_ERROR",
                       reason=f"integration type {integration.type} is not served by the local cloud (it serves "
                              "AWS_PROXY to Lambda and MOCK)")

    event = rest_event(
        req, api_id=ex.api_id, account=ex.location.account, stage=stage_name,
        deployment_id=str(stage.get("deploymentId")), resource_id=resource.id, resource_path=resource.path,
        path=unquote(path), path_params=match.params, stage_variables=variables,
        authorizer=authorizer_context, api_key=api_key,
        binary=_binary(req.lower_headers.get("content-type"), definition.binary_media_types))
    target = integrations.lambda_target(integration.uri, variables)
    method_arn = permissions.source_arn(ex.location.region, ex.location.account, ex.api_id, stage_name, req.method,
                                        resource.path)
    return call_lambda(plane, ex, target, method_arn, json.dumps(event).encode(), integration.timeout_ms,
                       version="1.0")


def call_lambda(plane: Any, ex: Exchange, target: str | None, method_arn: str, payload: bytes, timeout_ms: int,
                *, version: str) -> Answer:
    """Permission, invocation, and the function's answer; the errors as API Gateway gives them (REST: 502
    "Internal server error"; HTTP APIs: 500 "Internal Server Error")."""
    failed = "Internal server error" if version == "1.0" else "Internal Server Error"
    bad_status = 502 if version == "1.0" else 500
    if not target:
        return ex.fail("API_CONFIGURATION_ERROR", message=failed,
                       reason="Execution failed due to configuration error: Invalid integration URI")
    name, account, region, qualifier = _function_parts(target, ex.location)
    policy = plane.state.lambda_policy(account, region, name, qualifier)
    allowed, why = permissions.may_invoke(policy, method_arn, ex.location.account)
    if not allowed:
        log.warning("API %s: Invalid permissions on Lambda function %s: %s", ex.api_id, name, why)
        return ex.fail("API_CONFIGURATION_ERROR", message=failed,
                       reason=f"Execution failed due to configuration error: Invalid permissions on Lambda "
                              f"function ({why})")
    function_timeout = plane.state.function_timeout(account, region, name, qualifier)
    if function_timeout is None:
        return ex.fail("API_CONFIGURATION_ERROR", message=failed,
                       reason=f"Execution failed due to configuration error: Function not found: {target}")
    began = time.perf_counter()
    try:
        result = integrations.invoke(plane.runtime(), target, payload, timeout_ms=timeout_ms,
                                     function_timeout_s=function_timeout)
    except AwsError as exc:
        # Lambda refused the call (throttled, …): API Gateway answers 500 (Lambda's 429 is not passed on).
        return ex.fail("API_CONFIGURATION_ERROR", message=failed,
                       reason=f"Lambda invocation failed with status: {exc.status}. Lambda request id: - "
                              f"({exc.code}: {exc.message})")
    finally:
        ex.ctx["integrationLatency"] = str(int((time.perf_counter() - began) * 1000))  # $context.integrationLatency
    if result is None:
        return ex.fail("INTEGRATION_TIMEOUT", message="Endpoint request timed out" if version == "1.0" else
                       "Service Unavailable", status=504 if version == "1.0" else 503,
                       reason=f"Execution failed due to a timeout error ({timeout_ms} ms)")
    ex.ctx["integration.requestId"] = result.request_id
    if result.function_error:
        ex.ctx["integration.error"] = result.payload.decode("utf-8", "replace")[:1024]
        return ex.fail("API_CONFIGURATION_ERROR", status=bad_status, message=failed,
                       reason=f"Lambda execution failed with status 200 due to customer function error: "
                              f"{result.payload.decode('utf-8', 'replace')[:512]}")
    try:
        answer = (integrations.proxy_response_v1 if version == "1.0" else integrations.proxy_response_v2)(
            result.payload)
    except Malformed as exc:
        return ex.fail("API_CONFIGURATION_ERROR", status=bad_status, message=failed,
                       reason=f"Execution failed due to configuration error: Malformed Lambda proxy response "
                              f"({exc})")
    ex.ctx["integration.status"] = ex.ctx["integrationStatus"] = "200"
    headers = answer.headers
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    headers.append(("X-Amzn-Trace-Id", ex.req.trace))
    return Answer(answer.status, headers, answer.body)


def _function_parts(target: str, loc: Any) -> tuple[str, str, str, str | None]:
    """(name, account, region, qualifier) of a function ARN, or of a bare name in the API's own account."""
    if target.startswith("arn:"):
        parts = target.split(":")
        if len(parts) >= 7:
            return parts[6], parts[4] or loc.account, parts[3] or loc.region, parts[7] if len(parts) > 7 else None
    name, _, qualifier = target.partition(":")
    return name, loc.account, loc.region, qualifier or None


def _binary(content_type: str | None, media_types: tuple[str, ...]) -> bool:
    """A request body is passed base64-encoded when its Content-Type is one of the API's binaryMediaTypes."""
    if not media_types or not content_type:
        return False
    kind = content_type.split(";", 1)[0].strip().lower()
    major = kind.split("/", 1)[0]
    return any(t in ("*/*", kind, f"{major}/*") for t in (m.lower() for m in media_types))
