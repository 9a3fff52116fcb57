"""Handlers for the Lambda runtime tests: one module, one function per behaviour (Handler="app.<name>")."""

import json
import logging
import os
import sys
import time

print("init: app module imported")  # module-level output belongs to the Init phase
COUNT = 0  # lives as long as the worker: warm invocations see it grow


def echo(event, context):
    global COUNT
    COUNT += 1
    print(f"echo got {json.dumps(event, sort_keys=True)}")
    return {"event": event, "count": COUNT, "pid": os.getpid()}


def describe(event, context):
    return {
        "env": {name: os.environ.get(name) for name in event.get("env", [])},
        "context": {name: getattr(context, name) for name in (
            "function_name", "function_version", "invoked_function_arn", "memory_limit_in_mb", "aws_request_id",
            "log_group_name", "log_stream_name")},
        "identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
        "client_context": None if context.client_context is None else context.client_context.custom,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "cwd": os.getcwd(),
        "path0": sys.path[0],
    }


def fail(event, context):
    raise ValueError(event.get("message", "boom"))


def chatty(event, context):
    print("to stdout")
    print("to stderr", file=sys.stderr)
    logging.getLogger().warning("a warning from logging")
    return "said it"


def sleep(event, context):
    print("going to sleep")
    time.sleep(event.get("seconds", 30))
    return "woke up"


def crash(event, context):
    """End the worker as the event says: exit, abort, segfault, hog (memory), or not at all."""
    how = event.get("how", "none")
    print(f"about to {how}")
    sys.stdout.flush()
    if how == "exit":
        os._exit(3)
    if how == "abort":
        os.abort()
    if how == "segfault":
        import ctypes

        ctypes.string_at(0)
    if how == "hog":
        chunks = []
        while True:
            chunks.append(b"x" * (4 * 1024 * 1024))  # filled as it is made, so resident at once
    return {"pid": os.getpid()}


def put_item(event, context):
    import boto3  # as a learner's handler does: plain boto3, configured by the environment only

    boto3.client("dynamodb").put_item(
        TableName=event["table"], Item={"id": {"S": event["id"]}, "by": {"S": context.function_name}})
    return {"stored": event["id"]}


def wait_for(event, context):
    """Hold the worker until the file the test names exists."""
    while not os.path.exists(event["path"]):
        time.sleep(0.01)
    return {"released": event["path"], "pid": os.getpid()}


def unserializable(event, context):
    return {1, 2}


def big(event, context):
    return "x" * event["size"]


def resolve(event, context):
    import socket

    return socket.gethostbyname(event["name"])


def call_aws(event, context):
    """One AWS call with the function's own credentials: {"service", "op", "params"} → {"ok": result} or
    {"error": code, "message", "status"}; "no_token" calls with the key and secret but without the session token."""
    import json

    import boto3
    import botocore.exceptions

    session = boto3.Session()
    if event.get("no_token"):
        frozen = session.get_credentials().get_frozen_credentials()
        session = boto3.Session(aws_access_key_id=frozen.access_key, aws_secret_access_key=frozen.secret_key)
    try:
        result = getattr(session.client(event["service"]), event["op"])(**event.get("params", {}))
    except botocore.exceptions.ClientError as error:
        return {"error": error.response["Error"]["Code"], "message": error.response["Error"].get("Message"),
                "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    result.pop("ResponseMetadata", None)
    return {"ok": json.loads(json.dumps(result, default=str))}
