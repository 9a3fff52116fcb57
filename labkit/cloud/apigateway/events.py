"""The request as the data plane sees it, and the Lambda proxy events made from it.

    Incoming                 method, raw path and query, headers (in order), body, client address, ids, time
    Incoming.from_environ()  from the edge's WSGI environ
    rest_event(req, …)       REST API proxy event (payload format 1.0)
    http_event_v2(req, …)    HTTP API payload format 2.0

Shapes from aws-facts.md (API Gateway: "REST API (v1) Lambda proxy integration: event has resource, path,
httpMethod, headers, multiValueHeaders, queryStringParameters, multiValueQueryStringParameters, pathParameters,
stageVariables, requestContext (…), body, isBase64Encoded") and the developer guide's examples ("Lambda proxy
integrations"; "Create AWS Lambda proxy integrations for HTTP APIs", format 2.0). Empty maps are null in 1.0 and
left out in 2.0. API Gateway adds X-Forwarded-For, X-Forwarded-Port, X-Forwarded-Proto and X-Amzn-Trace-Id to the
headers a function sees. The edge hands over header names upper-cased (WSGI), so names are rebuilt in their
usual capitalisation ("Content-Type", "X-Api-Key"): a handler should read headers case-insensitively, as it must
on AWS too.
"""

from __future__ import annotations

import base64
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

_SPECIAL = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}


def _name(key: str) -> str:
    return "-".join(part.capitalize() for part in key.split("_"))


def trace_id(now: float) -> str:
    return f"Root=1-{int(now):08x}-{os.urandom(12).hex()}"


def extended_request_id() -> str:
    """x-amz-apigw-id / $context.extendedRequestId: 16 characters of base64, like "JZh6fF4XIAMFq5w="."""
    return base64.b64encode(os.urandom(11)).decode()


@dataclass
class Incoming:
    method: str
    raw_path: str  # percent-encoded, as on the wire, without the query
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str
    host: str
    port: int
    protocol: str = "HTTP/1.1"
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    extended_id: str = field(default_factory=extended_request_id)
    time: float = field(default_factory=time.time)
    _lower: dict[str, str] | None = field(default=None, repr=False)
    _trace: str | None = field(default=None, repr=False)

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> Incoming:
        headers = []
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                headers.append((_name(key[5:]), value))
            elif key in _SPECIAL:
                headers.append((_SPECIAL[key], value))
        raw = environ.get("RAW_URI") or environ.get("PATH_INFO") or "/"
        raw_path = raw.split("?", 1)[0]
        length = int(environ.get("CONTENT_LENGTH") or 0) if str(environ.get("CONTENT_LENGTH") or "0").isdigit() else 0
        body = environ["wsgi.input"].read(length) if length else environ["wsgi.input"].read()
        return cls(method=environ.get("REQUEST_METHOD", "GET").upper(), raw_path=raw_path or "/",
                   query=environ.get("QUERY_STRING", ""), headers=headers, body=body or b"",
                   source_ip=environ.get("REMOTE_ADDR", "127.0.0.1"), host=environ.get("SERVER_NAME", ""),
                   port=int(environ.get("SERVER_PORT") or 443), protocol=environ.get("SERVER_PROTOCOL", "HTTP/1.1"))

    @property
    def lower_headers(self) -> dict[str, str]:
        """Headers by lower-case name (the last value of a repeated header)."""
        if self._lower is None:
            self._lower = {name.lower(): value for name, value in self.headers}
        return self._lower

    @property
    def trace(self) -> str:
        """X-Amzn-Trace-Id: the client's, or a new one (X-Ray's Root=1-<epoch hex>-<24 hex>)."""
        if self._trace is None:
            self._trace = self.lower_headers.get("x-amzn-trace-id") or trace_id(self.time)
        return self._trace

    def forwarded_headers(self) -> list[tuple[str, str]]:
        """The client's headers plus the ones API Gateway adds before the integration."""
        added = [("X-Forwarded-For", self.source_ip), ("X-Forwarded-Port", str(self.port)),
                 ("X-Forwarded-Proto", "https"), ("X-Amzn-Trace-Id", self.trace)]
        present = {name.lower() for name, _ in self.headers}
        return self.headers + [(n, v) for n, v in added if n.lower() not in present]

    def query_pairs(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query, keep_blank_values=True)

    def body_text(self, binary: bool) -> tuple[str | None, bool]:
        """The body for an event: text, or base64 when it is binary (or not UTF-8)."""
        if not self.body:
            return None, False
        if not binary:
            try:
                return self.body.decode("utf-8"), False
            except UnicodeDecodeError:
                pass
        return base64.b64encode(self.body).decode(), True


