"""A stage's web ACL (wafv2 AssociateWebACL with the stage ARN) evaluated on every request, before the authorizer.

AWS facts: developer guide "Use AWS WAF to protect your REST APIs in API Gateway" (the association is per stage,
ARN arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>); gateway response WAF_FILTERED: 403, and "AWS WAF
custom responses take precedence over custom gateway responses" ("Gateway response types"); aws-facts.md, WAFv2
(Block with CustomResponse: status, body from CustomResponseBodies).
"""

from __future__ import annotations

import pytest

from .helpers import RestApi, allow_api, unique

VISIBILITY = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}


def _rule(name: str, priority: int, header: str, action: dict) -> dict:
    return {"Name": name, "Priority": priority, "Action": action,
            "VisibilityConfig": {**VISIBILITY, "MetricName": name},
            "Statement": {"ByteMatchStatement": {
                "SearchString": b"attack", "PositionalConstraint": "CONTAINS",
                "FieldToMatch": {"SingleHeader": {"Name": header}},
                "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}]}}}


@pytest.fixture(scope="module")
def guarded(cloud, pool, make_function):
    echo = make_function("echo")
    api = RestApi(cloud)
    authorizer = api.cognito_authorizer(pool["arn"])
    api.proxy("/open", "GET", echo)
    api.proxy("/private", "GET", echo, auth="COGNITO_USER_POOLS", authorizer=authorizer)
    allow_api(cloud, echo, api.id)
    api.deploy("prod")
    waf = cloud.client("wafv2")
    acl = waf.create_web_acl(
        Name=unique("api-acl"), Scope="REGIONAL", DefaultAction={"Allow": {}}, VisibilityConfig=VISIBILITY,
        CustomResponseBodies={"teapot": {"ContentType": "APPLICATION_JSON", "Content": '{"blocked": true}'}},
        Rules=[_rule("plain-block", 0, "x-probe", {"Block": {}}),
               _rule("custom-block", 1, "x-custom", {"Block": {"CustomResponse": {
                   "ResponseCode": 418, "CustomResponseBodyKey": "teapot"}}})])["Summary"]
    waf.associate_web_acl(WebACLArn=acl["ARN"],
                          ResourceArn=f"arn:aws:apigateway:{cloud.cfg.region}::/restapis/{api.id}/stages/prod")
    return api


def test_benign_request_passes(guarded):
    assert guarded.call("GET", "/open", headers={"X-Probe": "hello"}).status_code == 200


def test_block_is_403_forbidden(guarded):
    answer = guarded.call("GET", "/open", headers={"X-Probe": "an ATTACK"})
    assert answer.status_code == 403
    assert answer.json() == {"message": "Forbidden"}
    assert answer.headers["x-amzn-ErrorType"] == "ForbiddenException"


def test_waf_runs_before_the_authorizer(guarded):
    """Blocked without a token: 403 from the WAF, not 401 from the authorizer; unblocked without a token: 401."""
    assert guarded.call("GET", "/private", headers={"X-Probe": "attack"}).status_code == 403
    assert guarded.call("GET", "/private").status_code == 401


def test_custom_response_of_the_rule_wins(guarded):
    answer = guarded.call("GET", "/open", headers={"X-Custom": "attack"})
    assert answer.status_code == 418 and answer.json() == {"blocked": True}


def test_redeploying_keeps_the_association(guarded):
    """CreateDeployment to an existing stage updates it (moto replaced the stage, dropping its web ACL)."""
    guarded.deploy("prod")
    assert guarded.call("GET", "/open", headers={"X-Probe": "attack"}).status_code == 403
