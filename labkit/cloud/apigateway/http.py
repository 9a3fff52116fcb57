"""An HTTP API (v2) request: stage, CORS preflight, route, throttling, JWT authorizer, Lambda (payload 2.0 or 1.0).

    serve_http(plane, exchange) -> Answer

Facts (developer guide, "HTTP APIs"; aws-facts.md, API Gateway):
- stages: "/<stage>/…", or the whole path on the $default stage; a stage with autoDeploy serves the API as it
  is, another the deployment CreateDeployment(StageName=…) froze for it
- routes: "METHOD /path" with {param} and {proxy+}, "ANY /path", then "$default"; no match → 404 Not Found
- CORS: with a corsConfiguration "API Gateway automatically sends a response to preflight OPTIONS requests" and
  adds the CORS headers to the integration's responses ("Configuring CORS for an HTTP API")
- JWT authorizer: 401 {"message":"Unauthorized"} with www-authenticate: Bearer …; scopes not granted → 403
  Forbidden; claims in requestContext.authorizer.jwt.claims, scopes in .scopes
- throttling: the stage's defaultRouteSettings, or routeSettings[<route key>] → 429 Too Many Requests
- errors of the integration: 500 {"message":"Internal Server Error"}; timeout (30 s at most) → 503
"""

from __future__ import annotations

import json
from typing import Any

from . import permissions
from .authorizers import Denied, jwt_claims
from .events import http_event_v2, rest_event
from .exchange import Exchange
from .integrations import lambda_target
from .responses import Answer
from .rest import call_lambda

DEFAULT_STAGE = "$default"


def _stage(plane: Any, ex: Exchange) -> tuple[str | None, dict[str, Any] | None, str]:
    raw = ex.req.raw_path
    first, _, rest = raw[1:].partition("/")
    if first and first != DEFAULT_STAGE:
        stage = plane.state.http_stage(ex.location, ex.api_id, first)
        if stage is not None:
            return first, stage, "/" + rest
    stage = plane.state.http_stage(ex.location, ex.api_id, DEFAULT_STAGE)
    return (DEFAULT_STAGE, stage, raw) if stage is not None else (None, None, raw)


def _cors_preflight(cors: dict[str, Any], headers: dict[str, str]) -> Answer:
    origin = headers.get("origin", "")
    allowed = [o.rstrip("/") for o in cors.get("AllowOrigins") or []]
    out: list[tuple[str, str]] = []
    if origin and ("*" in allowed or origin.rstrip("/") in allowed):
        out.append(("Access-Control-Allow-Origin", "*" if "*" in allowed and not cors.get("AllowCredentials")
                    else origin))
        if cors.get("AllowMethods"):
            out.append(("Access-Control-Allow-Methods", ",".join(cors["AllowMethods"])))
        if cors.get("AllowHeaders"):
            out.append(("Access-Control-Allow-Headers", ",".join(cors["AllowHeaders"])))
        if cors.get("MaxAge") is not None:
            out.append(("Access-Control-Max-Age", str(cors["MaxAge"])))
        if cors.get("AllowCredentials"):
            out.append(("Access-Control-Allow-Credentials", "true"))
    return Answer(204, out, b"")


def _cors_headers(cors: dict[str, Any] | None, headers: dict[str, str], answer: Answer) -> Answer:
    origin = headers.get("origin", "")
    if not cors or not origin:
        return answer
    allowed = [o.rstrip("/") for o in cors.get("AllowOrigins") or []]
    if "*" in allowed or origin.rstrip("/") in allowed:
        answer.headers = [(k, v) for k, v in answer.headers if not k.lower().startswith("access-control-")]
        answer.headers.append(("Access-Control-Allow-Origin", "*" if "*" in allowed and not cors.get(
            "AllowCredentials") else origin))
        if cors.get("ExposeHeaders"):
            answer.headers.append(("Access-Control-Expose-Headers", ",".join(cors["ExposeHeaders"])))
        if cors.get("AllowCredentials"):
            answer.headers.append(("Access-Control-Allow-Credentials", "true"))
    return answer


