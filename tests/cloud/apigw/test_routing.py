"""Routing: which resource and method a request reaches (routing.py, and through the real edge).

AWS facts: aws-facts.md, API Gateway ("unknown route on REST → 403 … Missing Authentication Token"); developer
guide "Set up a proxy integration with a proxy resource" ({proxy+} is greedy, ANY catches every method, a literal
resource wins over a variable one) and "Set up REST API resources".
"""

from __future__ import annotations

import json

import pytest

from labkit.cloud.apigateway.routing import Router, split_stage

from .helpers import RestApi, allow_api


def test_literal_wins_over_variable_which_wins_over_greedy():
    router = Router([("/", "root"), ("/messages", "list"), ("/messages/{id}", "one"), ("/messages/new", "new"),
                     ("/{proxy+}", "any"), ("/files/{key+}", "files")])
    assert router.match("/messages/new").value == "new"
    one = router.match("/messages/42")
    assert (one.value, one.template, one.params) == ("one", "/messages/{id}", {"id": "42"})
    assert router.match("/").value == "root"
    deep = router.match("/a/b/c")
    assert (deep.value, deep.params) == ("any", {"proxy": "a/b/c"})
    assert router.match("/files/x/y.txt").params == {"key": "x/y.txt"}


def test_greedy_needs_one_segment_and_backtracks():
    router = Router([("/files", "dir"), ("/files/{key+}", "file"), ("/a/b", "ab"), ("/{x}/c", "xc")])
    assert router.match("/files").value == "dir"  # the greedy child never matches zero segments
    assert router.match("/a/c").value == "xc"  # the literal "a" leads nowhere: the variable is tried
    assert router.match("/a/b/").value == "ab"  # one trailing slash is ignored
    assert router.match("/a//b") is None
    assert Router([("/{proxy+}", "any")]).match("/") is None


def test_segments_are_decoded_one_at_a_time():
    router = Router([("/messages/{id}", "one")])
    assert router.match("/messages/a%2Fb").params == {"id": "a/b"}
    assert router.match("/messages/hello%20world").params == {"id": "hello world"}


def test_split_stage():
    assert split_stage("/prod/messages/42") == ("prod", "/messages/42")
    assert split_stage("/prod") == ("prod", "/")
    assert split_stage("/prod/") == ("prod", "/")
    assert split_stage("/") == (None, "/")


@pytest.fixture(scope="module")
def routed(cloud, make_function):
    """One API: /messages (GET), /messages/{id} (GET), /files/{proxy+} (ANY), all to the echo function."""
    echo = make_function("echo")
    api = RestApi(cloud)
    for path, verb in (("/messages", "GET"), ("/messages/{id}", "GET"), ("/files/{proxy+}", "ANY")):
        api.proxy(path, verb, echo)
    allow_api(cloud, echo, api.id)
    api.deploy("prod")
    return api


def test_path_parameters_reach_the_function(routed):
    answer = routed.call("GET", "/messages/m-42")
    assert answer.status_code == 200
    event = answer.json()
    assert event["resource"] == "/messages/{id}" and event["path"] == "/messages/m-42"
    assert event["pathParameters"] == {"id": "m-42"}


def test_greedy_proxy_with_any_method(routed):
    for verb in ("GET", "PUT", "DELETE"):
        answer = routed.call(verb, "/files/a/b/c.txt")
        assert answer.status_code == 200, answer.text
        event = answer.json()
        assert event["httpMethod"] == verb and event["resource"] == "/files/{proxy+}"
        assert event["pathParameters"] == {"proxy": "a/b/c.txt"}


@pytest.mark.parametrize("verb, path, stage", [
    ("GET", "/nothing", "prod"),  # no such resource
    ("POST", "/messages", "prod"),  # the resource has no POST and no ANY
    ("GET", "/messages", "nostage"),  # no such stage
])
def test_unknown_route_or_stage_is_403_missing_authentication_token(routed, verb, path, stage):
    """aws-facts.md, API Gateway: "unknown route on REST → 403 … Missing Authentication Token", with
    x-amzn-ErrorType and x-amzn-RequestId."""
    answer = routed.call(verb, path, stage=stage)
    assert answer.status_code == 403
    assert answer.json() == {"message": "Missing Authentication Token"}
    assert answer.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert answer.headers["x-amzn-RequestId"] and answer.headers["x-amz-apigw-id"]


def test_no_stage_at_all_is_403(routed):
    answer = routed.http.get(f"https://{routed.id}.execute-api.localhost:{routed.cloud.cfg.ports['https']}/",
                             timeout=10)
    assert answer.status_code == 403 and answer.json() == {"message": "Missing Authentication Token"}


def test_unknown_api_id_is_answered_by_no_site(routed):
    """An API id that does not exist is a name no site serves: the edge's default certificate covers
    *.execute-api.localhost, and the answer says no site answers for the name."""
    answer = routed.http.get(f"https://nosuchapi0.execute-api.localhost:{routed.cloud.cfg.ports['https']}/prod/",
                             timeout=10)
    assert answer.status_code == 404 and "No site answers for nosuchapi0.execute-api.localhost" in answer.text


def test_every_answer_has_a_fresh_request_id(routed):
    first, second = routed.call("GET", "/messages"), routed.call("GET", "/messages")
    assert first.headers["x-amzn-RequestId"] != second.headers["x-amzn-RequestId"]
    assert json.loads(first.text)["requestContext"]["requestId"] == first.headers["x-amzn-RequestId"]
