"""UpdateMethod, UpdateIntegration, UpdateResource, UpdateMethodResponse and UpdateIntegrationResponse (moto 5.2.5
has none of them): API Gateway's patch operations, seen by the data plane after the next deployment, as on AWS.

AWS facts: API reference, PatchOperation ("op": add | remove | replace; "path" a JSON Pointer, "~1" for "/" in a
key; "value" always a string); aws-facts.md, API Gateway ("missing/invalid Cognito token → 401 Unauthorized";
changes take effect on CreateDeployment).
"""

from __future__ import annotations

import botocore.exceptions
import pytest

from .helpers import RestApi, allow_api


def test_a_method_changed_to_the_cognito_authorizer_needs_a_token_after_redeploying(cloud, pool, make_function):
    echo = make_function("echo")
    api = RestApi(cloud)
    api.proxy("/whoami", "GET", echo)
    allow_api(cloud, echo, api.id)
    api.deploy("prod")
    assert api.call("GET", "/whoami").status_code == 200
    authorizer = api.cognito_authorizer(pool["arn"])
    updated = api.ag.update_method(restApiId=api.id, resourceId=api.ids["/whoami"], httpMethod="GET", patchOperations=[
        {"op": "replace", "path": "/authorizationType", "value": "COGNITO_USER_POOLS"},
        {"op": "replace", "path": "/authorizerId", "value": authorizer}])
    assert (updated["authorizationType"], updated["authorizerId"]) == ("COGNITO_USER_POOLS", authorizer)
    assert api.call("GET", "/whoami").status_code == 200  # the deployed API is unchanged until the next deployment
    api.deploy("prod")
    assert api.call("GET", "/whoami").status_code == 401


def test_integration_resource_and_responses_are_patched(cloud):
    api = RestApi(cloud)
    api.mock_cors("/contact")
    ag, resource = api.ag, api.ids["/contact"]
    where = {"restApiId": api.id, "resourceId": resource, "httpMethod": "OPTIONS"}
    integration = ag.update_integration(**where, patchOperations=[
        {"op": "replace", "path": "/timeoutInMillis", "value": "5000"},
        {"op": "add", "path": "/requestTemplates/text~1plain", "value": '{"statusCode": 200}'}])
    assert integration["timeoutInMillis"] == 5000
    assert integration["requestTemplates"]["text/plain"] == '{"statusCode": 200}'
    moved = ag.update_resource(restApiId=api.id, resourceId=resource, patchOperations=[
        {"op": "replace", "path": "/pathPart", "value": "messages"}])
    assert moved["path"] == "/messages"
    header = "method.response.header.Access-Control-Max-Age"
    response = ag.update_method_response(**where, statusCode="200", patchOperations=[
        {"op": "add", "path": f"/responseParameters/{header}", "value": "false"}])
    assert response["responseParameters"][header] is False
    answer = ag.update_integration_response(**where, statusCode="200", patchOperations=[
        {"op": "add", "path": f"/responseParameters/{header}", "value": "'600'"}])
    assert answer["responseParameters"][header] == "'600'"
    api.deploy("prod")
    assert api.call("OPTIONS", "/messages").headers["Access-Control-Max-Age"] == "600"


@pytest.mark.parametrize("operation, words", [
    ({"op": "replace", "path": "/httpMethodd", "value": "GET"}, "Invalid patch path '/httpMethodd'"),
    ({"op": "replace", "path": "/authorizationType", "value": "OPEN"}, "Invalid authorization type 'OPEN'"),
    ({"op": "replace", "path": "/apiKeyRequired", "value": "yes"}, "Invalid boolean value 'yes'"),
    ({"op": "move", "path": "/authorizationType", "value": "NONE"}, "Invalid patch operation 'move'"),
])
def test_a_bad_patch_is_refused_and_changes_nothing(cloud, operation, words):
    api = RestApi(cloud)
    resource = api.method("/contact", "POST")
    where = {"restApiId": api.id, "resourceId": resource, "httpMethod": "POST"}
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        api.ag.update_method(**where, patchOperations=[
            {"op": "replace", "path": "/operationName", "value": "SendMessage"}, operation])
    assert refused.value.response["Error"]["Code"] == "BadRequestException"
    assert words in refused.value.response["Error"]["Message"]
    assert "operationName" not in api.ag.get_method(**where)  # the first, valid operation was undone too


def test_a_resource_cannot_move_under_itself_or_a_missing_parent(cloud):
    api = RestApi(cloud)
    api.resource("/a/b")
    for parent in (api.ids["/a/b"], "nosuchid"):
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            api.ag.update_resource(restApiId=api.id, resourceId=api.ids["/a"], patchOperations=[
                {"op": "replace", "path": "/pathPart", "value": "c"},
                {"op": "replace", "path": "/parentId", "value": parent}])
        assert refused.value.response["Error"]["Code"] == "NotFoundException"
    assert api.ag.get_resource(restApiId=api.id, resourceId=api.ids["/a/b"])["path"] == "/a/b"
