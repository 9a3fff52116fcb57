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

from .bridge import service_model


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


class OperationRouter:
    """Loading the models takes ~0.3 s, so it happens on first use (or ahead of it, in load() on a background
    thread at start): the gateway can answer before the models are read."""

    def __init__(self, services: list[str]) -> None:
        self._services = services
        self._loaded = threading.Event()
        self._loading = threading.Lock()
        self._models: dict[str, list[Any]] = {}  # signing name → service models
        self._targets: dict[str, Any] = {}  # X-Amz-Target prefix → service model
        self._routes: dict[str, list[_RestRoute]] = {}

    def load(self) -> None:
        if self._loaded.is_set():
            return
        with self._loading:
            if self._loaded.is_set():
                return
            for name in self._services:
                model = service_model(name)
                self._models.setdefault(model.signing_name, []).append(model)
                if prefix := model.metadata.get("targetPrefix"):
                    self._targets[prefix] = model
                if model.protocol.startswith("rest"):
                    self._routes[name] = self._rest_routes(model)
            self._loaded.set()

    @staticmethod
    def _rest_routes(model: Any) -> list[_RestRoute]:
        routes = []
        for op_name in model.operation_names:
            op = model.operation_model(op_name)
            pattern, required, weight, names = _compile(op.http["requestUri"])
            routes.append(_RestRoute(op.http["method"], pattern, required, op, weight, names))
        return sorted(routes, key=lambda r: (-r.weight, -len(r.required_query)))

    def match(self, environ: dict[str, Any]) -> Match | None:
        self.load()
        auth = environ.get("HTTP_AUTHORIZATION", "")
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        region = "us-east-1"
        if auth.startswith("AWS4-HMAC-SHA256"):
            try:
                _, _, region, signing_name, _ = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
            except (IndexError, ValueError):
                return None
            models = self._models.get(signing_name, [])
        elif target:
            model = self._targets.get(target.split(".", 1)[0])
            models = [model] if model else []
        else:
            return None
        for model in models:
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
