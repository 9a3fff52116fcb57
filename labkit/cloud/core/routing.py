"""Which AWS operation a request calls, read from the service's botocore model (the wire format's own source).

The service comes from the SigV4 credential scope (``…/us-east-1/cloudfront/aws4_request``), or for unsigned
calls from the ``X-Amz-Target`` prefix. The operation comes from ``X-Amz-Target`` (json), ``Action`` (query), or
from the method and path matched against the model's ``requestUri`` templates (rest-json, rest-xml).
Only services a provider claims are loaded, so requests for the rest cost one header split.
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from ..moto.protocols import service_model


@dataclass
class Match:
    service: str  # botocore service name
    operation: Any  # botocore OperationModel
    uri_params: dict[str, str] = field(default_factory=dict)
    region: str = "us-east-1"


@dataclass
class _RestRoute:
    method: str
    pattern: re.Pattern[str]
    required_query: tuple[str, ...]
    operation: Any
    weight: int  # literal characters: the most specific template wins
    names: dict[str, str]  # regex group → the model's uri member name


def _compile(request_uri: str) -> tuple[re.Pattern[str], tuple[str, ...], int, dict[str, str]]:
    path, _, query = request_uri.partition("?")
    regex, literal, names = "", 0, {}
    for token in re.split(r"(\{[^}]+\})", path):
        if token.startswith("{"):
            name = token[1:-1]
            greedy = name.endswith("+")
            name = name.rstrip("+")
            group = f"g{len(names)}"
            names[group] = name
            regex += f"(?P<{group}>{'.+' if greedy else '[^/]+'})"
        else:
            regex += re.escape(token)
            literal += len(token)
    required = tuple(part.split("=")[0] for part in query.split("&") if part)
    return re.compile(regex.rstrip("/") + "/?$"), required, literal, names


# What a request's headers name, for each service a provider claims, known without the service's model: a request
# for any other service (S3, DynamoDB…) is then told apart by one header split, and a claimed service's model is
# read at the first request that may be for it (25-200 ms each; moto caches it for its own answers too).
# tests/cloud/test_routing.py checks both tables against botocore's models.
SIGNING_NAMES = {"apigatewayv2": "apigateway"}  # SigV4 credential scope; any other service signs with its own name
TARGET_PREFIXES = {  # X-Amz-Target prefix of the json-protocol services
    "acm": "CertificateManager",
    "cognito-idp": "AWSCognitoIdentityProviderService",
    "wafv2": "AWSWAF_20190729",
}


def signing_name(service: str) -> str:
    return SIGNING_NAMES.get(service, service)


class OperationRouter:
    """Finds a request's operation among the claimed services; thread-safe."""

    def __init__(self, services: list[str]) -> None:
        self.services = services
        self._by_signing_name: dict[str, list[str]] = {}
        for name in services:
            self._by_signing_name.setdefault(signing_name(name), []).append(name)
        self._by_target = {TARGET_PREFIXES[name]: name for name in services if name in TARGET_PREFIXES}
        self._loading = threading.Lock()
        self._models: dict[str, Any] = {}  # service → botocore model, once read
        self._routes: dict[str, list[_RestRoute]] = {}

    @property
    def loaded(self) -> list[str]:
        """The services whose model has been read."""
        return list(self._models)

    def _model(self, name: str) -> Any:
        model = self._models.get(name)
        if model is None:
            with self._loading:
                model = self._models.get(name)
                if model is None:
                    model = service_model(name)
                    if model.protocol.startswith("rest"):
                        self._routes[name] = self._rest_routes(model)
                    self._models[name] = model
        return model

    @staticmethod
    def _rest_routes(model: Any) -> list[_RestRoute]:
        routes = []
        for op_name in model.operation_names:
            op = model.operation_model(op_name)
            pattern, required, weight, names = _compile(op.http["requestUri"])
            routes.append(_RestRoute(op.http["method"], pattern, required, op, weight, names))
        return sorted(routes, key=lambda r: (-r.weight, -len(r.required_query)))

    def match(self, environ: dict[str, Any]) -> Match | None:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        region = "us-east-1"
        if auth.startswith("AWS4-HMAC-SHA256"):
            try:
                _, _, region, signing, _ = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
            except (IndexError, ValueError):
                return None
            names = self._by_signing_name.get(signing, [])
        elif target:
            name = self._by_target.get(target.split(".", 1)[0])
            names = [name] if name else []
        else:
            return None
        for name in names:
            model = self._model(name)
            found = self._match_operation(model, environ, target)
            if found:
                operation, params = found
                return Match(model.service_name, operation, params, region)
        return None

    def _match_operation(self, model: Any, environ: dict[str, Any], target: str) -> tuple[Any, dict] | None:
        if model.protocol == "json":
            prefix, _, op_name = target.partition(".")
            if prefix == model.metadata.get("targetPrefix") and op_name in model.operation_names:
                return model.operation_model(op_name), {}
            return None
        if model.protocol in ("query", "ec2"):
            action = _query_action(environ)
            if action in model.operation_names:
                return model.operation_model(action), {}
            return None
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/")
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        for route in self._routes.get(model.service_name, []):
            if route.method != method or any(key not in query for key in route.required_query):
                continue
            found = route.pattern.match(path)
            if found:
                return route.operation, {route.names[g]: v for g, v in found.groupdict().items()}
        return None


def _query_action(environ: dict[str, Any]) -> str | None:
    """``Action`` from the query string or a form body; the body is put back for whoever reads it next."""
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if action:
        return action[0]
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    found = parse_qs(body.decode("utf-8", "replace")).get("Action")
    return found[0] if found else None
