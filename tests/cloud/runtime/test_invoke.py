"""lambda.invoke through the local cloud: results, logs, warm workers, environment, context, errors.

Every test runs its own uniquely named function in the session cloud (conftest.make_function), with the handlers in
handlers/app.py. AWS facts are cited from the AWS Lambda developer guide and the Invoke API reference.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labkit.waiting import NotYet, retry_until

from .conftest import package


def _invoke(lam: Any, name: str, event: Any = None, **kwargs: Any) -> tuple[dict, Any]:
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode(), **kwargs)
    return response, json.loads(response["Payload"].read())


def _log_messages(cloud: Any, name: str, expect: str) -> list[str]:
    """The function's log events, once one contains ``expect`` (an Event invocation logs after its 202)."""
    logs = cloud.client("logs")

    def attempt() -> list[str]:
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        except ClientError as exc:
            raise NotYet(str(exc)) from None
        messages = [e["message"] for e in events]
        if not any(expect in m for m in messages):
            raise NotYet(f"{len(messages)} events, none with {expect!r}")
        return messages

    return retry_until(f"logs of {name}", attempt, deadline=20, backoff=0.05, max_interval=0.5, progress=False)


def test_invoke_returns_the_handlers_result(lam: Any, make_function: Any) -> None:
    """RequestResponse answers 200 with the handler's return value as JSON (Invoke API reference)."""
    name = make_function("app.echo")
    response, body = _invoke(lam, name, {"hello": "world"})
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert body["event"] == {"hello": "world"}


