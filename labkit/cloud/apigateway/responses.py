"""API Gateway's own answers (gateway responses) and the $context variables they and access logs use.

    Answer                     status, headers, body: what the data plane sends back
    GATEWAY_RESPONSES          each gateway response type's default status, message and x-amzn-ErrorType
    gateway_answer(kind, ...)  the answer for one type, customised by the API's PutGatewayResponse settings
    render_context(text, ctx)  $context.<name> references replaced (access log formats, response templates)

Defaults from the API Gateway developer guide, "Gateway response types for API Gateway" (statuses) and
aws-facts.md, API Gateway ("Standard errors": JSON body {"message": …}, x-amzn-ErrorType on errors). A custom
gateway response for the type wins, then DEFAULT_4XX / DEFAULT_5XX ("If the response type is unspecified, this
response defaults to the DEFAULT_4XX type"); a status set on DEFAULT_4XX/5XX changes every response of its class.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    error_type: str | None = None  # gateway response type (UNAUTHORIZED…) when API Gateway answered itself

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)


# type → (status, message, x-amzn-ErrorType)
GATEWAY_RESPONSES: dict[str, tuple[int, str, str]] = {
    "ACCESS_DENIED": (403, "User is not authorized to access this resource", "AccessDeniedException"),
    "API_CONFIGURATION_ERROR": (500, "Internal server error", "InternalServerErrorException"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, "Internal server error", "AuthorizerConfigurationException"),
    "AUTHORIZER_FAILURE": (500, "Internal server error", "AuthorizerFailureException"),
    "BAD_REQUEST_BODY": (400, "Invalid request body", "BadRequestException"),
    "BAD_REQUEST_PARAMETERS": (400, "Invalid request parameters", "BadRequestException"),
    "EXPIRED_TOKEN": (403, "The security token included in the request is expired", "ExpiredTokenException"),
    "INTEGRATION_FAILURE": (504, "Internal server error", "InternalServerErrorException"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out", "InternalServerErrorException"),
    "INVALID_API_KEY": (403, "Forbidden", "ForbiddenException"),
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token", "MissingAuthenticationTokenException"),
    "QUOTA_EXCEEDED": (429, "Limit Exceeded", "LimitExceededException"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long", "RequestTooLargeException"),
    "RESOURCE_NOT_FOUND": (404, "Not Found", "NotFoundException"),
    "THROTTLED": (429, "Too Many Requests", "TooManyRequestsException"),
    "UNAUTHORIZED": (401, "Unauthorized", "UnauthorizedException"),
    "WAF_FILTERED": (403, "Forbidden", "ForbiddenException"),
}


def gateway_answer(kind: str, ctx: dict[str, Any], custom: dict[str, dict[str, Any]] | None = None, *,
                   status: int | None = None, message: str | None = None) -> Answer:
    """The answer for gateway response type ``kind``; ``status``/``message`` override the type's defaults (a Lambda
    error is API_CONFIGURATION_ERROR's message with 502). ``custom`` holds the API's gateway responses by type
    (GetGatewayResponses' items); ``ctx`` the request's context variables, completed here with the error's."""
    default_status, default_message, error_type = GATEWAY_RESPONSES[kind]
    status = status or default_status
    message = message or default_message
    ctx = {**ctx, "error.message": message, "error.messageString": json.dumps(message), "error.responseType": kind,
           "status": str(status)}
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    headers = [("Content-Type", "application/json")]
    spec = None
    if custom:
        fallback = custom.get("DEFAULT_4XX" if status < 500 else "DEFAULT_5XX") or {}
        spec = custom.get(kind) or fallback
        code = spec.get("statusCode") or fallback.get("statusCode")
        if code:
            status = int(code)
    if spec:
        for name, value in (spec.get("responseParameters") or {}).items():
            if name.startswith("gatewayresponse.header."):
                headers.append((name[len("gatewayresponse.header."):], _literal(value, ctx)))
        templates = spec.get("responseTemplates") or {}
        template = templates.get("application/json", next(iter(templates.values()), None))
        if template:
            body = render_context(template, {**ctx, "status": str(status)}, quote=False).encode()
    return Answer(status, headers, body, error_type=kind)


def _literal(value: str, ctx: dict[str, Any]) -> str:
    """A mapping value: a single-quoted literal ('*'), or a $context reference."""
    value = str(value)
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    if value.startswith("context."):
        return str(ctx.get(value[len("context."):], ""))
    return value


_CONTEXT_REF = re.compile(r"\$(?:\{context\.([A-Za-z0-9_.:-]+)\}|context\.([A-Za-z0-9_.:-]*[A-Za-z0-9_:-]))")


def render_context(text: str, ctx: dict[str, Any], *, quote: bool = False, missing: str = "") -> str:
    """Replace $context.x (and ${context.x}) with the request's value; unknown or empty values become ``missing``
    (access logs write "-", as API Gateway does). ``quote`` JSON-escapes values for JSON-shaped formats."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        found = ctx.get(name)
        if found is None or found == "":
            return missing
        text_value = str(found)
        return json.dumps(text_value)[1:-1] if quote else text_value

    return _CONTEXT_REF.sub(value, text)
