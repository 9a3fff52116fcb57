"""The journey validator: green on a site built as notebooks 01–10 build it, config.js written as notebook 09 writes
it; config.js naming what no longer exists (a recreated app client, a deleted stage or API) fails journey.config
naming the stale value, while the layers that look resources up by name still pass; no config.js, the placeholder,
or an old copy in CloudFront's cache each get their own hint."""

from __future__ import annotations

import dataclasses
import json
import uuid

import pytest

import validators
import validators.journey as journey
from labkit import api_url, cognito_endpoint, names, site_origin
from validators.base import BLOCKED, BUG_HINT, FAIL, PASS, SKIP, Context, run_checks
from validators.probes import http_request
from validators.runner import plan, problems

from . import deployments
from .deployments import deploy_api, deploy_app, deploy_site


def results(cfg) -> dict:
    return {r.check: r for r in run_checks(journey.CHECKS, Context(cfg))}


def pool_and_client(cloud, cfg) -> tuple[str, str]:
    idp, n = cloud.client("cognito-idp"), names(cfg)
    pool = next(p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == n.user_pool)
    client = next(c["ClientId"] for c in idp.list_user_pool_clients(UserPoolId=pool, MaxResults=60)["UserPoolClients"]
                  if c["ClientName"] == n.app_client)
    return pool, client