def test_output_and_platform_lines_reach_cloudwatch_logs(lam: Any, make_function: Any, cloud: Any) -> None:
    """Lambda writes START, the function's stdout/stderr and logging output, END and REPORT to the log group
    /aws/lambda/<function>, in a stream named YYYY/MM/DD/[$LATEST]<id> (developer guide, "CloudWatch Logs")."""
    name = make_function("app.chatty")
    response, body = _invoke(lam, name)
    assert body == "said it"
    messages = _log_messages(cloud, name, "REPORT RequestId")
    request = re.search(r"START RequestId: (\S+) Version: \$LATEST", "\n".join(messages))
    assert request, messages
    rid = request.group(1)
    start = messages.index(f"START RequestId: {rid} Version: $LATEST")
    end = messages.index(f"END RequestId: {rid}")
    between = messages[start + 1:end]
    assert "to stdout" in between and "to stderr" in between
    warning = next(m for m in between if "a warning from logging" in m)
    # The Python runtime's logging format: [LEVEL]\t<UTC time>Z\t<request id>\t<message>.
    assert re.fullmatch(rf"\[WARNING\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{rid}\ta warning from logging",
                        warning)
    report = messages[end + 1]
    assert re.match(rf"REPORT RequestId: {rid}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
                    r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\t", report), report
    streams = cloud.client("logs").describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert [re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", s["logStreamName"]) is not None
            for s in streams] == [True]


def test_init_duration_only_on_the_cold_start(lam: Any, make_function: Any, cloud: Any) -> None:
    """The first invocation of an execution environment reports Init Duration in REPORT; warm ones do not. Output
    of the module's import (the Init phase) is logged before the first START (developer guide, "Lambda execution
    environment lifecycle")."""
    name = make_function("app.echo")
    _, first = _invoke(lam, name, {"n": 1})
    _, second = _invoke(lam, name, {"n": 2})
    assert first["pid"] == second["pid"]
    messages = _log_messages(cloud, name, '{"n": 2}')  # each invocation's events are written in one batch
    reports = [m for m in messages if m.startswith("REPORT")]
    assert len(reports) == 2
    assert re.search(r"\tInit Duration: \d+\.\d\d ms\t$", reports[0])
    assert "Init Duration" not in reports[1]
    first_start = next(m for m in messages if m.startswith("START"))
    assert messages.index("init: app module imported") < messages.index(first_start)


def test_warm_worker_keeps_module_state(lam: Any, make_function: Any) -> None:
    """An execution environment is reused between invocations: module-level state survives (developer guide,
    "Lambda execution environment": "objects declared outside of the function's handler method remain
    initialized")."""
    name = make_function("app.echo")
    counts = [_invoke(lam, name)[1]["count"] for _ in range(3)]
    assert counts == [1, 2, 3]


def test_environment_variables_and_context(lam: Any, make_function: Any, cloud: Any) -> None:
    """The function's variables and Lambda's defined ones are in os.environ; the context object carries the
    documented attributes ("Defined runtime environment variables"; "Using the Lambda context object to retrieve
    Python function information": memory_limit_in_mb comes from the environment, so it is a string)."""
    name = make_function("app.describe", MemorySize=256, Timeout=7, Environment={"Variables": {"STAGE": "test"}})
    names = ["STAGE", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
             "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_REGION", "AWS_DEFAULT_REGION",
             "LAMBDA_TASK_ROOT", "_HANDLER", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN"]
    context = base64.b64encode(json.dumps({"custom": {"who": "test"}}).encode()).decode()
    _, body = _invoke(lam, name, {"env": names}, ClientContext=context)
    env, ctx = body["env"], body["context"]
    assert env["STAGE"] == "test"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name == ctx["function_name"]
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST" == ctx["function_version"]
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256" == ctx["memory_limit_in_mb"]
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}" == ctx["log_group_name"]
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == ctx["log_stream_name"]
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == cloud.cfg.region
    assert env["_HANDLER"] == "app.describe"
    assert env["LAMBDA_TASK_ROOT"] == body["cwd"] == body["path0"]
    assert env["AWS_ENDPOINT_URL"] == cloud.cfg.gateway_url
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA") and env["AWS_SESSION_TOKEN"]  # the role's session
    assert ctx["invoked_function_arn"] == f"arn:aws:lambda:{cloud.cfg.region}:123456789012:function:{name}"
    assert re.fullmatch(r"[0-9a-f-]{36}", ctx["aws_request_id"])
    assert body["identity"] == [None, None]
    assert body["client_context"] == {"who": "test"}
    assert 0 < body["remaining_ms"] <= 7000
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    _, body = _invoke(lam, name, {"env": ["AWS_LAMBDA_FUNCTION_VERSION"]}, Qualifier="live")
    assert body["context"]["invoked_function_arn"].endswith(f":function:{name}:live")  # as the caller named it
    assert body["env"]["AWS_LAMBDA_FUNCTION_VERSION"] == version == body["context"]["function_version"]


def test_boto3_in_the_handler_reaches_the_local_cloud(lam: Any, make_function: Any, cloud: Any) -> None:
    """A handler's plain boto3 client (no endpoint in the code) writes to the local cloud's DynamoDB."""
    table = f"rt-items-{uuid.uuid4().hex[:8]}"
    ddb = cloud.client("dynamodb")
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    name = make_function("app.put_item", Timeout=30)
    response, body = _invoke(lam, name, {"table": table, "id": "m1"})
    assert "FunctionError" not in response, body
    item = ddb.get_item(TableName=table, Key={"id": {"S": "m1"}})["Item"]
    assert item["by"] == {"S": name}


def test_localhost_names_resolve_in_the_handler(lam: Any, make_function: Any) -> None:
    """Workers get the kit's RFC 6761 resolver shim, so a handler can reach *.localhost names (DESIGN: glibc does
    not resolve them on these machines)."""
    response, body = _invoke(lam, make_function("app.resolve"), {"name": "api.contact.localhost"})
    assert "FunctionError" not in response, body
    assert body == "127.0.0.1"


def test_code_update_takes_effect_on_the_next_invocation(lam: Any, make_function: Any) -> None:
    """After update_function_code the next invocation runs the new code (a new execution environment)."""
    name = make_function("app.handler", code=package({"app.py": "def handler(e, c):\n    return 'v1'\n"}))
    assert _invoke(lam, name)[1] == "v1"
    lam.update_function_code(FunctionName=name, ZipFile=package({"app.py": "def handler(e, c):\n    return 'v2'\n"}))
    assert _invoke(lam, name)[1] == "v2"


def test_configuration_update_takes_effect_on_the_next_invocation(lam: Any, make_function: Any) -> None:
    """update_function_configuration (environment, handler) applies to the next invocation."""
    name = make_function("app.describe", Environment={"Variables": {"STAGE": "one"}})
    assert _invoke(lam, name, {"env": ["STAGE"]})[1]["env"]["STAGE"] == "one"
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"STAGE": "two"}})
    assert _invoke(lam, name, {"env": ["STAGE"]})[1]["env"]["STAGE"] == "two"
    lam.update_function_configuration(FunctionName=name, Handler="app.echo")
    assert _invoke(lam, name, {"x": 1})[1]["event"] == {"x": 1}


