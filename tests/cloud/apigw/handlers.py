"""Lambda handlers for the API Gateway tests, packaged as app.py (Handler="app.<name>")."""

import base64
import json
import time


def echo(event, context):
    """Answers with the event it received: the proxy event as the function sees it."""
    return {"statusCode": 200, "headers": {"Content-Type": "application/json", "X-Echo": "yes"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}, "body": json.dumps(event)}


SHAPES = {
    "ok": {"statusCode": 201, "body": "created"},
    "string-status": {"statusCode": "200", "body": "x"},
    "object-body": {"statusCode": 200, "body": {"a": 1}},
    "extra-field": {"statusCode": 200, "body": "x", "cookies": ["a=1"]},
    "no-status": {"body": "x"},
    "list-header": {"statusCode": 200, "headers": {"X-A": ["1", "2"]}, "body": "x"},
    "not-an-object": "hello",
    "base64": {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(b"\x00\x01binary").decode()},
    "bad-base64": {"statusCode": 200, "isBase64Encoded": True, "body": "%%%"},
    "informational": {"statusCode": 101, "body": "x"},
    "odd-headers": {"statusCode": 200, "body": "x", "headers": {
        "X-Evil": "a\r\nSet-Cookie: pwned=1", "X-Name": "Zo\u00eb \u20ac", "Bad Name": "dropped"}},
}


def shapes(event, context):
    """Answers with the response shape named by ?shape=…; ?shape=raise raises."""
    shape = (event.get("queryStringParameters") or {}).get("shape", "ok")
    if shape == "raise":
        raise RuntimeError("the handler failed on purpose")
    return SHAPES[shape]


def slow(event, context):
    time.sleep(float((event.get("queryStringParameters") or {}).get("s", "2")))
    return {"statusCode": 200, "body": "late"}


def v2(event, context):
    """HTTP API handler answering the 2.0 event; ?plain=1 answers without statusCode (inferred 200)."""
    if (event.get("queryStringParameters") or {}).get("plain"):
        return {"event": event}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "cookies": ["c=3"],
            "body": json.dumps(event)}
