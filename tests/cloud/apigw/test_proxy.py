"""AWS_PROXY integrations: the event a function receives, what API Gateway makes of its answer, and the errors in
between (integrations.py, permissions.py, events.py), through the real cloud and edge.

AWS facts: aws-facts.md, API Gateway (event fields; "The function must return statusCode, optional headers,
multiValueHeaders, body (string), isBase64Encoded; anything else → 502 {"message": "Internal server error"}";
"integration timeout (29 s max) → 504 Endpoint request timed out"; "Lambda error → 502"); developer guide
"Lambda permissions for API Gateway" (without the permission: 500, "Invalid permissions on Lambda function");
"Output format of a Lambda function for proxy integration" (headers and multiValueHeaders merged).
"""

from __future__ import annotations

import base64

import pytest

from labkit.waiting import NotYet, retry_until

from .helpers import RestApi, allow_api


@pytest.fixture(scope="module")
def api(cloud, make_function):
    """/echo/{id} (POST) → echo; /shape (GET) → shapes; /slow (GET) → slow, with a 300 ms integration timeout;
    /denied (GET) → echo2, whose policy allows another API only; stage variables on the stage."""
    echo, shapes, slow, echo2 = (make_function("echo"), make_function("shapes"), make_function("slow", Timeout=5),
                                 make_function("echo"))
    built = RestApi(cloud)
    built.proxy("/echo/{id}", "POST", echo)
    built.proxy("/shape", "GET", shapes)
    built.proxy("/slow", "GET", slow, timeout_ms=300)
    built.proxy("/denied", "GET", echo2)
    built.proxy("/staged", "GET", f"{echo.rsplit(':', 1)[0]}:${{stageVariables.fn}}")
    for function in (echo, shapes, slow):
        allow_api(cloud, function, built.id)
    allow_api(cloud, echo2, "someotherapi")
    built.deploy("prod", variables={"color": "blue", "fn": echo.rsplit(":", 1)[1]})
    return built


def test_event_shape_as_the_function_receives_it(api):
    """aws-facts.md: resource, path, httpMethod, headers, multiValueHeaders, queryStringParameters,
    multiValueQueryStringParameters, pathParameters, stageVariables, requestContext (identity.sourceIp, stage,
    requestId), body, isBase64Encoded."""
    answer = api.call("POST", "/echo/7?tag=a&tag=b&q=x%20y", data=b'{"hello": "world"}',
                      headers={"Content-Type": "application/json", "X-Custom": "one"})
    assert answer.status_code == 200, answer.text
    event = answer.json()
    assert set(event) == {"resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
                          "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext",
                          "body", "isBase64Encoded"}
    assert (event["resource"], event["path"], event["httpMethod"]) == ("/echo/{id}", "/echo/7", "POST")
    assert event["queryStringParameters"] == {"tag": "b", "q": "x y"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "q": ["x y"]}
    assert event["pathParameters"] == {"id": "7"}
    assert event["stageVariables"] == {"color": "blue", "fn": api.ag.get_stage(
        restApiId=api.id, stageName="prod")["variables"]["fn"]}
    assert event["body"] == '{"hello": "world"}' and event["isBase64Encoded"] is False
    assert event["headers"]["X-Custom"] == "one" and event["multiValueHeaders"]["X-Custom"] == ["one"]
    assert event["headers"]["X-Forwarded-Proto"] == "https" and event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert event["headers"]["X-Amzn-Trace-Id"].startswith("Root=1-")
    context = event["requestContext"]
    assert context["stage"] == "prod" and context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["requestId"] == answer.headers["x-amzn-RequestId"]
    assert context["extendedRequestId"] == answer.headers["x-amz-apigw-id"]
    assert context["resourcePath"] == "/echo/{id}" and context["path"] == "/prod/echo/7"
    assert context["apiId"] == api.id and context["accountId"] == "123456789012"
    assert context["domainName"] == f"{api.id}.execute-api.localhost"
    assert "authorizer" not in context  # no authorizer on this method


def test_function_headers_and_multi_value_headers_are_merged(api):
    answer = api.call("POST", "/echo/1", data=b"{}")
    assert answer.headers["X-Echo"] == "yes" and answer.headers["Content-Type"] == "application/json"
    assert answer.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    assert answer.headers["X-Amzn-Trace-Id"].startswith("Root=1-")


def test_stage_variable_in_the_integration_uri(api):
    """Stage variables fill ${stageVariables.x} in an integration's URI (developer guide, "Use stage variables")."""
    answer = api.call("GET", "/staged")
    assert answer.status_code == 200, answer.text
    assert answer.json()["stageVariables"]["color"] == "blue"


@pytest.mark.parametrize("shape", ["string-status", "object-body", "extra-field", "no-status", "list-header",
                                   "not-an-object", "bad-base64", "informational"])