def test_unhandled_exception_shape(lam: Any, make_function: Any, cloud: Any) -> None:
    """An exception escaping the handler: X-Amz-Function-Error Unhandled and the Python runtime's error document
    {errorMessage, errorType, requestId, stackTrace} with traceback.format_list lines; the log shows
    "[ERROR] <type>: <message>" and the trace (awslambdaric bootstrap.py, the Python runtime's code)."""
    name = make_function("app.fail")
    response, body = _invoke(lam, name, {"message": "no such order"})
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert set(body) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert body["errorMessage"] == "no such order"
    assert body["errorType"] == "ValueError"
    assert re.fullmatch(r'  File ".*/app\.py", line \d+, in fail\n    raise ValueError\(.*\)\n', body["stackTrace"][-1])
    assert all("worker.py" not in line for line in body["stackTrace"])
    messages = _log_messages(cloud, name, "[ERROR] ValueError: no such order")
    error = next(m for m in messages if m.startswith("[ERROR]"))
    assert error.split("\n")[1] == "Traceback (most recent call last):"
    assert "\u00a0\u00a0File" in error  # the runtime indents trace lines with no-break spaces


def test_import_error_shape(lam: Any, make_function: Any) -> None:
    """A handler module that cannot be imported: Runtime.ImportModuleError "Unable to import module 'x': …";
    a missing function: Runtime.HandlerNotFound (awslambdaric bootstrap.py ``_get_handler``)."""
    response, body = _invoke(lam, make_function("nowhere.handler"))
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"] == "Unable to import module 'nowhere': No module named 'nowhere'"
    response, body = _invoke(lam, make_function("app.missing"))
    assert body["errorType"] == "Runtime.HandlerNotFound"
    assert body["errorMessage"] == "Handler 'missing' missing on module 'app'"


def test_unserializable_result_is_a_marshal_error(lam: Any, make_function: Any) -> None:
    """A result json cannot encode: Runtime.MarshalError "Unable to marshal response: …" (awslambdaric)."""
    response, body = _invoke(lam, make_function("app.unserializable"))
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.MarshalError"
    assert body["errorMessage"] == "Unable to marshal response: Object of type set is not JSON serializable"


def test_response_over_6_mb_is_a_function_error(lam: Any, make_function: Any) -> None:
    """Responses are limited to 6 MB (Lambda quotas): beyond, Function.ResponseSizeTooLarge."""
    response, body = _invoke(lam, make_function("app.big", MemorySize=512), {"size": 6_300_000})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Function.ResponseSizeTooLarge"


def test_log_type_tail_returns_the_last_4_kb(lam: Any, make_function: Any) -> None:
    """LogType=Tail: X-Amz-Log-Result holds the base64 of the last 4 KB of the invocation's log (Invoke API)."""
    name = make_function("app.echo")
    response, _ = _invoke(lam, name, {"k": "v"}, LogType="Tail")
    tail = base64.b64decode(response["LogResult"]).decode()
    assert len(tail.encode()) <= 4096
    assert 'echo got {"k": "v"}' in tail
    assert re.search(r"^REPORT RequestId: \S+\tDuration", tail, re.M)
    response, _ = _invoke(lam, name, {"k": "v"})
    assert "LogResult" not in response


