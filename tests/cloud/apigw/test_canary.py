"""Stages as versions: a second stage with a deployment and variables of its own, and a stage's canary release,
over HTTPS with boto3 as a learner would set them up.

AWS facts: API Gateway developer guide, "Set up an API Gateway canary release deployment": "total API traffic is
separated at random into a production release and a canary release with a pre-configured ratio" (percentTraffic,
0.0–100.0), the canary's stageVariableOverrides over the stage's variables; "Create a canary release deployment"
(CreateDeployment with canarySettings leaves the stage on its deployment and cannot name a stage that does not
exist; UpdateStage can add canary settings, starting on the stage's own deployment); "Promote a canary release"
(copy /canarySettings/deploymentId to /deploymentId and /canarySettings/stageVariableOverrides to /variables);
"Turn off a canary release" (remove /canarySettings).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labkit.cloud.apigateway import canary

from .helpers import RestApi, allow_api
from .test_deployments import _mock


@pytest.fixture
def versions(cloud, make_function):
    """prod serves version 1 (a MOCK answering {"version": 1}); the API now answers version 2, not yet deployed."""
    echo = make_function("echo")
    api = RestApi(cloud)
    api.proxy("/echo", "GET", echo)
    allow_api(cloud, echo, api.id)
    _mock(api, "/version", '{"version": 1}')
    api.deploy("prod", variables={"color": "blue"})
    _mock(api, "/version", '{"version": 2}')
    return api


def _versions_seen(api: RestApi, count: int, stage: str = "prod") -> list[int]:
    return [api.call("GET", "/version", stage=stage).json()["version"] for _ in range(count)]


def test_a_second_stage_serves_its_own_deployment_and_variables(versions):
    api = versions
    api.deploy("v2", variables={"color": "green"})
    assert set(_versions_seen(api, 5, "v2")) == {2} and set(_versions_seen(api, 5)) == {1}
    assert api.call("GET", "/echo", stage="v2").json()["stageVariables"] == {"color": "green"}
    assert api.call("GET", "/echo").json()["stageVariables"] == {"color": "blue"}


def test_a_canary_takes_its_share_of_the_requests_with_its_variables(versions):
    api = versions
    prod_deployment = api.ag.get_stage(restApiId=api.id, stageName="prod")["deploymentId"]
    api.ag.create_deployment(restApiId=api.id, stageName="prod", canarySettings={
        "percentTraffic": 50.0, "stageVariableOverrides": {"color": "yellow"}})
    stage = api.ag.get_stage(restApiId=api.id, stageName="prod")
    assert stage["deploymentId"] == prod_deployment  # the stage keeps serving its own
    assert stage["canarySettings"]["percentTraffic"] == 50.0
    assert stage["canarySettings"]["deploymentId"] != prod_deployment
    seen = _versions_seen(api, 200)
    # Random at 50 %: 200 requests fall outside 60–140 canary requests with a probability below 1e-8.
    assert 60 <= seen.count(2) <= 140 and seen.count(1) + seen.count(2) == 200
    colors = {api.call("GET", "/echo").json()["stageVariables"]["color"] for _ in range(40)}
    assert colors == {"blue", "yellow"}

    api.ag.update_stage(restApiId=api.id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "0.0"}])
    assert set(_versions_seen(api, 20)) == {1}
    api.ag.update_stage(restApiId=api.id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "100.0"}])
    assert set(_versions_seen(api, 20)) == {2}


def test_promoting_the_canary_then_turning_it_off(versions):
    api = versions
    api.ag.create_deployment(restApiId=api.id, stageName="prod", canarySettings={
        "percentTraffic": 10.0, "stageVariableOverrides": {"color": "yellow"}})
    canary_deployment = api.ag.get_stage(restApiId=api.id, stageName="prod")["canarySettings"]["deploymentId"]
    api.ag.update_stage(restApiId=api.id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "0.0"},
        {"op": "copy", "from": "/canarySettings/stageVariableOverrides", "path": "/variables"},
        {"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"}])
    stage = api.ag.get_stage(restApiId=api.id, stageName="prod")
    assert stage["deploymentId"] == canary_deployment and stage["variables"] == {"color": "yellow"}
    assert set(_versions_seen(api, 10)) == {2}
    api.ag.update_stage(restApiId=api.id, stageName="prod", patchOperations=[
        {"op": "remove", "path": "/canarySettings"}])
    assert "canarySettings" not in api.ag.get_stage(restApiId=api.id, stageName="prod")
    assert set(_versions_seen(api, 10)) == {2}


def test_a_canary_added_by_update_stage_starts_on_the_stages_deployment(versions):
    api = versions
    api.ag.update_stage(restApiId=api.id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "100"},
        {"op": "replace", "path": "/canarySettings/stageVariableOverrides/color", "value": "red"}])
    stage = api.ag.get_stage(restApiId=api.id, stageName="prod")
    assert stage["canarySettings"]["deploymentId"] == stage["deploymentId"]
    assert set(_versions_seen(api, 5)) == {1}  # the same deployment, but the canary's variables
    assert api.call("GET", "/echo").json()["stageVariables"] == {"color": "red"}


def test_bad_canary_requests_are_refused(versions):
    api = versions
    with pytest.raises(ClientError) as missing:
        api.ag.create_deployment(restApiId=api.id, stageName="nope", canarySettings={"percentTraffic": 5.0})
    assert missing.value.response["Error"]["Code"] == "BadRequestException"
    with pytest.raises(ClientError) as too_much:
        api.ag.update_stage(restApiId=api.id, stageName="prod", patchOperations=[
            {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "150"}])
    assert too_much.value.response["Error"]["Code"] == "BadRequestException"
    assert "canarySettings" not in api.ag.get_stage(restApiId=api.id, stageName="prod")  # nothing half-applied


def test_serving_draws_against_percent_traffic():
    stage = {"deploymentId": "base", "variables": {"a": "1"},
             "canarySettings": {"deploymentId": "new", "percentTraffic": 25.0, "stageVariableOverrides": {"a": "2"}}}
    assert canary.serving(stage, draw=lambda: 0.2)[0]["deploymentId"] == "new"
    assert canary.serving(stage, draw=lambda: 0.25) == (stage, False)
    served, is_canary = canary.serving(stage, draw=lambda: 0.0)
    assert is_canary and served["variables"] == {"a": "2"}
    assert canary.serving({"deploymentId": "base"}, draw=lambda: 0.0) == ({"deploymentId": "base"}, False)