def write_config(cloud, cfg, dist, api: str, *, invalidate: bool = True) -> dict:
    """config.js as notebook 09's last cell writes it (JSON after ``window.CONTACT_CONFIG = ``), then invalidated."""
    pool, client = pool_and_client(cloud, cfg)
    values = {"region": cfg.region, "userPoolId": pool, "clientId": client, "cognitoEndpoint": cognito_endpoint(cfg),
              "apiUrl": api_url(api, names(cfg).stage, cfg)}
    cloud.client("s3").put_object(Bucket=names(cfg).site_bucket, Key="config.js", ContentType="text/javascript",
                                  Body=("window.CONTACT_CONFIG = " + json.dumps(values, indent=2) + ";\n").encode())
    if invalidate:
        cloud.client("cloudfront").create_invalidation(DistributionId=dist["Id"], InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/config.js"]}, "CallerReference": uuid.uuid4().hex})
    return values


def build(cloud, monkeypatch, *, config: bool = True):
    """Site (01–04), function and topic (07, 08, 10), pool and API (06, 09) under one prefix and domain, so the site's
    origin is on the function's CORS allow-list: (cfg, distribution, api id)."""
    site_cfg, dist = deploy_site(cloud)
    cfg = dataclasses.replace(site_cfg, owner_email=f"owner-{uuid.uuid4().hex[:6]}@example.com")
    monkeypatch.setattr(deployments, "new_cfg", lambda _cloud: cfg)  # deploy_app makes its cfg with new_cfg
    deploy_app(cloud)
    api = deploy_api(cloud, cfg)
    if config:
        write_config(cloud, cfg, dist, api)
    return cfg, dist, api


@pytest.fixture
def deployment(cloud, monkeypatch):
    return build(cloud, monkeypatch)


def test_the_journey_passes_on_the_site_the_notebooks_build(cloud, deployment):
    cfg, _, _ = deployment
    found = results(cfg)
    assert {r.status for r in found.values()} == {PASS}, {k: (r.observed, r.hint) for k, r in found.items()}
    _, client = pool_and_client(cloud, cfg)
    assert client in found["journey.config"].observed
    assert "Allow-Origin " + site_origin(cfg) in found["journey.send"].observed
    assert cfg.owner_email in found["journey.notified"].observed
    pool, _ = pool_and_client(cloud, cfg)
    assert cloud.client("cognito-idp").list_users(UserPoolId=pool)["Users"] == []  # the visitor was deleted
    assert cloud.client("dynamodb").scan(TableName=names(cfg).table)["Items"] == []  # and the message it sent


def test_a_recreated_app_client_fails_config_naming_the_client_id_config_js_still_holds(cloud, deployment):
    """The cognito layer finds the app client by name and passes; the page would sign in with the deleted one."""
    cfg, _, _ = deployment
    idp = cloud.client("cognito-idp")
    pool, old = pool_and_client(cloud, cfg)
    idp.delete_user_pool_client(UserPoolId=pool, ClientId=old)
    new = idp.create_user_pool_client(UserPoolId=pool, ClientName=names(cfg).app_client, GenerateSecret=False,
                                      ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    new = new["UserPoolClient"]["ClientId"]
    assert {r.status for r in validators.run(["cognito"], cfg).results} == {PASS}
    found = results(cfg)
    config = found["journey.config"]
    assert config.status == FAIL
    assert f"clientId {old} no longer exists" in config.observed and new in config.observed
    for words in ("names the old clientId", "notebook 09", "invalidates /config.js"):
        assert words in config.hint
    assert found["journey.sign_in"].status == BLOCKED and found["journey.sign_in"].blocked_by == "journey.config"


def test_a_deleted_stage_fails_config_naming_the_stage(cloud, deployment):
    cfg, _, api = deployment
    cloud.client("apigateway").delete_stage(restApiId=api, stageName=names(cfg).stage)
    config = results(cfg)["journey.config"]
    assert config.status == FAIL, config.observed
    assert f"the API {api} has no deployed stage prod" in config.observed
    assert "notebook 09" in config.hint and config.hint != BUG_HINT


def test_a_recreated_api_fails_config_naming_the_deleted_one(cloud, deployment):
    cfg, _, api = deployment
    apigw = cloud.client("apigateway")
    apigw.delete_rest_api(restApiId=api)
    config = results(cfg)["journey.config"]
    assert config.status == FAIL and f"no REST API named {names(cfg).api} (notebook 09)" in config.observed
    new = apigw.create_rest_api(name=names(cfg).api)["id"]
    root = apigw.get_resources(restApiId=new)["items"][0]["id"]
    apigw.put_method(restApiId=new, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=new, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=new, stageName=names(cfg).stage)
    config = results(cfg)["journey.config"]
    assert config.status == FAIL
    assert f"names an API ({api}) that no longer exists" in config.observed and new in config.observed


def test_a_site_without_config_js_fails_with_a_clear_hint(cloud, monkeypatch):
    """aws-facts CloudFront: the SPA error response answers the missing file with /index.html and 200."""
    cfg, _, _ = build(cloud, monkeypatch, config=False)
    cloud.client("s3").delete_object(Bucket=names(cfg).site_bucket, Key="config.js")
    found = results(cfg)
    assert found["journey.page"].status == PASS
    config = found["journey.config"]
    assert config.status == FAIL and "the page itself" in config.observed
    assert "the site has no config.js" in config.hint and "notebook 09" in config.hint


def test_an_old_config_js_in_cloudfronts_cache_is_named(cloud, monkeypatch):
    """The bucket holds the live values, but the placeholder was cached before and nobody invalidated it."""
    cfg, dist, api = build(cloud, monkeypatch, config=False)
    ca = str(cfg.state_dir / "ca" / "ca.pem")
    assert "userPoolId: \"\"" in http_request("GET", site_origin(cfg) + "/config.js", cafile=ca).text  # cached
    write_config(cloud, cfg, dist, api, invalidate=False)
    config = results(cfg)["journey.config"]
    assert config.status == FAIL and "placeholder" in config.observed
    assert "CloudFront still serves an older copy" in config.hint and "invalidate /config.js" in config.hint
    cloud.client("cloudfront").create_invalidation(DistributionId=dist["Id"], InvalidationBatch={
        "Paths": {"Quantity": 1, "Items": ["/config.js"]}, "CallerReference": uuid.uuid4().hex})
    assert results(cfg)["journey.config"].status == PASS


def test_config_js_is_read_as_javascript_in_either_style():
    """notebook 09 writes JSON; assets/site/config.js has bare keys, a comment with a URL and a trailing comma."""
    placeholder = (deployments.PROJECT_ROOT / "assets" / "site" / "config.js").read_text()
    assert journey.parse_config(placeholder) == {"region": "us-east-1", "userPoolId": "", "clientId": "",
                                                 "cognitoEndpoint": "https://cognito-idp.us-east-1.amazonaws.com/",
                                                 "apiUrl": ""}
    written = "window.CONTACT_CONFIG = " + json.dumps({"clientId": "abc", "apiUrl": "https://x/prod"}) + ";\n"
    assert journey.parse_config(written) == {"clientId": "abc", "apiUrl": "https://x/prod"}
    assert journey.parse_config("window.CONTACT_CONFIG = {clientId: 'a\\'b',};") == {"clientId": "a'b"}
    assert journey.parse_config("<!doctype html><html>…</html>") is None


def test_the_owners_mail_is_not_counted_on_aws(cloud):
    cfg = dataclasses.replace(cloud.cfg, target="aws")
    result = journey.probe_notified(Context(cfg))
    assert result.status == SKIP and not result.counted and "real inbox" in result.observed


def test_the_layers_needs_name_real_checks_and_wait_on_no_cycle():
    layers = {**validators.LAYERS, "journey": "validators.journey"}
    steps = plan(layers)
    assert problems(steps) == []
    needs = {check.id: ids for check, ids in steps["journey"]}["journey.page"]
    assert {"api.signed_in", "cdn.origin_access", "cognito.client", "sns.delivery"} <= set(needs), needs
