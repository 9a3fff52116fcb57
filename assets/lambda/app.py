"""The contact site's API: one Lambda function behind API Gateway (REST, Lambda proxy integration).

    POST /messages   {"name": "...", "message": "..."} → stores the message in DynamoDB, publishes it to SNS
    GET  /messages   the caller's own messages, newest first

The caller is whoever Cognito signed in: API Gateway's authorizer checked the token and put its claims in
event["requestContext"]["authorizer"]["claims"]. An event without them means the API method has no Cognito
authorizer: the answer is 401, never messages stored or listed under a shared anonymous name.

Environment: TABLE_NAME (partition key "sender", sort key "createdAt"), TOPIC_ARN, ALLOWED_ORIGIN (the site's URL,
for CORS; "*" if unset).
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


def handler(event, context):
    method = event.get("httpMethod")
    sender = caller(event)
    if sender is None:
        return respond(401, {"message": "Unauthorized: the request carries no Cognito claims "
                                        "(requestContext.authorizer.claims); the API method needs the Cognito "
                                        "authorizer"})
    if method == "POST":
        return post_message(event, sender)
    if method == "GET":
        return list_messages(sender)
    return respond(405, {"message": f"method {method} not allowed"})


def post_message(event, sender):
    try:
        body = json.loads(event.get("body") or "")
    except ValueError:
        return respond(400, {"message": "the body must be JSON: {\"name\": ..., \"message\": ...}"})
    if not isinstance(body, dict):
        return respond(400, {"message": "the body must be a JSON object"})
    name = str(body.get("name", "")).strip()
    message = str(body.get("message", "")).strip()
    if not name or not message:
        return respond(400, {"message": "both name and message are required"})
    if len(name) > MAX_NAME or len(message) > MAX_MESSAGE:
        return respond(400, {"message": f"name is at most {MAX_NAME} characters, message at most {MAX_MESSAGE}"})
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
    return respond(201, item)


def list_messages(sender):
    found = table().query(
        KeyConditionExpression="sender = :sender",
        ExpressionAttributeValues={":sender": sender},
        ScanIndexForward=False,
        Limit=50,
    )
    return respond(200, {"messages": found["Items"]})


def caller(event):
    """The signed-in visitor's e-mail (or user id), from the claims the Cognito authorizer checked; None without."""
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}
    return claims.get("email") or claims.get("cognito:username") or claims.get("sub") or None


@functools.cache  # made once per execution environment, like the clients above; read at first use, so the
def table():       # module imports without TABLE_NAME (its tests check the 400s that way)
    return dynamodb.Table(os.environ["TABLE_NAME"])


def respond(status, body):
    return {
        "statusCode": status,
        "headers": {
            "Content-Type": "application/json",
            # The browser only accepts the answer if the response names the site's origin (CORS).
            "Access-Control-Allow-Origin": os.environ.get("ALLOWED_ORIGIN", "*"),
        },
        "body": json.dumps(body),
    }
