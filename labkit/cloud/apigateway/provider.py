"""The API Gateway operations the data plane answers in place of moto.

    ApiGatewayProvider.create_deployment     REST: moto's CreateDeployment, but an existing stage keeps its settings
                                             (moto builds a new Stage: method settings, access logs, the web ACL
                                             and variables were lost), and the API's definition is frozen for the
                                             data plane (only the deployed state is served)
    ApiGatewayProvider.update_method, update_integration, update_resource, update_method_response,
        update_integration_response          moto has none of them: API Gateway's patch operations (patches.py)
                                             applied to moto's objects
    ApiGatewayV2Provider.create_deployment   HTTP APIs: moto has no CreateDeployment (404, research/moto-5.2.5.md
                                             §8); this one freezes the API and points the stage at it
"""

from __future__ import annotations

import datetime
import random
import string
from typing import Any

from ..core.errors import AwsError
from ..core.providers import Context, Provider
from . import models


class ApiGatewayProvider(Provider):
    service = "apigateway"
    name = "apigateway-deployments"

    def __init__(self, plane: Any) -> None:
        super().__init__(plane.cloud)
        self.plane = plane

    def create_deployment(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        api_id = params["restApiId"]
        deployment, definition = models.apigw_create_deployment(
            ctx.account, ctx.region, api_id, stage_name=params.get("stageName") or None,
            description=params.get("description") or "", stage_description=params.get("stageDescription"),
            variables=params.get("variables"), canary=params.get("canarySettings"))
        self.plane.store.put(api_id, deployment["id"], definition)
        return {"id": deployment["id"], "description": deployment.get("description") or "",
                "createdDate": datetime.datetime.fromtimestamp(int(deployment["createdDate"]), datetime.timezone.utc)}

    def update_method(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return models.apigw_update(ctx.account, ctx.region, "method", params)

    def update_integration(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return models.apigw_update(ctx.account, ctx.region, "integration", params)

    def update_resource(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return models.apigw_update(ctx.account, ctx.region, "resource", params)

    def update_method_response(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return models.apigw_update(ctx.account, ctx.region, "method_response", params)

    def update_integration_response(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return models.apigw_update(ctx.account, ctx.region, "integration_response", params)


class ApiGatewayV2Provider(Provider):
    service = "apigatewayv2"
    name = "apigatewayv2-deployments"

    def __init__(self, plane: Any) -> None:
        super().__init__(plane.cloud)
        self.plane = plane

    def create_deployment(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        api_id = params["ApiId"]
        definition = models.apigw_http_definition(ctx.account, ctx.region, api_id)
        if definition is None:
            raise AwsError("NotFoundException", f"Invalid API identifier specified {ctx.account}:{api_id}", 404)
        stage = params.get("StageName") or None
        if stage is not None and models.apigw_http_stage(ctx.account, ctx.region, api_id, stage) is None:
            raise AwsError("NotFoundException", f"Invalid stage identifier specified: {stage}", 404)
        deployment_id = "".join(random.choices(string.ascii_lowercase + string.digits, k=6))
        self.plane.deploy_http(api_id, deployment_id, stage, definition)
        return {"AutoDeployed": False, "CreatedDate": datetime.datetime.now(datetime.timezone.utc),
                "DeploymentId": deployment_id, "DeploymentStatus": "DEPLOYED",
                "Description": params.get("Description") or ""}
