"""The API validator: green on the API as notebook 09 builds it; the right hint on the classic mistakes (missing
Lambda permission, the authorizer on OPTIONS, a method without the authorizer, an authorizer for another user pool,
a non-proxy integration, API Gateway's own errors without CORS headers, a CORS allow-list without the www name, a
MOCK preflight, an origin echoed unchecked, a stage without throttling)."""

from __future__ import annotations

import uuid

import validators
from labkit import names, site_origins
from validators.base import BLOCKED, FAIL, PASS

from .deployments import APP, deploy_api, deploy_app


def results(cfg):
    return {r.check: r for r in validators.run(["api"], cfg).results}


def redo_methods(cloud, cfg, api, **changes):
    """Put GET and POST on /messages again with some of their settings changed, and deploy. moto implements neither
    update_method nor update_integration, and its update_authorizer cannot change providerARNs, so a variant is a
    method put again (which drops its integration, put back here)."""
    apigw = cloud.client("apigateway")
    resource = next(r["id"] for r in apigw.get_resources(restApiId=api)["items"] if r["path"] == "/messages")
    for verb in ("GET", "POST"):
        method = apigw.get_method(restApiId=api, resourceId=resource, httpMethod=verb)
        apigw.put_method(restApiId=api, resourceId=resource, httpMethod=verb, authorizationType="COGNITO_USER_POOLS",
                         authorizerId=changes.get("authorizer", method["authorizerId"]))
        apigw.put_integration(restApiId=api, resourceId=resource, httpMethod=verb,
                              type=changes.get("integration", "AWS_PROXY"), integrationHttpMethod="POST",
                              uri=method["methodIntegration"]["uri"])
    apigw.create_deployment(restApiId=api, stageName=names(cfg).stage)


def test_api_as_the_notebook_builds_it_passes(cloud):
    cfg = deploy_app(cloud)
    deploy_api(cloud, cfg)
    found = results(cfg)
    assert {r.status for r in found.values()} == {PASS}, {k: (r.observed, r.hint) for k, r in found.items()}


def test_missing_lambda_permission_is_named(cloud):
    cfg = deploy_app(cloud)
    deploy_api(cloud, cfg, permission=False)
    found = results(cfg)["api.signed_in"]
    assert found.status == FAIL and "missing Lambda permission" in found.hint


def test_authorizer_on_options_is_named(cloud):
    cfg = deploy_app(cloud)
    deploy_api(cloud, cfg, options_auth=True)
    found = results(cfg)["api.preflight"]
    assert found.status == FAIL and "authorizer on OPTIONS" in found.hint


def test_method_without_authorizer_is_named(cloud):
    cfg = deploy_app(cloud)
    deploy_api(cloud, cfg, get_auth=False)
    found = results(cfg)["api.no_token"]
    assert found.status == FAIL and "no authorizer" in found.hint


def test_errors_without_cors_headers_are_named(cloud):
    """aws-facts API Gateway (CORS): API Gateway's own 401 carries Access-Control-Allow-Origin only when a gateway
    response adds it; the browser hides an answer without it."""
    cfg = deploy_app(cloud)
    deploy_api(cloud, cfg, error_cors=False)
    found = results(cfg)
    assert found["api.no_token"].status == PASS
    assert found["api.error_cors"].status == FAIL and "put_gateway_response DEFAULT_4XX" in found["api.error_cors"].hint


def test_authorizer_for_another_pool_is_named(cloud):
    """aws-facts API Gateway: a COGNITO_USER_POOLS authorizer validates the token's issuer (the pool): a token from a
    pool its providerARNs do not name → 401."""
    cfg = deploy_app(cloud)
    api = deploy_api(cloud, cfg)
    apigw = cloud.client("apigateway")
    other = cloud.client("cognito-idp").create_user_pool(PoolName=f"other-{uuid.uuid4().hex[:8]}")["UserPool"]
    authorizer = apigw.create_authorizer(restApiId=api, name="other-pool", type="COGNITO_USER_POOLS",
                                         providerARNs=[other["Arn"]],
                                         identitySource="method.request.header.Authorization")["id"]
    redo_methods(cloud, cfg, api, authorizer=authorizer)
    found = results(cfg)
    assert found["api.no_token"].status == PASS and found["api.proxy"].status == PASS
    signed_in = found["api.signed_in"]
    assert signed_in.status == FAIL and "401" in signed_in.observed and other["Arn"] in signed_in.observed
    for cause in ("providerARNs", "method.request.header.Authorization"):
        assert cause in signed_in.hint
    assert "Bearer" not in signed_in.hint  # the check sends the token as is: a Bearer prefix cannot be the cause


