"""The contact site's API: one Lambda function behind API Gateway (REST, Lambda proxy integration).

    POST    /messages   {"name": "...", "message": "..."} → stores the message in DynamoDB, publishes it to SNS
    GET     /messages   the caller's own messages, newest first
    OPTIONS /messages   the browser's CORS preflight (no token: the method has no authorizer)

The caller is whoever Cognito signed in: API Gateway's authorizer checked the token and put its claims in
event["requestContext"]["authorizer"]["claims"]. An event without them means the API method has no Cognito
authorizer: the answer is 401, never messages stored or listed under a shared anonymous name.

Environment: TABLE_NAME (partition key "sender", sort key "createdAt"), TOPIC_ARN, ALLOWED_ORIGINS (the site's
origins, comma-separated: the domain and its www name; "*" allows any origin).

CORS: Access-Control-Allow-Origin holds one origin (or "*"), so a site on two names cannot be answered with a fixed
value. The function answers with the request's own Origin when the allow-list names it (and Vary: Origin, so caches
keep one answer per origin), and with no Allow-Origin for any other origin: the browser then keeps the answer from
that page.
"""

import functools
import json
import os
import uuid
from datetime import datetime, timezone

import boto3

MAX_NAME = 100
MAX_MESSAGE = 2000

# Created once per execution environment and reused by warm invocations.
dynamodb = boto3.resource("dynamodb")
sns = boto3.client("sns")


PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET,POST,OPTIONS",
    "Access-Control-Allow-Headers": "Authorization,Content-Type",
    "Access-Control-Max-Age": "600",  # the browser asks again after 10 minutes, not before every call
}


def handler(event, context):
    method = event.get("httpMethod")
    if method == "OPTIONS":  # before the claims check: a preflight never carries the token
        return {"statusCode": 204, "headers": {**cors_headers(event), **PREFLIGHT}, "body": ""}
    sender = caller(event)
    if sender is None:
        return respond(event, 401, {"message": "Unauthorized: the request carries no Cognito claims "
                                               "(requestContext.authorizer.claims); the API method needs the Cognito "
                                               "authorizer"})
    if method == "POST":
        return post_message(event, sender)
    if method == "GET":
        return list_messages(event, sender)
    return respond(event, 405, {"message": f"method {method} not allowed"})


def post_message(event, sender):
    try:
        body = json.loads(event.get("body") or "")
    except ValueError:
        return respond(event, 400, {"message": "the body must be JSON: {\"name\": ..., \"message\": ...}"})
    if not isinstance(body, dict):
        return respond(event, 400, {"message": "the body must be a JSON object"})
    name = str(body.get("name", "")).strip()
    message = str(body.get("message", "")).strip()
    if not name or not message:
        return respond(event, 400, {"message": "both name and message are required"})
    if len(name) > MAX_NAME or len(message) > MAX_MESSAGE:
        return respond(event, 400, {"message": f"name is at most {MAX_NAME} characters, message at most {MAX_MESSAGE}"})
    item = {
        "sender": sender,
        "createdAt": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "id": str(uuid.uuid4()),
        "name": name,
        "message": message,
    }
    table().put_item(Item=item)
    sns.publish(
        TopicArn=os.environ["TOPIC_ARN"],
        Subject=f"New message from {name}"[:100],
        Message=f"{name} <{sender}> wrote:\n\n{message}\n",
    )
    return respond(event, 201, item)


def list_messages(event, sender):
    found = table().query(
        KeyConditionExpression="sender = :sender",
        ExpressionAttributeValues={":sender": sender},
        ScanIndexForward=False,
        Limit=50,
    )
    return respond(event, 200, {"messages": found["Items"]})


def caller(event):
    """The signed-in visitor's e-mail (or user id), from the claims the Cognito authorizer checked; None without."""
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}
    return claims.get("email") or claims.get("cognito:username") or claims.get("sub") or None


@functools.cache  # made once per execution environment, like the clients above; read at first use, so the
def table():       # module imports without TABLE_NAME (its tests check the 400s that way)
    return dynamodb.Table(os.environ["TABLE_NAME"])


def request_origin(event):
    """The request's Origin header; HTTP header names are case-insensitive, and clients send either case."""
    headers = event.get("headers") or {}
    return next((value for name, value in headers.items() if name.lower() == "origin"), None)


def cors_headers(event):
    """Access-Control-Allow-Origin for an origin of the allow-list, never for another one."""
    allowed = [origin.strip() for origin in os.environ.get("ALLOWED_ORIGINS", "").split(",") if origin.strip()]
    origin = request_origin(event)
    headers = {"Vary": "Origin"}
    if "*" in allowed:
        headers["Access-Control-Allow-Origin"] = "*"
    elif origin in allowed:
        # The browser only shows the page an answer that names the page's origin.
        headers["Access-Control-Allow-Origin"] = origin
    return headers


def respond(event, status, body):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **cors_headers(event)},
        "body": json.dumps(body),
    }
