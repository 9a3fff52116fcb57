"""The contact site's Lambda handler (assets/lambda/app.py), run against the local cloud's DynamoDB and SNS with
API Gateway proxy events (aws-facts, API Gateway: REST proxy event and response formats)."""

from __future__ import annotations

import importlib.util
import json
import uuid

import pytest

from labkit import target
from labkit.config import PROJECT_ROOT


APEX, WWW = "https://contact.localhost:4443", "https://www.contact.localhost:4443"


def proxy_event(method: str, body: object = None, email: str = "ada@example.com", origin: str | None = APEX) -> dict:
    headers = {"Content-Type": "application/json", **({"Origin": origin} if origin else {})}
    return {
        "resource": "/messages", "path": "/messages", "httpMethod": method,
        "headers": headers, "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None, "pathParameters": None, "stageVariables": None,
        "requestContext": {"authorizer": {"claims": {"email": email, "sub": str(uuid.uuid4())}},
                           "stage": "prod", "requestId": str(uuid.uuid4())},
        "body": body if body is None or isinstance(body, str) else json.dumps(body), "isBase64Encoded": False,
    }


@pytest.fixture
def app(cloud, monkeypatch):
    env: dict[str, str] = {}
    target.activate(cloud.cfg, env)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    table = f"messages-{uuid.uuid4().hex[:8]}"
    cloud.client("dynamodb").create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "sender", "AttributeType": "S"},
                              {"AttributeName": "createdAt", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "sender", "KeyType": "HASH"}, {"AttributeName": "createdAt", "KeyType": "RANGE"}])
    sqs = cloud.client("sqs")
    queue = sqs.create_queue(QueueName=table)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = cloud.client("sns").create_topic(Name=table)["TopicArn"]
    cloud.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                                  Attributes={"RawMessageDelivery": "true"})
    monkeypatch.setenv("TABLE_NAME", table)
    monkeypatch.setenv("TOPIC_ARN", topic)
    monkeypatch.setenv("ALLOWED_ORIGINS", f"{APEX},{WWW}")
    spec = importlib.util.spec_from_file_location(f"contact_app_{table}", PROJECT_ROOT / "assets/lambda/app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.queue = queue
    return module


def test_post_stores_publishes_and_get_lists_own_messages(app, cloud):
    created = app.handler(proxy_event("POST", {"name": "Ada", "message": "Hello there"}), None)
    assert created["statusCode"] == 201
    assert created["headers"]["Access-Control-Allow-Origin"] == "https://contact.localhost:4443"
    item = json.loads(created["body"])
    assert item["sender"] == "ada@example.com" and item["message"] == "Hello there" and item["id"]
    app.handler(proxy_event("POST", {"name": "Bob", "message": "Not Ada's"}, email="bob@example.com"), None)
    listed = json.loads(app.handler(proxy_event("GET"), None)["body"])["messages"]
    assert [m["id"] for m in listed] == [item["id"]]  # only the caller's own
    (published,) = cloud.client("sqs").receive_message(QueueUrl=app.queue, MaxNumberOfMessages=10)["Messages"][:1]
    assert "Ada <ada@example.com> wrote:" in published["Body"] and "Hello there" in published["Body"]


@pytest.mark.parametrize("body, words", [
    ("not json", "must be JSON"),
    ([1, 2], "JSON object"),
    ({"name": "Ada"}, "both name and message"),
    ({"name": "   ", "message": "hi"}, "both name and message"),
    ({"name": "A" * 101, "message": "hi"}, "at most 100"),
    ({"name": "Ada", "message": "m" * 2001}, "message at most 2000"),  # the handler's MAX_MESSAGE, plus one
])
def test_bad_input_gets_a_clear_400(app, body, words):
    answer = app.handler(proxy_event("POST", body), None)
    assert answer["statusCode"] == 400 and words in json.loads(answer["body"])["message"]
    assert answer["headers"]["Access-Control-Allow-Origin"]  # errors must carry CORS too, or the browser hides them


def test_other_methods_are_refused(app):
    assert app.handler(proxy_event("DELETE"), None)["statusCode"] == 405


@pytest.mark.parametrize("context", [
    {"stage": "prod"},  # a method without an authorizer: no authorizer in the request context
    {"stage": "prod", "authorizer": None},
    {"stage": "prod", "authorizer": {"claims": {}}},
], ids=["no authorizer", "authorizer null", "no claims"])
def test_no_cognito_claims_is_a_clear_401_and_nothing_is_stored(app, cloud, context):
    """The function relies on API Gateway's Cognito authorizer (aws-facts, API Gateway: claims reach the function in
    requestContext.authorizer.claims; a missing or invalid token is 401 Unauthorized). Without claims the method
    has no authorizer: 401, rather than storing and listing everyone's messages under one shared name."""
    for method, body in (("POST", {"name": "Ada", "message": "Who am I?"}), ("GET", None)):
        event = {**proxy_event(method, body), "requestContext": context}
        answer = app.handler(event, None)
        assert answer["statusCode"] == 401, answer
        message = json.loads(answer["body"])["message"]
        assert "Unauthorized" in message and "Cognito authorizer" in message
        assert answer["headers"]["Access-Control-Allow-Origin"]  # so the browser can show why
    assert cloud.client("dynamodb").scan(TableName=app.table().name)["Items"] == []


@pytest.mark.parametrize("origin", [APEX, WWW])
def test_each_listed_origin_gets_its_own_origin_back(app, origin):
    """aws-facts API Gateway (CORS): with a proxy integration the function's own headers are the CORS answer;
    Access-Control-Allow-Origin names one origin, so the site's two names are answered from the allow-list, with
    Vary: Origin."""
    answer = app.handler(proxy_event("GET", origin=origin), None)
    assert answer["statusCode"] == 200
    assert answer["headers"]["Access-Control-Allow-Origin"] == origin
    assert answer["headers"]["Vary"] == "Origin"


def test_the_origin_header_is_read_whatever_its_case(app):
    event = proxy_event("GET", origin=None)
    event["headers"]["origin"] = WWW  # HTTP/2 clients send header names in lower case
    assert app.handler(event, None)["headers"]["Access-Control-Allow-Origin"] == WWW


@pytest.mark.parametrize("origin", ["https://evil.example", "https://contact.localhost", None],
                         ids=["another site", "another port", "no origin"])
def test_an_unlisted_origin_is_never_echoed(app, origin):
    for answer in (app.handler(proxy_event("GET", origin=origin), None),
                   app.handler(proxy_event("OPTIONS", origin=origin), None)):
        assert "Access-Control-Allow-Origin" not in answer["headers"], answer
        assert answer["headers"]["Vary"] == "Origin"


def test_star_in_the_allow_list_allows_any_origin(app, monkeypatch):
    monkeypatch.setenv("ALLOWED_ORIGINS", "*")
    for method in ("GET", "OPTIONS"):
        answer = app.handler(proxy_event(method, origin="https://elsewhere.example"), None)
        assert answer["statusCode"] in (200, 204) and answer["headers"]["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("origin", [APEX, WWW])
def test_the_preflight_is_answered_without_claims(app, origin):
    """aws-facts API Gateway (CORS): the browser's preflight OPTIONS carries no token, so its method has no
    authorizer and the function answers it before looking for claims: the allowed origin, methods and headers."""
    event = {**proxy_event("OPTIONS", origin=origin), "requestContext": {"stage": "prod"}}
    event["headers"].update({"Access-Control-Request-Method": "POST",
                             "Access-Control-Request-Headers": "authorization,content-type"})
    answer = app.handler(event, None)
    assert answer["statusCode"] == 204 and answer["body"] == ""
    headers = answer["headers"]
    assert headers["Access-Control-Allow-Origin"] == origin and headers["Vary"] == "Origin"
    assert headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
    assert headers["Access-Control-Allow-Headers"] == "Authorization,Content-Type"
    assert int(headers["Access-Control-Max-Age"]) > 0


def test_the_vendored_cognito_sdk_is_the_pinned_npm_build():
    """assets/site/amazon-cognito-identity.min.js is the npm package's browser build at the version
    tests/clients/node pins (make clients installs it): updating one without the other fails here."""
    pinned = PROJECT_ROOT / "tests" / "clients" / "node" / "node_modules" / "amazon-cognito-identity-js"
    assert pinned.is_dir(), "the node clients are missing: run make clients"
    version = json.loads((PROJECT_ROOT / "tests" / "clients" / "node" / "package.json").read_text())[
        "dependencies"]["amazon-cognito-identity-js"]
    assert json.loads((pinned / "package.json").read_text())["version"] == version
    vendored = (PROJECT_ROOT / "assets" / "site" / "amazon-cognito-identity.min.js").read_bytes()
    assert vendored == (pinned / "dist" / "amazon-cognito-identity.min.js").read_bytes()
