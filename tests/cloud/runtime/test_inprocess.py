"""The in-process API other data planes call (``runtime.invoke``), and the runtime's small pure parts.

The API tests run the runtime inside the test process, as the cloud runs it: moto in-process holds the function
(created with boto3 through moto's own in-process mode) and the workers are real processes. ``cloud`` below
stands for the LocalCloud and has the attributes the runtime reads from it.
"""

from __future__ import annotations

import base64
import json
import os
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import boto3
import pytest
from moto import mock_aws

from labkit import config
from labkit.cloud.core.errors import AwsError
from labkit.cloud.lambda_ import LambdaRuntime, faults, logs
from labkit.cloud.lambda_ import models as lambda_models
from labkit.cloud.lambda_.component import ACCOUNT_CONCURRENCY, account_concurrency
from labkit.cloud.lambda_.pool import Pools, Throttled
from labkit.errors import ConfigError

from .conftest import package


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LambdaRuntime]:
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        boto3.client("lambda", region_name="us-east-1").create_function(
            FunctionName="api-echo", Runtime="python3.12", Role=role, Handler="app.echo", Code={"ZipFile": package()})
        cloud = types.SimpleNamespace(cfg=config.Config(state_dir=tmp_path), state_dir=tmp_path, generation=0,
                                      components=[])
        instance = LambdaRuntime(cloud)
        cloud.components.append(instance)
        instance.start()
        try:
            yield instance
        finally:
            instance.stop()


def test_invoke_from_many_threads(runtime: LambdaRuntime) -> None:
    """API Gateway calls invoke() from its request threads: each caller gets its own result, and no more workers
    run than the account's concurrency allows (more callers at once than that would be throttled, as on AWS)."""
    with ThreadPoolExecutor(max_workers=ACCOUNT_CONCURRENCY) as threads:
        results = list(threads.map(lambda n: runtime.invoke("api-echo", f'{{"n": {n}}}'.encode()), range(24)))
    assert all(r.status == 200 and r.function_error is None and r.executed_version == "$LATEST" for r in results)
    bodies = [json.loads(r.payload) for r in results]
    assert [b["event"]["n"] for b in bodies] == list(range(24))
    assert len({r.request_id for r in results}) == 24
    assert 1 <= len({b["pid"] for b in bodies}) <= ACCOUNT_CONCURRENCY
    assert "START RequestId: " in base64.b64decode(results[0].log_tail).decode()
    assert runtime.health()["invocations"] == 24


def test_invocation_types_and_errors(runtime: LambdaRuntime) -> None:
    """Event answers 202 and runs later, DryRun 204; a missing function is AwsError ResourceNotFoundException."""
    arn = "arn:aws:lambda:us-east-1:123456789012:function:api-echo"
    assert runtime.invoke(arn, b"{}").status == 200
    assert runtime.invoke("api-echo", b"{}", invocation_type="Event").status == 202
    assert runtime.invoke("api-echo", invocation_type="DryRun").status == 204
    with pytest.raises(AwsError) as caught:
        runtime.invoke("api-missing", b"{}")
    assert (caught.value.code, caught.value.status) == ("ResourceNotFoundException", 404)


def test_stop_ends_every_worker(runtime: LambdaRuntime) -> None:
    pid = json.loads(runtime.invoke("api-echo", b"{}").payload)["pid"]
    os.kill(pid, 0)  # alive and warm
    runtime.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def _version(name: str, reserved: int | None = None) -> lambda_models.LambdaVersion:
    return lambda_models.LambdaVersion(account="123456789012", region="us-east-1", name=name, arn=f"arn:{name}",
                                version="$LATEST", runtime="python3.12", handler="app.echo", timeout=3,
                                memory_size=128, environment=(), code_sha256="x", code=b"",
                                reserved_concurrency=reserved)


def test_account_limit_throttles_across_functions() -> None:
    """In-flight invocations of the whole account are capped: Reason ConcurrentInvocationLimitExceeded; a function's
    reserved concurrency caps it alone: ReservedFunctionConcurrentInvocationLimitExceeded (Invoke API, Errors)."""
    pools = Pools(account_limit=2, max_idle=4)
    first = pools.lease(_version("a", reserved=1))
    with pytest.raises(Throttled) as caught:
        pools.lease(_version("a", reserved=1))
    assert caught.value.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"
    pools.lease(_version("b"))
    with pytest.raises(Throttled) as caught:
        pools.lease(_version("c"))
    assert caught.value.reason == "ConcurrentInvocationLimitExceeded"
    pools.release(first)
    pools.lease(_version("c"))  # room again
    assert pools.summary()["in_flight"] == 2


def test_exit_status_in_lambdas_words() -> None:
    """Lambda's platform (written in Go) words a process's end as Go does: "exit status 1", "signal: killed"."""
    assert faults.exit_status(1) == "exit status 1"
    assert faults.exit_status(-9) == "signal: killed"
    assert faults.exit_status(-6) == "signal: aborted"
    assert faults.exit_status(-11) == "signal: segmentation fault"
    assert json.loads(faults.exit_error("r1", faults.exit_status(0)))["errorMessage"] == (
        "RequestId: r1 Error: Runtime exited without providing a reason")


def test_report_line_and_tail() -> None:
    """REPORT fields are tab-separated and tab-terminated; Billed Duration rounds up and includes Init Duration;
    the tail is at most 4 KB (Invoke API: "the last 4 KB of the execution log")."""
    line = logs.report_line("r1", duration_ms=1.2, memory_mb=128, max_memory_mb=40, init_ms=100.5, status="timeout")
    assert line == ("REPORT RequestId: r1\tDuration: 1.20 ms\tBilled Duration: 102 ms\tMemory Size: 128 MB\t"
                    "Max Memory Used: 40 MB\tInit Duration: 100.50 ms\tStatus: timeout\t")
    tail = base64.b64decode(logs.tail([(0, "x" * 5000), (1, "END RequestId: r1")]))
    assert len(tail) == 4096 and tail.endswith(b"END RequestId: r1\n")


def test_account_concurrency_setting() -> None:
    """LAB_LAMBDA_CONCURRENCY sets the account's limit; anything but a whole number from 1 to 200 is one clear
    line naming the setting."""
    assert account_concurrency({}) == ACCOUNT_CONCURRENCY
    assert account_concurrency({"LAB_LAMBDA_CONCURRENCY": " 5 "}) == 5
    for bad in ("0", "many", "500", "-3"):
        with pytest.raises(ConfigError, match="LAB_LAMBDA_CONCURRENCY"):
            account_concurrency({"LAB_LAMBDA_CONCURRENCY": bad})
