"""The operation router knows each claimed service's signing name and X-Amz-Target prefix without its model, so
requests for other services never wait for a model to load; the tables must agree with botocore's models."""

from __future__ import annotations

import pytest

from labkit import config as _config
from labkit.cloud.cognito import models as cognito_models
from labkit.cloud.core import routing
from labkit.cloud.core.routing import OperationRouter
from labkit.cloud.moto import protocols


def _signed(service: str, region: str = "us-east-1", **environ: str) -> dict[str, str]:
    scope = f"testing/20240101/{region}/{service}/aws4_request"
    return {"HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=00",
            "REQUEST_METHOD": "GET", "PATH_INFO": "/", **environ}


@pytest.fixture(scope="module")
def claimed(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Every service a provider of the local cloud claims (the cloud is built, not started)."""
    from labkit.cloud.server import LocalCloud

    cfg = _config.load({"LAB_STATE_DIR": str(tmp_path_factory.mktemp("routing"))})
    services = LocalCloud(cfg).providers.router.services
    cognito_models.set_cognito_hooks(None, None)  # building the Cognito component turned them on in this process
    return services


def test_tables_agree_with_botocore(claimed):
    assert claimed, "no provider claims a service"
    for service in claimed:
        model = protocols.service_model(service)
        assert routing.signing_name(service) == model.signing_name, service
        assert routing.TARGET_PREFIXES.get(service) == model.metadata.get("targetPrefix"), service


def test_other_services_load_no_model():
    """An S3 call (signed) or an unknown X-Amz-Target goes to moto without reading any model."""
    router = OperationRouter(["apigatewayv2", "cloudfront", "cognito-idp"])
    assert router.match(_signed("s3")) is None
    assert router.match({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.ListTables", "REQUEST_METHOD": "POST"}) is None
    assert router.loaded == []


def test_claimed_service_loads_only_its_own_models():
    router = OperationRouter(["apigateway", "apigatewayv2", "cloudfront"])
    found = router.match(_signed("apigateway", "eu-west-1", PATH_INFO="/v2/apis"))
    assert (found.service, found.operation.name, found.region) == ("apigatewayv2", "GetApis", "eu-west-1")
    assert sorted(router.loaded) == ["apigateway", "apigatewayv2"]  # both sign as "apigateway"
    unsigned = OperationRouter(["cognito-idp"]).match(
        {"HTTP_X_AMZ_TARGET": "AWSCognitoIdentityProviderService.SignUp", "REQUEST_METHOD": "POST"})
    assert (unsigned.service, unsigned.operation.name) == ("cognito-idp", "SignUp")
