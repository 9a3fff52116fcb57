"""Integrations: what runs behind a method. AWS_PROXY invokes a Lambda function through the local runtime; MOCK
answers from the integration's own templates and mappings.

    lambda_target(uri, stage_variables)    the function ARN an AWS_PROXY URI names (${stageVariables.x} filled)
    invoke(runtime, function, payload, *, timeout_ms, function_timeout_s)  the InvokeResult, or None on timeout
    proxy_response_v1(payload)             REST: the function's answer checked and made an HTTP response
    proxy_response_v2(payload)             HTTP API, payload format 2.0 (lenient, as documented)
    Malformed(reason)                      the function's answer is not a proxy response
    mock_response(integration, method, req)  MOCK: (status, headers, body)
    ConfigurationError(reason)             the API is set up so that API Gateway cannot answer (500)

Facts (aws-facts.md, API Gateway; "Output format of a Lambda function for proxy integration"; "Set up mock
integrations"):
- REST proxy output: statusCode (integer), headers (map of strings), multiValueHeaders (map of lists),
  body (string), isBase64Encoded (boolean); anything else is "Malformed Lambda proxy response": 502
  {"message": "Internal server error"}. "If you specify values for both headers and multiValueHeaders, API Gateway
  merges them into a single list"; a name in both keeps the multiValueHeaders values.
- HTTP API format 2.0: with statusCode, the same fields plus cookies; without, "API Gateway assumes a 200 status
  code" and the whole answer, JSON, is the body.
- MOCK: the request template (chosen by Content-Type, application/json by default) yields {"statusCode": N};
  N selects the integration response whose selectionPattern matches it (the one without a pattern is the default);
  its responseParameters "method.response.header.X" give headers (static values are single-quoted), its
  responseTemplates the body. The status must have a method response ("Output mapping refers to an invalid method
  response"), else 500. Templates are not run through VTL here: a MOCK template is used as the JSON it is.
- A call that outlives the integration timeout (29 s at most) is 504 "Endpoint request timed out"; the function
  goes on running, as on AWS.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from .deployments import Integration, Method

_LAMBDA_URI = re.compile(r"arn:aws[\w-]*:apigateway:[\w-]+:lambda:path/[\d-]+/functions/(?P<fn>.+?)/invocations/?")
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
_OUTLIVE = ThreadPoolExecutor(max_workers=16, thread_name_prefix="apigw-invoke")
_V1_FIELDS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}


class Malformed(Exception):
    pass


class ConfigurationError(Exception):
    pass


@dataclass
class ProxyResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def fill_stage_variables(text: str, variables: dict[str, str]) -> str:
    return _STAGE_VARIABLE.sub(lambda m: str(variables.get(m.group(1), "")), text)


def lambda_target(uri: str, stage_variables: dict[str, str]) -> str | None:
    found = _LAMBDA_URI.fullmatch(fill_stage_variables(uri, stage_variables))
    if found is None and uri.startswith("arn:aws:lambda:"):  # HTTP APIs also take the function ARN itself
        return fill_stage_variables(uri, stage_variables)
    return found.group("fn") if found else None


def invoke(runtime: Any, function: str, payload: bytes, *, timeout_ms: int, function_timeout_s: float) -> Any:
    """runtime.invoke(); None when it outlives ``timeout_ms``. Raises what the runtime raises (AwsError). A
    function whose own timeout ends first is called on this thread; only a longer one needs a watcher."""
    if function_timeout_s * 1000 <= timeout_ms:
        return runtime.invoke(function, payload)
    future = _OUTLIVE.submit(runtime.invoke, function, payload)
    try:
        return future.result(timeout=timeout_ms / 1000)
    except FutureTimeout:
        return None


def _scalar(value: Any, what: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise Malformed(f"{what} is {type(value).__name__}, not a string")


def _body(answer: dict[str, Any], encoded: bool) -> bytes:
    body = answer.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise Malformed(f"body is {type(body).__name__}, not a string")
    if not encoded:
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise Malformed("isBase64Encoded is true but body is not base64") from None


def proxy_response_v1(payload: bytes) -> ProxyResponse:
    try:
        answer = json.loads(payload or b"null")
    except ValueError:
        raise Malformed("the function's answer is not JSON") from None
    if not isinstance(answer, dict):
        raise Malformed(f"the function's answer is {type(answer).__name__}, not a JSON object")
    extra = set(answer) - _V1_FIELDS
    if extra:
        raise Malformed(f"unexpected field(s) {', '.join(sorted(extra))}")
    status = answer.get("statusCode")
    if not isinstance(status, int) or isinstance(status, bool) or not 200 <= status <= 599:
        raise Malformed(f"statusCode is {status!r}, not an integer HTTP status")
    encoded = answer.get("isBase64Encoded", False)
    if not isinstance(encoded, bool):
        raise Malformed("isBase64Encoded is not a boolean")
    single, multi = answer.get("headers") or {}, answer.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise Malformed("headers and multiValueHeaders must be JSON objects")
    headers: list[tuple[str, str]] = []
    multi_names = {str(name).lower() for name in multi}
    for name, value in single.items():
        if str(name).lower() not in multi_names and value is not None:
            headers.append((str(name), _scalar(value, f"header {name}")))
    for name, values in multi.items():
        if not isinstance(values, list):
            raise Malformed(f"multiValueHeaders {name} is not a list")
        headers.extend((str(name), _scalar(v, f"header {name}")) for v in values if v is not None)
    return ProxyResponse(status, headers, _body(answer, encoded))


def proxy_response_v2(payload: bytes) -> ProxyResponse:
    try:
        answer = json.loads(payload or b"null")
    except ValueError:
        raise Malformed("the function's answer is not JSON") from None
    if not isinstance(answer, dict) or "statusCode" not in answer:
        text = answer if isinstance(answer, str) else json.dumps(answer)
        return ProxyResponse(200, [("Content-Type", "application/json")], text.encode())
    status = answer.get("statusCode")
    if not isinstance(status, int) or isinstance(status, bool) or not 200 <= status <= 599:
        raise Malformed(f"statusCode is {status!r}, not an integer HTTP status")
    encoded = answer.get("isBase64Encoded", False)
    single = answer.get("headers") or {}
    if not isinstance(single, dict) or not isinstance(encoded, bool):
        raise Malformed("headers must be a JSON object and isBase64Encoded a boolean")
    headers = [(str(name), _scalar(value, f"header {name}")) for name, value in single.items() if value is not None]
    cookies = answer.get("cookies") or []
    if not isinstance(cookies, list):
        raise Malformed("cookies must be a list")
    headers += [("Set-Cookie", _scalar(c, "cookie")) for c in cookies]
    return ProxyResponse(status, headers, _body(answer, encoded))


def _template_for(templates: dict[str, Any], content_type: str | None) -> Any:
    kind = (content_type or "application/json").split(";", 1)[0].strip().lower()
    if kind in templates:
        return templates[kind]
    return templates.get("application/json")


def mock_response(integration: Integration, method: Method, content_type: str | None,
                  accept: str | None) -> ProxyResponse:
    template = _template_for(integration.request_templates, content_type)
    status = "200"
    if template:
        try:
            parsed = json.loads(template)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and parsed.get("statusCode") is not None:
            status = str(parsed["statusCode"])
    chosen = None
    for response in integration.responses:
        if response.selection_pattern:
            try:
                if re.fullmatch(response.selection_pattern, status):
                    chosen = response
                    break
            except re.error:
                continue
    if chosen is None:
        chosen = next((r for r in integration.responses if not r.selection_pattern), None)
    if chosen is None:
        raise ConfigurationError("No match for output mapping and no default output mapping configured. "
                                 "Endpoint Response Status Code: " + status)
    if chosen.status_code not in method.response_statuses:
        raise ConfigurationError(f"Output mapping refers to an invalid method response: {chosen.status_code}")
    headers = []
    for name, value in chosen.parameters.items():
        if name.startswith("method.response.header.") and isinstance(value, str):
            literal = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == "'" else None
            if literal is not None:
                headers.append((name[len("method.response.header."):], literal))
    body_template = _template_for(chosen.templates, accept if accept and "*" not in accept else None)
    body = body_template.encode() if isinstance(body_template, str) else b""
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    try:
        code = int(chosen.status_code)
    except ValueError:
        raise ConfigurationError(f"integration response status {chosen.status_code!r} is not a number") from None
    return ProxyResponse(code, headers, body)
