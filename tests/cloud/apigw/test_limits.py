"""Throttling, API keys and usage plans (throttling.py, usage.py), through the real cloud, and the token bucket and
policy matching on their own.

AWS facts: aws-facts.md, API Gateway ("Stage throttling: rateLimit (steady req/s) and burstLimit (token bucket),
per method via method settings"; "throttled → 429 Too Many Requests"; "missing API key … → 403 Forbidden");
developer guide "Throttle requests to your REST APIs" (token bucket; a method's own settings replace the stage's
default for it) and "Usage plans and API keys" (x-api-key of an enabled key in a plan of the stage; quota
exceeded → 429 "Limit Exceeded").
"""

from __future__ import annotations

import pytest

from labkit.cloud.apigateway.permissions import may_invoke, source_arn
from labkit.cloud.apigateway.throttling import Throttles, TokenBucket, method_limits

from .helpers import RestApi, allow_api, unique

SLOW = "0.001"  # one token every 1000 s: a test never sees the bucket refill


def test_token_bucket_spends_the_burst_then_refills_at_the_rate():
    bucket = TokenBucket(rate=2.0, burst=3, now=0.0)
    assert [bucket.take(now=0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(now=0.4) is False  # 0.8 of a token
    assert bucket.take(now=0.5) is True  # one whole token after 0.5 s at 2/s
    assert TokenBucket(rate=100, burst=0, now=0.0).take(now=10.0) is False  # burst 0 refuses everything


def test_throttles_make_a_new_bucket_when_limits_change():
    throttles = Throttles()
    assert throttles.take("k", 0.0, 1, now=0.0) and not throttles.take("k", 0.0, 1, now=0.0)
    assert throttles.take("k", 0.0, 2, now=0.0)  # new limits, a new (full) bucket


def test_method_settings_pick_the_method_entry_over_the_stage_default():
    settings = {"*/*": {"throttlingRateLimit": 10.0, "throttlingBurstLimit": 20},
                "~1messages/POST": {"throttlingRateLimit": 1.0, "throttlingBurstLimit": 2}}
    assert method_limits(settings, "/messages", "POST") == (1.0, 2)
    assert method_limits(settings, "/messages", "GET") == (10.0, 20)
    assert method_limits({"*/*": {"loggingLevel": "INFO"}}, "/", "GET") is None
    assert method_limits({}, "/", "GET") is None


def test_policy_conditions():
    arn = source_arn("us-east-1", "123456789012", "abc", "prod", "GET", "/messages/{id}")
    assert arn == "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/messages/{id}"

    def policy(condition=None, principal=None, effect="Allow"):
        statement = {"Effect": effect, "Action": "lambda:InvokeFunction", "Sid": "s",
                     "Principal": principal or {"Service": "apigateway.amazonaws.com"}}
        if condition:
            statement["Condition"] = condition
        return {"Statement": [statement]}

    assert may_invoke(policy(), arn, "123456789012")[0]
    assert may_invoke(policy({"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:abc/*"}}),
                      arn, "123456789012")[0]
    assert may_invoke(policy({"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:*:*:abc/*/GET/messages/*"}}),
                      arn, "123456789012")[0]
    assert not may_invoke(policy({"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:*:*:abc/*/POST/*"}}),
                          arn, "123456789012")[0]
    assert not may_invoke(policy({"StringEquals": {"AWS:SourceAccount": "999999999999"}}), arn, "123456789012")[0]
    assert not may_invoke(policy(principal={"Service": "sns.amazonaws.com"}), arn, "123456789012")[0]
    assert not may_invoke(None, arn, "123456789012")[0]
    both = {"Statement": policy()["Statement"] + policy(effect="Deny")["Statement"]}
    assert not may_invoke(both, arn, "123456789012")[0]


