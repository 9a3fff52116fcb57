"""What a deployment serves: an API's definition frozen at CreateDeployment, as on AWS, where edits to resources,
methods, integrations, authorizers or gateway responses reach callers only with the next deployment ("Deploy a REST
API in API Gateway": "you must redeploy the API" after changes). Stages, usage plans and function policies are not
part of it: they are read live.

    Method, Integration, Resource, Authorizer   a REST API's parts, as plain frozen data
    RestDefinition.parse(json)                  the whole REST API (models.apigw_rest_definition's JSON), with its
                                                router (routing.py) built once
    HttpDefinition.parse(json)                  an HTTP API (v2): routes, integrations, JWT authorizers, CORS
    DeploymentStore                             definitions by (API id, deployment id); kept in the snapshot
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .routing import Router


@dataclass(frozen=True)
class IntegrationResponse:
    status_code: str
    selection_pattern: str | None
    parameters: dict[str, str]
    templates: dict[str, Any]


@dataclass(frozen=True)
class Integration:
    type: str  # AWS_PROXY, MOCK, AWS, HTTP, HTTP_PROXY
    uri: str
    request_templates: dict[str, Any]
    timeout_ms: int
    responses: tuple[IntegrationResponse, ...]
    payload_format: str = "1.0"  # HTTP APIs: the Lambda event format


@dataclass(frozen=True)
class Method:
    http_method: str
    authorization_type: str  # NONE, COGNITO_USER_POOLS, CUSTOM, AWS_IAM, JWT
    authorizer_id: str | None
    scopes: tuple[str, ...]
    api_key_required: bool
    integration: Integration | None
    response_statuses: frozenset[str]  # method responses (PutMethodResponse)


@dataclass(frozen=True)
class Resource:
    id: str
    path: str  # "/messages/{id}"
    methods: dict[str, Method]


@dataclass(frozen=True)
class Authorizer:
    id: str
    name: str
    type: str  # COGNITO_USER_POOLS, TOKEN, REQUEST (REST); JWT, REQUEST (HTTP)
    provider_arns: tuple[str, ...] = ()
    identity_source: tuple[str, ...] = ()
    validation_expression: str | None = None
    issuer: str | None = None  # JWT
    audience: tuple[str, ...] = ()  # JWT


REST_INTEGRATION_TIMEOUT_MS = 29_000  # "50 milliseconds - 29 seconds for all integration types" (API Gateway quotas)
HTTP_INTEGRATION_TIMEOUT_MS = 30_000  # HTTP APIs: "30 seconds"


def _timeout(raw: Any, default: int) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


@dataclass
class RestDefinition:
    api_id: str
    resources: tuple[Resource, ...]
    authorizers: dict[str, Authorizer]
    gateway_responses: dict[str, dict[str, Any]]
    binary_media_types: tuple[str, ...]
    api_key_source: str
    disabled: bool  # disableExecuteApiEndpoint
    name: str = ""  # the API's name: its CloudWatch metrics' ApiName
    router: Router = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.router = Router((r.path, r) for r in self.resources)

    @classmethod
    def parse(cls, data: dict[str, Any]) -> RestDefinition:
        resources = []
        for item in data.get("resources") or []:
            methods = {}
            for verb, spec in (item.get("resourceMethods") or {}).items():
                methods[verb.upper()] = _rest_method(verb.upper(), spec or {})
            resources.append(Resource(str(item["id"]), str(item.get("path") or "/"), methods))
        authorizers = {}
        for spec in data.get("authorizers") or []:
            source = str(spec.get("identitySource") or "method.request.header.Authorization")
            authorizers[str(spec["id"])] = Authorizer(
                id=str(spec["id"]), name=str(spec.get("name") or ""), type=str(spec.get("type") or ""),
                provider_arns=tuple(spec.get("providerARNs") or ()),
                identity_source=tuple(s.strip() for s in source.split(",") if s.strip()),
                validation_expression=spec.get("identityValidationExpression") or None,
            )
        responses = {str(r["responseType"]): r for r in data.get("gatewayResponses") or [] if r.get("responseType")}
        return cls(str(data["id"]), tuple(resources), authorizers, responses,
                   tuple(data.get("binaryMediaTypes") or ()), str(data.get("apiKeySource") or "HEADER"),
                   bool(data.get("disableExecuteApiEndpoint")), str(data.get("name") or ""))


def _rest_method(verb: str, spec: dict[str, Any]) -> Method:
    raw = spec.get("methodIntegration")
    integration = None
    if raw:
        responses = tuple(
            IntegrationResponse(str(r.get("statusCode")), r.get("selectionPattern") or None,
                                dict(r.get("responseParameters") or {}), dict(r.get("responseTemplates") or {}))
            for r in (raw.get("integrationResponses") or {}).values())
        integration = Integration(str(raw.get("type") or "").upper(), str(raw.get("uri") or ""),
                                  dict(raw.get("requestTemplates") or {}),
                                  _timeout(raw.get("timeoutInMillis"), REST_INTEGRATION_TIMEOUT_MS), responses)
    scopes = spec.get("authorizationScopes") or ()
    return Method(verb, str(spec.get("authorizationType") or "NONE").upper(), spec.get("authorizerId") or None,
                  tuple([scopes] if isinstance(scopes, str) else scopes), bool(spec.get("apiKeyRequired")),
                  integration, frozenset(str(s) for s in (spec.get("methodResponses") or {})))


@dataclass
class HttpDefinition:
    """An HTTP API. Routes are keyed "METHOD /path" (or "$default"); each Resource here is one path with its
    methods, so the same router serves both kinds of API."""

    api_id: str
    resources: tuple[Resource, ...]
    default_route: Method | None
    authorizers: dict[str, Authorizer]
    cors: dict[str, Any] | None
    disabled: bool
    router: Router = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.router = Router((r.path, r) for r in self.resources)

    @classmethod
    def parse(cls, data: dict[str, Any]) -> HttpDefinition:
        integrations = {}
        for spec in data.get("integrations") or []:
            integrations[str(spec.get("integrationId"))] = Integration(
                str(spec.get("integrationType") or "").upper(), str(spec.get("integrationUri") or ""), {},
                min(_timeout(spec.get("timeoutInMillis"), HTTP_INTEGRATION_TIMEOUT_MS), HTTP_INTEGRATION_TIMEOUT_MS),
                (), str(spec.get("payloadFormatVersion") or "2.0"))
        paths: dict[str, dict[str, Method]] = {}
        default_route = None
        for spec in data.get("routes") or []:
            key = str(spec.get("routeKey") or "")
            target = str(spec.get("target") or "")
            integration = integrations.get(target.split("/", 1)[1]) if target.startswith("integrations/") else None
            verb, _, path = key.partition(" ")
            method = Method(verb.upper() if path else "ANY", str(spec.get("authorizationType") or "NONE").upper(),
                            spec.get("authorizerId") or None, tuple(spec.get("authorizationScopes") or ()),
                            bool(spec.get("apiKeyRequired")), integration, frozenset())
            if key == "$default":
                default_route = method
            elif path.startswith("/"):
                paths.setdefault(path, {})[method.http_method] = method
        authorizers = {}
        for spec in data.get("authorizers") or []:
            jwt = spec.get("jwtConfiguration") or {}  # moto keeps the wire JSON: "issuer", "audience"
            authorizers[str(spec.get("authorizerId"))] = Authorizer(
                id=str(spec.get("authorizerId")), name=str(spec.get("name") or ""),
                type=str(spec.get("authorizerType") or ""),
                identity_source=tuple(spec.get("identitySource") or ("$request.header.Authorization",)),
                issuer=jwt.get("issuer", jwt.get("Issuer")), audience=tuple(jwt.get("audience", jwt.get("Audience"))
                                                                            or ()))
        resources = tuple(Resource(path, path, methods) for path, methods in paths.items())
        cors = {k[:1].upper() + k[1:]: v for k, v in (data.get("corsConfiguration") or {}).items()}
        return cls(str(data["id"]), resources, default_route, authorizers, cors or None,
                   bool(data.get("disableExecuteApiEndpoint")))


class DeploymentStore:
    """Frozen definitions by (API id, deployment id), kept as the JSON they were read as (for the snapshot) and
    parsed once. Thread-safe."""

    def __init__(self) -> None:
        self._json: dict[tuple[str, str], dict[str, Any]] = {}
        self._parsed: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def put(self, api_id: str, deployment_id: str, definition: dict[str, Any]) -> None:
        with self._lock:
            self._json[(api_id, deployment_id)] = definition
            self._parsed.pop((api_id, deployment_id), None)

    def get(self, api_id: str, deployment_id: str, kind: str = "REST") -> RestDefinition | HttpDefinition | None:
        key = (api_id, deployment_id)
        with self._lock:
            parsed = self._parsed.get(key)
            data = self._json.get(key) if parsed is None else None
        if parsed is None and data is not None:
            parsed = (RestDefinition if kind == "REST" else HttpDefinition).parse(data)
            with self._lock:
                self._parsed[key] = parsed
        return parsed

    def __contains__(self, key: tuple[str, str]) -> bool:
        with self._lock:
            return key in self._json

    def __len__(self) -> int:
        with self._lock:
            return len(self._json)

    def snapshot(self, keep: Any = None) -> dict[tuple[str, str], dict[str, Any]]:
        """The definitions (JSON); ``keep(api_id, deployment_id)`` drops deleted deployments."""
        with self._lock:
            return {k: v for k, v in self._json.items() if keep is None or keep(*k)}

    def restore(self, state: dict[tuple[str, str], dict[str, Any]]) -> None:
        with self._lock:
            self._json = dict(state)
            self._parsed.clear()