def test_malformed_proxy_response_is_502(api, shape):
    """aws-facts.md: statusCode integer, body string… "anything else → 502 {"message": "Internal server error"}"."""
    answer = api.call("GET", f"/shape?shape={shape}")
    assert answer.status_code == 502
    assert answer.json() == {"message": "Internal server error"}
    assert answer.headers["x-amzn-ErrorType"] == "InternalServerErrorException"


def test_well_formed_answers_pass_through(api):
    created = api.call("GET", "/shape?shape=ok")
    assert (created.status_code, created.text) == (201, "created")
    assert created.headers["Content-Type"] == "application/json"  # API Gateway's default when the function sets none
    binary = api.call("GET", "/shape?shape=base64")
    assert binary.status_code == 200 and binary.content == b"\x00\x01binary"


def test_function_headers_cannot_inject_or_break_the_answer(api):
    """A function's header values with CR/LF, characters outside latin-1, or an invalid header name: the answer
    still goes out, without an injected header."""
    answer = api.call("GET", "/shape?shape=odd-headers")
    assert answer.status_code == 200 and answer.text == "x"
    assert "pwned" not in answer.headers.get("Set-Cookie", "")
    assert answer.headers["X-Evil"].startswith("a ") and answer.headers["X-Name"].startswith("Zo")
    assert "Bad Name" not in answer.headers


def test_function_error_is_502(api):
    """aws-facts.md: "Lambda error → 502"."""
    answer = api.call("GET", "/shape?shape=raise")
    assert answer.status_code == 502 and answer.json() == {"message": "Internal server error"}


def test_integration_timeout_is_504_and_the_api_keeps_serving(api):
    """aws-facts.md: "integration timeout (29 s max) → 504 Endpoint request timed out" (here 300 ms)."""
    answer = api.call("GET", "/slow?s=2")
    assert answer.status_code == 504
    assert answer.json() == {"message": "Endpoint request timed out"}
    assert api.call("GET", "/slow?s=0").status_code == 200


def test_missing_permission_is_500_with_the_reason_in_the_execution_log(cloud, api):
    """Developer guide ("Lambda permissions"; knowledge center "Invalid permissions on Lambda function"): without a
    statement for apigateway.amazonaws.com matching the method's ARN the answer is 500 Internal server error and the
    execution log (loggingLevel ERROR) says why."""
    api.ag.update_stage(restApiId=api.id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"}])
    answer = api.call("GET", "/denied")
    assert answer.status_code == 500 and answer.json() == {"message": "Internal server error"}
    logs = cloud.client("logs")
    group = f"API-Gateway-Execution-Logs_{api.id}/prod"

    def logged() -> list[str]:
        try:
            streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
        except logs.exceptions.ResourceNotFoundException:
            raise NotYet("no execution log group yet") from None
        messages = [e["message"] for s in streams for e in logs.get_log_events(
            logGroupName=group, logStreamName=s["logStreamName"])["events"]]
        if not any("Invalid permissions on Lambda function" in m for m in messages):
            raise NotYet("no line about the permission yet")
        return messages

    messages = retry_until("the execution log line", logged, deadline=10, backoff=0.05, progress=False)
    line = next(m for m in messages if "Invalid permissions" in m)
    assert line.startswith(f"({answer.headers['x-amzn-RequestId']}) Execution failed due to configuration error")
    assert f"{api.id}/prod/GET/denied" in line


def test_permission_for_the_method_is_enough(cloud, api, make_function):
    """A SourceArn naming just this method (no wildcards) is enough; one for another method is not."""
    function = make_function("echo")
    api.proxy("/exact", "GET", function)
    api.proxy("/other", "GET", function)
    allow_api(cloud, function, api.id, source="prod/GET/exact")
    api.deploy("prod")
    assert api.call("GET", "/exact").status_code == 200
    assert api.call("GET", "/other").status_code == 500


def test_binary_request_body_is_base64(api):
    api.ag.update_rest_api(restApiId=api.id, patchOperations=[
        {"op": "add", "path": "/binaryMediaTypes/image~1png", "value": "image/png"}])
    api.deploy("prod")
    answer = api.call("POST", "/echo/1", data=b"\x89PNG\x00", headers={"Content-Type": "image/png"})
    event = answer.json()
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\x89PNG\x00"


def test_bad_requests_never_break_the_api(api):
    """Garbage bodies, odd paths and oversized headers get API Gateway (or edge) answers; the API serves on."""
    assert api.call("POST", "/echo/1", data=b"\xff\xfe not utf-8").json()["isBase64Encoded"] is True
    assert api.call("GET", "/%00%ff/..%2f..").status_code == 403
    assert api.call("GET", "/shape", headers={"X-Big": "a" * 30_000}).status_code in (413, 431)
    assert api.call("GET", "/shape?shape=ok").status_code == 201
