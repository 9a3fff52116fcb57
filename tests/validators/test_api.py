"""The API validator: green on the API as notebook 09 builds it; the right hint on the classic mistakes (missing
Lambda permission, the authorizer on OPTIONS, a method without the authorizer, API Gateway's own errors without CORS
headers)."""

from __future__ import annotations

import validators
from validators.base import FAIL, PASS

from .deployments import deploy_api, deploy_app


def results(cfg):
    return {r.check: r for r in validators.run(["api"], cfg).results}


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
