"""The contact site's Lambda handler (assets/lambda/app.py), run against the local cloud's DynamoDB and SNS with
API Gateway proxy events (aws-facts, API Gateway: REST proxy event and response formats)."""

from __future__ import annotations

import importlib.util
import json
import uuid

import pytest

from labkit import target
from labkit.config import PROJECT_ROOT


def proxy_event(method: str, body: object = None, email: str = "ada@example.com") -> dict:
    return {
        "resource": "/messages", "path": "/messages", "httpMethod": method,
        "headers": {"Content-Type": "application/json"}, "multiValueHeaders": {},
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
    monkeypatch.setenv("ALLOWED_ORIGIN", "https://contact.localhost:4443")
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