@pytest.fixture(scope="module")
def limited(cloud, make_function):
    """/open GET, /tight GET (its own method throttle), /keyed GET (API key required), all to the echo function."""
    echo = make_function("echo")
    api = RestApi(cloud)
    api.proxy("/open", "GET", echo)
    api.proxy("/tight", "GET", echo)
    api.proxy("/keyed", "GET", echo, key=True)
    allow_api(cloud, echo, api.id)
    api.deploy("prod")
    return api


def test_stage_and_method_throttling_answer_429(limited):
    limited.ag.update_stage(restApiId=limited.id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": SLOW},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "3"},
        {"op": "replace", "path": "/~1tight/GET/throttling/rateLimit", "value": SLOW},
        {"op": "replace", "path": "/~1tight/GET/throttling/burstLimit", "value": "1"}])
    statuses = [limited.call("GET", "/open").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = limited.call("GET", "/open")
    assert throttled.json() == {"message": "Too Many Requests"}
    assert throttled.headers["x-amzn-ErrorType"] == "TooManyRequestsException"
    assert [limited.call("GET", "/tight").status_code for _ in range(2)] == [200, 429]
    limited.ag.update_stage(restApiId=limited.id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "100"},
        {"op": "replace", "path": "/~1tight/GET/throttling/burstLimit", "value": "100"}])
    assert limited.call("GET", "/open").status_code == 200  # new limits: a new bucket


def test_api_key_required(limited):
    """No key, an unknown key, a disabled key, or a key in no plan of this stage → 403 Forbidden; a key of a plan
    for this stage → 200 with the key in the identity."""
    ag = limited.ag
    good = ag.create_api_key(name=unique("good"), enabled=True)
    off = ag.create_api_key(name=unique("off"), enabled=False)
    stray = ag.create_api_key(name=unique("stray"), enabled=True)
    plan = ag.create_usage_plan(name=unique("plan"), apiStages=[{"apiId": limited.id, "stage": "prod"}])
    other = ag.create_usage_plan(name=unique("other"), apiStages=[{"apiId": "someotherapi", "stage": "prod"}])
    for key in (good, off):
        ag.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    ag.create_usage_plan_key(usagePlanId=other["id"], keyId=stray["id"], keyType="API_KEY")
    for headers in ({}, {"x-api-key": "not-a-key-of-this-account-at-all"}, {"x-api-key": off["value"]},
                    {"x-api-key": stray["value"]}):
        answer = limited.call("GET", "/keyed", headers=headers)
        assert answer.status_code == 403, headers
        assert answer.json() == {"message": "Forbidden"}
        assert answer.headers["x-amzn-ErrorType"] == "ForbiddenException"
    answer = limited.call("GET", "/keyed", headers={"x-api-key": good["value"]})
    assert answer.status_code == 200, answer.text
    identity = answer.json()["requestContext"]["identity"]
    assert identity["apiKey"] == good["value"] and identity["apiKeyId"] == good["id"]
    assert limited.call("GET", "/open").status_code in (200, 429)  # methods without apiKeyRequired need none


def test_usage_plan_throttle_and_quota_per_key(limited):
    ag = limited.ag
    fast, counted = (ag.create_api_key(name=unique("k"), enabled=True) for _ in range(2))
    throttled = ag.create_usage_plan(name=unique("throttled"), apiStages=[{"apiId": limited.id, "stage": "prod"}],
                                     throttle={"rateLimit": float(SLOW), "burstLimit": 2})
    quota = ag.create_usage_plan(name=unique("quota"), apiStages=[{"apiId": limited.id, "stage": "prod"}],
                                 quota={"limit": 2, "period": "DAY"})
    ag.create_usage_plan_key(usagePlanId=throttled["id"], keyId=fast["id"], keyType="API_KEY")
    ag.create_usage_plan_key(usagePlanId=quota["id"], keyId=counted["id"], keyType="API_KEY")
    assert [limited.call("GET", "/keyed", headers={"x-api-key": fast["value"]}).status_code
            for _ in range(3)] == [200, 200, 429]
    answers = [limited.call("GET", "/keyed", headers={"x-api-key": counted["value"]}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1].json() == {"message": "Limit Exceeded"}
