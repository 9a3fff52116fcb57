"""API Gateway (REST and HTTP APIs) as moto holds it. The data plane serves REST and HTTP APIs from what moto
stores. moto keeps a deployment as an id and replaces a stage (and its settings) on every CreateDeployment; the data
plane freezes an API's definition when it is deployed, and reads stages and usage plans live, cached per change count
(labkit.cloud.moto.changes).

    ApiLocation, apigw_locate(api_id)                     kind (REST or HTTP), account and region of an API id, or None
    apigw_rest_definition(account, region, api_id)        what a REST deployment freezes (plain JSON), or None
    apigw_create_deployment(account, region, api_id, …)   CreateDeployment as AWS does it: (deployment, definition)
    apigw_deployment_ids(account, region, api_id)         the ids of the REST API's deployments
    apigw_update(account, region, kind, params)           UpdateMethod, UpdateIntegration, UpdateResource, … (patches.py)
    apigw_stage(account, region, api_id, stage)           a REST stage as GetStage shows it, or None (with the
                                                          canarySettings the kit adds to moto's stages: canary.py)
    apigw_usage_plans(account, region)                    usage plans, each with its API keys (value, enabled)
    apigw_http_definition(account, region, api_id)        an HTTP API: routes, integrations, authorizers, CORS
    apigw_http_stage(account, region, api_id, stage)      an HTTP API stage as GetStage shows it, or None

Errors come out as AwsError with moto's code and message.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json as _json
import sys as _sys
from collections.abc import Iterator
from typing import Any

from ..core.errors import AwsError
from ..moto import LOCK
from ..moto.changes import count_change
from ..moto.importhook import when_imported
from . import canary as _canary

CANARY = "kit_canary_settings"  # the attribute of moto's Stage that holds its canary settings (canary.py)


@dataclasses.dataclass(frozen=True)
class ApiLocation:
    kind: str  # "REST" (apigateway) or "HTTP" (apigatewayv2)
    account: str
    region: str


@contextlib.contextmanager
def _apigw_errors() -> Iterator[None]:
    from moto.core.exceptions import JsonRESTError

    with LOCK:
        try:
            yield
        except JsonRESTError as exc:
            raise AwsError(exc.error_type, exc.message, exc.code) from None


def _apigw_backends(module: str, attr: str) -> Iterator[tuple[str, str, Any]]:
    """(account, region, backend) of a service already in use; nothing when moto never loaded it (the import is
    slow, and an API cannot exist before its service's first request)."""
    loaded = _sys.modules.get(module)
    if loaded is None:
        return
    for account, per_account in list(getattr(loaded, attr).items()):
        for region, backend in list(dict.items(per_account)):
            yield account, region, backend


def apigw_locate(api_id: str) -> ApiLocation | None:
    with LOCK:
        for account, region, backend in _apigw_backends("moto.apigateway.models", "apigateway_backends"):
            if api_id in backend.apis:
                return ApiLocation("REST", account, region)
        for account, region, backend in _apigw_backends("moto.apigatewayv2.models", "apigatewayv2_backends"):
            if api_id in backend.apis:
                return ApiLocation("HTTP", account, region)
    return None


def _apigw_rest_api(account: str, region: str, api_id: str) -> Any:
    from moto.apigateway.models import apigateway_backends

    return apigateway_backends[account][region].get_rest_api(api_id)


def _apigw_definition(api: Any) -> dict[str, Any]:
    return {
        "id": api.id,
        "name": api.name,
        "resources": [resource.to_dict() for resource in list(api.resources.values())],
        "authorizers": [authorizer.to_json() for authorizer in list(api.authorizers.values())],
        "gatewayResponses": [response.to_json() for response in list(api.gateway_responses.values())],
        "binaryMediaTypes": list(api.binaryMediaTypes or []),
        "apiKeySource": api.api_key_source or "HEADER",
        "disableExecuteApiEndpoint": bool(api.disableExecuteApiEndpoint),
    }


def apigw_rest_definition(account: str, region: str, api_id: str) -> dict[str, Any] | None:
    """The API as it stands: resources with their methods and integrations, authorizers, gateway responses,
    binary media types, API key source; a deep copy (JSON), safe to keep."""
    with _apigw_errors():
        try:
            api = _apigw_rest_api(account, region, api_id)
        except AwsError:
            return None
        return _json.loads(_json.dumps(_apigw_definition(api), default=str))


def apigw_create_deployment(account: str, region: str, api_id: str, *, stage_name: str | None,
                            description: str = "", stage_description: str | None = None,
                            variables: dict[str, str] | None = None, canary: dict[str, Any] | None = None,
                            ) -> tuple[dict[str, Any], dict[str, Any]]:
    """moto's CreateDeployment, except that an existing stage keeps its settings (method settings, access logs,
    web ACL, variables) and only points at the new deployment, as on AWS ("Deploy a REST API": redeploying to a
    stage updates it). With ``canary`` (canarySettings) the new deployment becomes the stage's canary and the stage
    keeps its own; the stage must exist ("you cannot specify any non-existing stage name when creating a canary
    release deployment"). Returns the deployment (GetDeployment's shape) and the API definition it froze."""
    from moto.apigateway.models import Stage

    with _apigw_errors():
        api = _apigw_rest_api(account, region, api_id)
        from moto.apigateway.models import apigateway_backends

        backend = apigateway_backends[account][region]
        kept = api.stages.get(stage_name) if stage_name else None
        if canary is not None:
            if kept is None:
                raise AwsError("BadRequestException", f"Invalid stage identifier specified: {stage_name or '(none)'}"
                               ": a canary release deploys to an existing stage", 400)
            settings = _canary.from_deployment(canary, "")
            deployment = backend.create_deployment(api_id, "", description, {})
            setattr(kept, CANARY, {**settings, "deploymentId": deployment.id})
            count_change("apigateway")
            return deployment.to_json(), _json.loads(_json.dumps(_apigw_definition(api), default=str))
        deployment = backend.create_deployment(api_id, stage_name or "", description, dict(variables or {}))
        if stage_name:
            if kept is not None:
                kept.deployment_id = deployment.id
                kept.variables.update(variables or {})
                api.stages[stage_name] = kept
            stage: Stage = api.stages[stage_name]
            if stage_description is not None:
                stage.description = stage_description
        definition = _json.loads(_json.dumps(_apigw_definition(api), default=str))
        count_change("apigateway")
        return deployment.to_json(), definition


def _apigw_patch_target(backend: Any, kind: str, params: dict[str, Any]) -> Any:
    from moto.apigateway.exceptions import NoIntegrationDefined

    api_id, resource_id = params["restApiId"], params["resourceId"]
    if kind == "resource":
        return backend.get_resource(api_id, resource_id)
    method = backend.get_method(api_id, resource_id, params["httpMethod"])
    if kind == "method":
        return method
    if kind == "method_response":
        response = method.get_response(params["statusCode"])
        if response is None:
            raise AwsError("NotFoundException", "Invalid Response status code specified", 404)
        return response
    if method.method_integration is None:
        raise NoIntegrationDefined()
    if kind == "integration":
        return method.method_integration
    return method.method_integration.get_integration_response(params["statusCode"])


def _apigw_check_parent(resources: dict[str, Any], target: Any) -> None:
    """A resource's parent must exist and be neither itself nor below it."""
    parent = target.parent_id
    while parent is not None and parent != target.id and parent in resources:
        parent = resources[parent].parent_id
    if parent is not None:
        raise AwsError("NotFoundException", "Invalid Resource identifier specified", 404)


def apigw_update(account: str, region: str, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Apply an Update* call's patchOperations (patches.apply) to moto's object; answer it as its Get* does."""
    from moto.apigateway.models import apigateway_backends

    from . import patches

    with _apigw_errors():
        backend = apigateway_backends[account][region]
        target = _apigw_patch_target(backend, kind, params)
        resources = backend.get_rest_api(params["restApiId"]).resources
        check = (lambda: _apigw_check_parent(resources, target)) if kind == "resource" else None
        patches.apply(kind, target, params.get("patchOperations") or [], check)
        count_change("apigateway")
        shown = target.to_dict() if kind == "resource" else target.to_json()
        return {key: value for key, value in shown.items() if value is not None}


def apigw_deployment_ids(account: str, region: str, api_id: str) -> set[str]:
    with _apigw_errors():
        try:
            return set(_apigw_rest_api(account, region, api_id).deployments)
        except AwsError:
            return set()


def apigw_stage(account: str, region: str, api_id: str, stage: str) -> dict[str, Any] | None:
    with _apigw_errors():
        try:
            found = _apigw_rest_api(account, region, api_id).stages.get(stage)
        except AwsError:
            return None
        return None if found is None else _json.loads(_json.dumps(found.to_json(), default=str))


def apigw_usage_plans(account: str, region: str) -> list[dict[str, Any]]:
    """Every usage plan of the region (id, apiStages, throttle, quota) with ``keys``: its API keys' id, value and
    enabled flag."""
    from moto.apigateway.models import apigateway_backends

    with _apigw_errors():
        backend = apigateway_backends[account][region]
        plans = []
        for plan in list(backend.usage_plans.values()):
            keys = []
            for key_id in list(backend.usage_plan_keys.get(plan.id, {})):
                key = backend.keys.get(key_id)
                if key is not None:
                    keys.append({"id": key.id, "value": key.value, "enabled": bool(key.enabled)})
            plans.append({**_json.loads(_json.dumps(plan.to_json(), default=str)), "keys": keys})
        return plans


def _apigw_http_api(account: str, region: str, api_id: str) -> Any:
    from moto.apigatewayv2.models import apigatewayv2_backends

    return apigatewayv2_backends[account][region].get_api(api_id)


def apigw_http_definition(account: str, region: str, api_id: str) -> dict[str, Any] | None:
    """An HTTP API as it stands: routes, integrations, authorizers, CORS configuration (JSON copies)."""
    with _apigw_errors():
        try:
            api = _apigw_http_api(account, region, api_id)
        except AwsError:
            return None
        definition = {
            "id": api.api_id,
            "name": api.name,
            "protocolType": api.protocol_type,
            "corsConfiguration": api.cors_configuration,
            "disableExecuteApiEndpoint": bool(api.disable_execute_api_endpoint),
            "routes": [route.to_json() for route in list(api.routes.values())],
            "integrations": [integration.to_json() for integration in list(api.integrations.values())],
            "authorizers": [authorizer.to_json() for authorizer in list(api.authorizers.values())],
            "stages": sorted(api.stages),
        }
        return _json.loads(_json.dumps(definition, default=str))


def apigw_http_stage(account: str, region: str, api_id: str, stage: str) -> dict[str, Any] | None:
    with _apigw_errors():
        try:
            found = _apigw_http_api(account, region, api_id).stages.get(stage)
        except AwsError:
            return None
        return None if found is None else _json.loads(_json.dumps(found.to_json(), default=str))


def _patch_stages(models: Any) -> None:
    """moto's Stage shows its canary settings (GetStage) and takes UpdateStage's /canarySettings operations."""
    stage = models.Stage
    if getattr(stage.to_json, "__kit_canary__", False):
        return
    to_json, apply_operations = stage.to_json, stage.apply_operations

    def to_json_with_canary(self: Any) -> dict[str, Any]:
        shown = to_json(self)
        if getattr(self, CANARY, None):
            shown["canarySettings"] = dict(getattr(self, CANARY))
        return shown

    def apply_canary_operations(self: Any, patch_operations: list[dict[str, Any]]) -> Any:
        from moto.apigateway.exceptions import BadRequestException

        try:
            canary, changes, others = _canary.apply(getattr(self, CANARY, None), {
                "deploymentId": self.deployment_id, "variables": self.variables}, patch_operations)
        except AwsError as exc:
            raise BadRequestException(exc.message) from None
        result = apply_operations(self, others)
        setattr(self, CANARY, canary)
        self.deployment_id = changes.get("deploymentId", self.deployment_id)
        self.variables = changes.get("variables", self.variables)
        return result

    to_json_with_canary.__kit_canary__ = True  # type: ignore[attr-defined]
    stage.to_json, stage.apply_operations = to_json_with_canary, apply_canary_operations


when_imported("moto.apigateway.models", _patch_stages)