def _request_time(now: float) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now))


def rest_event(req: Incoming, *, api_id: str, account: str, stage: str, deployment_id: str, resource_id: str,
               resource_path: str, path: str, path_params: dict[str, str], stage_variables: dict[str, str],
               authorizer: dict[str, Any] | None, api_key: tuple[str, str] | None, binary: bool) -> dict[str, Any]:
    headers = req.forwarded_headers()
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    query_single: dict[str, str] = {}
    query_multi: dict[str, list[str]] = {}
    for name, value in req.query_pairs():
        query_single[name] = value
        query_multi.setdefault(name, []).append(value)
    body, encoded = req.body_text(binary)
    identity = {
        "cognitoIdentityPoolId": None, "accountId": None, "cognitoIdentityId": None, "caller": None,
        "sourceIp": req.source_ip, "principalOrgId": None, "accessKey": None, "cognitoAuthenticationType": None,
        "cognitoAuthenticationProvider": None, "userArn": None, "userAgent": req.lower_headers.get("user-agent"),
        "user": None,
    }
    if api_key is not None:
        identity["apiKey"], identity["apiKeyId"] = api_key
    context: dict[str, Any] = {
        "resourceId": resource_id, "resourcePath": resource_path, "httpMethod": req.method,
        "extendedRequestId": req.extended_id, "requestTime": _request_time(req.time),
        "path": f"/{stage}{path}", "accountId": account, "protocol": req.protocol,
        "stage": stage, "domainPrefix": req.host.split(".", 1)[0], "requestTimeEpoch": int(req.time * 1000),
        "requestId": req.request_id, "identity": identity, "domainName": req.host, "deploymentId": deployment_id,
        "apiId": api_id,
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    return {
        "resource": resource_path, "path": path, "httpMethod": req.method,
        "headers": single or None, "multiValueHeaders": multi or None,
        "queryStringParameters": query_single or None, "multiValueQueryStringParameters": query_multi or None,
        "pathParameters": path_params or None, "stageVariables": stage_variables or None,
        "requestContext": context, "body": body, "isBase64Encoded": encoded,
    }


def http_event_v2(req: Incoming, *, api_id: str, account: str, stage: str, route_key: str, path: str,
                  path_params: dict[str, str], stage_variables: dict[str, str],
                  authorizer: dict[str, Any] | None) -> dict[str, Any]:
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in req.forwarded_headers():
        lower = name.lower()
        if lower == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[lower] = f"{headers[lower]},{value}" if lower in headers else value
    query: dict[str, str] = {}
    for name, value in req.query_pairs():
        query[name] = f"{query[name]},{value}" if name in query else value
    body, encoded = req.body_text(binary=not _is_text(headers.get("content-type", "")))
    event: dict[str, Any] = {
        "version": "2.0", "routeKey": route_key, "rawPath": unquote(req.raw_path), "rawQueryString": req.query,
        "headers": headers,
        "requestContext": {
            "accountId": account, "apiId": api_id, "domainName": req.host,
            "domainPrefix": req.host.split(".", 1)[0],
            "http": {"method": req.method, "path": unquote(req.raw_path), "protocol": req.protocol,
                     "sourceIp": req.source_ip, "userAgent": headers.get("user-agent", "")},
            "requestId": req.extended_id, "routeKey": route_key, "stage": stage,
            "time": _request_time(req.time), "timeEpoch": int(req.time * 1000),
        },
        "isBase64Encoded": encoded,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if path_params:
        event["pathParameters"] = path_params
    if stage_variables:
        event["stageVariables"] = stage_variables
    if authorizer is not None:
        event["requestContext"]["authorizer"] = authorizer
    if body is not None:
        event["body"] = body
    return event


def _is_text(content_type: str) -> bool:
    """HTTP APIs base64-encode bodies unless the content type is text-like (JSON, XML, text/*, form data)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return (not kind or kind.startswith("text/") or kind.endswith(("json", "xml", "javascript"))
            or kind == "application/x-www-form-urlencoded")