def test_authorizer_reading_another_header_is_named(cloud):
    cfg = deploy_app(cloud)
    api = deploy_api(cloud, cfg)
    apigw = cloud.client("apigateway")
    authorizer = apigw.get_authorizers(restApiId=api)["items"][0]["id"]
    apigw.update_authorizer(restApiId=api, authorizerId=authorizer, patchOperations=[
        {"op": "replace", "path": "/identitySource", "value": "method.request.header.X-Token"}])
    apigw.create_deployment(restApiId=api, stageName=names(cfg).stage)
    found = results(cfg)["api.signed_in"]
    assert found.status == FAIL and "identitySource method.request.header.X-Token" in found.observed
    assert "identitySource is not method.request.header.Authorization" in found.hint


def test_non_proxy_integration_is_named(cloud):
    cfg = deploy_app(cloud)
    api = deploy_api(cloud, cfg)
    redo_methods(cloud, cfg, api, integration="AWS")
    found = results(cfg)
    assert found["api.proxy"].status == FAIL and "GET → AWS" in found["api.proxy"].observed
    for words in ("proxy vs non-proxy", "requestContext.authorizer.claims", "use type AWS_PROXY"):
        assert words in found["api.proxy"].hint
    # It needs the proxy integration: the 500 it would get says nothing more.
    assert found["api.signed_in"].status == BLOCKED and found["api.signed_in"].blocked_by == "api.proxy"


def test_stage_without_throttling_is_named(cloud):
    cfg = deploy_app(cloud)
    api = deploy_api(cloud, cfg)
    apigw = cloud.client("apigateway")
    apigw.delete_stage(restApiId=api, stageName=names(cfg).stage)
    apigw.create_deployment(restApiId=api, stageName=names(cfg).stage)
    found = results(cfg)
    assert found["api.signed_in"].status == PASS
    assert found["api.throttling"].status == FAIL and "throttle the stage" in found["api.throttling"].hint


def test_an_allow_list_without_www_is_named(cloud):
    """The site answers on its domain and www (notebook 04's aliases); Access-Control-Allow-Origin names one origin
    (aws-facts API Gateway, CORS: the function adds it to its own answers), so a function allowing only the domain
    fails every call from the www page: the domain's checks pass, the www one names the allow-list."""
    cfg = deploy_app(cloud, www=False)
    deploy_api(cloud, cfg)
    found = results(cfg)
    assert found["api.preflight"].status == PASS and found["api.error_cors"].status == PASS
    www = found["api.www_origin"]
    assert www.status == FAIL and site_origins(cfg)[1] in www.observed
    assert "the allow-list lacks www" in www.hint and "ALLOWED_ORIGINS" in www.hint


def test_a_mock_preflight_is_named(cloud):
    """aws-facts API Gateway (CORS): a MOCK integration answers the preflight with static headers: one origin, so
    the www name's preflight gets the domain's origin and the browser refuses it."""
    cfg = deploy_app(cloud)
    deploy_api(cloud, cfg, mock_preflight=True)
    found = results(cfg)
    assert found["api.preflight"].status == PASS
    www = found["api.www_origin"]
    assert www.status == FAIL and "MOCK integration" in www.hint and "AWS_PROXY" in www.hint


def test_an_origin_echoed_without_checking_is_named(cloud):
    source = APP.replace("elif origin in allowed:", "elif origin:")
    assert source != APP
    cfg = deploy_app(cloud, source=source)
    deploy_api(cloud, cfg)
    www = results(cfg)["api.www_origin"]
    assert www.status == FAIL and "https://elsewhere.example" in www.observed
    assert "an origin echoed without checking" in www.hint