def serve_http(plane: Any, ex: Exchange) -> Answer:
    req = ex.req
    stage_name, stage, path = _stage(plane, ex)
    definition = plane.http_definition(ex.location, ex.api_id, stage, stage_name) if stage else None
    if stage is None or definition is None or definition.disabled:
        return ex.fail("RESOURCE_NOT_FOUND")
    ex.stage = {"accessLogSettings": _lower_keys(stage.get("accessLogSettings")), "methodSettings": {}}
    ex.ctx.update({"stage": stage_name, "path": path})
    headers = req.lower_headers
    if definition.cors and req.method == "OPTIONS" and "access-control-request-method" in headers:
        return _cors_preflight(definition.cors, headers)

    match = definition.router.match(path)
    route = None
    if match is not None:
        route = match.value.methods.get(req.method) or match.value.methods.get("ANY")
    route_key = f"{route.http_method} {match.template}" if route and match else "$default"
    if route is None:
        route, match = definition.default_route, None
    if route is None:
        return _cors_headers(definition.cors, headers, ex.fail("RESOURCE_NOT_FOUND"))
    ex.ctx.update({"routeKey": route_key, "resourcePath": match.template if match else route_key})

    settings = _upper_keys((stage.get("routeSettings") or {}).get(route_key) or stage.get("defaultRouteSettings"))
    if "ThrottlingBurstLimit" in settings or "ThrottlingRateLimit" in settings:
        if not plane.throttles.take((ex.api_id, stage_name, route_key), float(settings.get(
                "ThrottlingRateLimit", 10_000)), int(settings.get("ThrottlingBurstLimit", 5_000))):
            return _cors_headers(definition.cors, headers, ex.fail("THROTTLED"))

    authorizer_context = None
    if route.authorization_type == "JWT":
        authorizer = definition.authorizers.get(route.authorizer_id or "")
        if authorizer is None:
            return ex.fail("API_CONFIGURATION_ERROR", message="Internal Server Error",
                           reason=f"route {route_key} names authorizer {route.authorizer_id}, which does not exist")
        try:
            claims, scopes = jwt_claims(plane.verifier, authorizer, route.scopes, headers)
        except Denied as denied:
            ex.ctx["authorizer.error"] = denied.reason
            if denied.kind == "ACCESS_DENIED":
                answer = ex.fail("ACCESS_DENIED", message="Forbidden")
                answer.headers.append(("www-authenticate", f'Bearer scope="{" ".join(route.scopes)}" '
                                                            'error="insufficient_scope" error_description='
                                                            '"expected scopes are not granted"'))
            else:
                answer = ex.fail("UNAUTHORIZED")
                answer.headers.append(("www-authenticate", f'Bearer scope="" error="invalid_token" '
                                                            f'error_description="{_quoted(denied.reason)}"'))
            return _cors_headers(definition.cors, headers, answer)
        authorizer_context = {"jwt": {"claims": claims, "scopes": scopes}}
    elif route.authorization_type not in ("NONE", ""):
        return ex.fail("API_CONFIGURATION_ERROR", message="Internal Server Error",
                       reason=f"authorization type {route.authorization_type} is not served by the local cloud")

    integration = route.integration
    if integration is None or integration.type != "AWS_PROXY":
        return _cors_headers(definition.cors, headers, ex.fail(
            "API_CONFIGURATION_ERROR", message="Internal Server Error",
            reason=f"route {route_key} has no AWS_PROXY integration (the local cloud serves Lambda proxies)"))
    variables = dict(stage.get("stageVariables") or {})
    params = match.params if match else {}
    if integration.payload_format == "1.0":
        event = rest_event(req, api_id=ex.api_id, account=ex.location.account, stage=stage_name, deployment_id="",
                           resource_id="", resource_path=match.template if match else route_key, path=path,
                           path_params=params, stage_variables=variables,
                           authorizer={"claims": authorizer_context["jwt"]["claims"]} if authorizer_context else None,
                           api_key=None, binary=False)
    else:
        event = http_event_v2(req, api_id=ex.api_id, account=ex.location.account, stage=stage_name,
                              route_key=route_key, path=path, path_params=params, stage_variables=variables,
                              authorizer=authorizer_context)
    if match is None:  # the $default route: "arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/$default"
        method_arn = (f"arn:aws:execute-api:{ex.location.region}:{ex.location.account}:{ex.api_id}/{stage_name}/"
                      "$default")
    else:
        method_arn = permissions.source_arn(ex.location.region, ex.location.account, ex.api_id, stage_name,
                                            req.method, match.template)
    answer = call_lambda(plane, ex, lambda_target(integration.uri, variables), method_arn, json.dumps(event).encode(),
                         integration.timeout_ms, version=integration.payload_format)
    return _cors_headers(definition.cors, headers, answer)


def _lower_keys(settings: dict[str, Any] | None) -> dict[str, Any]:
    """accessLogSettings as the REST pipeline reads them (destinationArn, format), whichever case moto kept."""
    return {k[:1].lower() + k[1:]: v for k, v in (settings or {}).items()}


def _upper_keys(settings: dict[str, Any] | None) -> dict[str, Any]:
    """Route settings as boto3 names them (ThrottlingBurstLimit); moto keeps the wire's camelCase."""
    return {k[:1].upper() + k[1:]: v for k, v in (settings or {}).items()}


def _quoted(text: str) -> str:
    return text.replace('"', "'")