def test_non_json_payload_is_refused(lam: Any, make_function: Any) -> None:
    """A payload that is not JSON: 400 InvalidRequestContentException (Invoke API reference, Errors)."""
    name = make_function("app.echo")
    with pytest.raises(ClientError) as caught:
        lam.invoke(FunctionName=name, Payload=b"not json")
    assert caught.value.response["Error"]["Code"] == "InvalidRequestContentException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert caught.value.response["Error"]["Message"].startswith("Could not parse request body into json")


def test_unknown_function_is_404(lam: Any) -> None:
    """Invoking a function that does not exist: 404 ResourceNotFoundException "Function not found: <arn>"."""
    with pytest.raises(ClientError) as caught:
        lam.invoke(FunctionName="rt-no-such-function", Payload=b"{}")
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert error["Error"]["Message"].startswith("Function not found: arn:aws:lambda:")


def test_non_python_runtime_is_refused_clearly(lam: Any, make_function: Any) -> None:
    """The local cloud runs Python only: another runtime answers InvalidRuntimeException (502, an Invoke error)
    naming what it runs."""
    name = make_function("index.handler", runtime="nodejs20.x")
    with pytest.raises(ClientError) as caught:
        lam.invoke(FunctionName=name, Payload=b"{}")
    assert caught.value.response["Error"]["Code"] == "InvalidRuntimeException"
    assert "nodejs20.x" in caught.value.response["Error"]["Message"]
    assert "Python" in caught.value.response["Error"]["Message"]


def test_dry_run_checks_the_function_only(lam: Any, make_function: Any) -> None:
    """DryRun validates the request and runs nothing (Invoke API reference); unknown functions still 404."""
    name = make_function("app.echo")
    response = lam.invoke(FunctionName=name, InvocationType="DryRun")
    assert response["Payload"].read() == b""
    assert _invoke(lam, name)[1]["count"] == 1  # the dry run started no invocation
    with pytest.raises(ClientError):
        lam.invoke(FunctionName="rt-no-such-function", InvocationType="DryRun")


def test_event_and_dry_run_status_codes(lam: Any, make_function: Any) -> None:
    """Invoke answers 202 for Event and 204 for DryRun (Invoke API reference, StatusCode)."""
    name = make_function("app.echo")
    assert lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
    assert lam.invoke(FunctionName=name, InvocationType="DryRun")["StatusCode"] == 204


def test_event_invocation_runs_in_the_background(lam: Any, make_function: Any, cloud: Any) -> None:
    """InvocationType=Event queues the event and answers at once with an empty body; the function runs later
    (developer guide, "Invoking a Lambda function asynchronously")."""
    name = make_function("app.echo")
    response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"async": 1}).encode())
    assert response["Payload"].read() == b""
    messages = _log_messages(cloud, name, 'echo got {"async": 1}')  # written in one batch with its REPORT
    assert sum(m.startswith("REPORT") for m in messages) == 1


def test_qualifiers_version_and_alias(lam: Any, make_function: Any) -> None:
    """A published version keeps its code after $LATEST changes; an alias invokes the version it points to;
    ExecutedVersion names what ran (Invoke API reference, Qualifier)."""
    name = make_function("app.handler", code=package({"app.py": "def handler(e, c):\n    return 'one'\n"}))
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    lam.update_function_code(FunctionName=name, ZipFile=package({"app.py": "def handler(e, c):\n    return 'two'\n"}))
    assert _invoke(lam, name)[1] == "two"
    response, body = _invoke(lam, name, Qualifier=version)
    assert (body, response["ExecutedVersion"]) == ("one", version)
    response, body = _invoke(lam, name, Qualifier="live")
    assert (body, response["ExecutedVersion"]) == ("one", version)
