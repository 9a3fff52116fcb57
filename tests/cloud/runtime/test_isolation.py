"""Bad handlers cost one worker, never the runtime: timeouts, exits, crashes, memory hogs; and concurrency limits.

Waits are on conditions (the worker seen busy in /_lab/health, a gate file), never on the clock; the only timed
values are the functions' own Timeout settings, kept short.
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labkit.waiting import NotYet, retry_until

from labkit.cloud import control

from .conftest import lambda_health, package


def _invoke(lam: Any, name: str, event: Any = None, **kwargs: Any) -> tuple[dict, Any]:
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode(), **kwargs)
    return response, json.loads(response["Payload"].read())


def _log(cloud: Any, name: str) -> list[str]:
    return [e["message"] for e in cloud.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]]


def _wait_busy(cloud: Any, name: str, count: int) -> None:
    def attempt() -> None:
        busy = lambda_health(cloud)["workers"].get(name, {}).get("busy", 0)
        if busy < count:
            raise NotYet(f"{busy} busy")

    retry_until(f"{count} busy workers of {name}", attempt, deadline=30, backoff=0.02, max_interval=0.2,
                progress=False)


class Background:
    """An invocation running on a thread (it blocks until its gate file exists)."""

    def __init__(self, lam: Any, name: str, event: dict) -> None:
        self.result: Any = None
        self.thread = threading.Thread(target=self._run, args=(lam, name, event))
        self.thread.start()

    def _run(self, lam: Any, name: str, event: dict) -> None:
        try:
            self.result = _invoke(lam, name, event)[1]
        except Exception as exc:  # the cloud went away under it (test_workers_end_with_a_killed_cloud)
            self.result = exc

    def join(self) -> Any:
        self.thread.join(timeout=60)
        return self.result


def test_timeout_kills_the_worker_and_says_so(lam: Any, make_function: Any, cloud: Any) -> None:
    """Past its Timeout the invocation ends: payload {"errorType": "Sandbox.Timedout", "errorMessage": "RequestId:
    <id> Error: Task timed out after 1.00 seconds"}, the log line "<time> <id> Task timed out after 1.00 seconds"
    and REPORT "Status: timeout" (developer guide, "Troubleshoot invocation issues"). The next invocation gets a
    fresh worker."""
    name = make_function("app.sleep", Timeout=1)
    response, body = _invoke(lam, name, {"seconds": 30})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout"
    assert re.fullmatch(r"RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds", body["errorMessage"])
    rid = body["errorMessage"].split()[1]
    messages = _log(cloud, name)
    assert "going to sleep" in messages  # what it printed before the end is kept
    assert any(re.fullmatch(rf"\d{{4}}-\d\d-\d\dT[\d:.]+Z {rid} Task timed out after 1\.00 seconds", m)
               for m in messages)
    assert re.search(r"\tStatus: timeout\t$", next(m for m in messages if m.startswith(f"REPORT RequestId: {rid}")))
    response, body = _invoke(lam, name, {"seconds": 0})
    assert body == "woke up"
    assert lambda_health(cloud)["workers"][name] == {"busy": 0, "idle": 1}


@pytest.mark.parametrize(("how", "status"), [("exit", "exit status 3"), ("abort", "signal: aborted"),
                                              ("segfault", "signal: segmentation fault")])
def test_a_dying_worker_is_runtime_exit_error(lam: Any, make_function: Any, cloud: Any, how: str, status: str) -> None:
    """A runtime process that ends mid-invocation: {"errorType": "Runtime.ExitError", "errorMessage": "RequestId:
    <id> Error: Runtime exited with error: <status>"} (public AWS reports: aws/aws-lambda-dotnet#480, awslabs/
    aws-lambda-cpp#30). The next invocation runs on a fresh worker."""
    name = make_function("app.crash")
    pid_before = _invoke(lam, name)[1]["pid"]
    response, body = _invoke(lam, name, {"how": how})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ExitError"
    assert re.fullmatch(rf"RequestId: [0-9a-f-]{{36}} Error: Runtime exited with error: {status}", body["errorMessage"])
    messages = _log(cloud, name)
    assert f"about to {how}" in messages
    assert any(m.endswith(f"Runtime exited with error: {status}\nRuntime.ExitError") for m in messages)
    assert _invoke(lam, name)[1]["pid"] != pid_before


def test_memory_hog_is_killed_alone(lam: Any, make_function: Any, cloud: Any) -> None:
    """A function using more than its MemorySize is killed: "Runtime exited with error: signal: killed",
    Runtime.ExitError (public AWS report: awslabs/amazon-s3-find-and-forget#283), REPORT "Error Type:
    Runtime.OutOfMemory". Other functions and the next invocation are unaffected."""
    name = make_function("app.crash", MemorySize=128, Timeout=60)
    bystander = make_function("app.echo")
    response, body = _invoke(lam, name, {"how": "hog"})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"].endswith("Error: Runtime exited with error: signal: killed")
    report = next(m for m in _log(cloud, name) if m.startswith("REPORT"))
    assert "\tStatus: error\tError Type: Runtime.OutOfMemory\t" in report
    used = int(re.search(r"Max Memory Used: (\d+) MB", report).group(1))
    assert used > 128
    assert "pid" in _invoke(lam, name)[1]
    assert _invoke(lam, bystander)[1]["count"] == 1
    assert lambda_health(cloud)["status"] == "ok"


def test_concurrent_invocations_get_their_own_workers(lam: Any, make_function: Any, cloud: Any,
                                                       tmp_path: Path) -> None:
    """Lambda scales out: an invocation arriving while the others are busy gets another execution environment
    (developer guide, "Understanding Lambda function scaling")."""
    name = make_function("app.wait_for", Timeout=60)
    gates = [tmp_path / "a", tmp_path / "b"]
    running = [Background(lam, name, {"path": str(gate)}) for gate in gates]
    _wait_busy(cloud, name, 2)
    for gate in gates:
        gate.touch()
    results = [r.join() for r in running]
    assert [r["released"] for r in results] == [str(g) for g in gates]
    assert results[0]["pid"] != results[1]["pid"]
    assert lambda_health(cloud)["workers"][name] == {"busy": 0, "idle": 2}


def test_reserved_concurrency_throttles(lam: Any, make_function: Any, cloud: Any, tmp_path: Path) -> None:
    """With reserved concurrency N, invocation N+1 while N run: 429 TooManyRequestsException, message "Rate
    Exceeded.", Reason ReservedFunctionConcurrentInvocationLimitExceeded (Invoke API reference, Errors). An Event
    invocation is not refused: it waits in the queue until the function has room."""
    name = make_function("app.wait_for", Timeout=60)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    gate = tmp_path / "gate"
    running = Background(lam, name, {"path": str(gate)})
    _wait_busy(cloud, name, 1)
    with pytest.raises(ClientError) as caught:
        lam.invoke(FunctionName=name, Payload=json.dumps({"path": str(gate)}).encode())
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Error"]["Code"] == "TooManyRequestsException"
    assert error["Error"]["Message"] == "Rate Exceeded."
    assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"path": str(gate)}).encode())
    gate.touch()
    assert running.join()["released"] == str(gate)

    def queued_event_ran() -> None:
        reports = [m for m in _log(cloud, name) if m.startswith("REPORT")]
        if len(reports) < 2:
            raise NotYet(f"{len(reports)} invocations logged")

    retry_until("the queued event", queued_event_ran, deadline=30, backoff=0.05, max_interval=0.5, progress=False)


def test_reserved_concurrency_zero_throttles_everything(lam: Any, make_function: Any) -> None:
    """Reserved concurrency 0 stops a function: every synchronous invocation is throttled (developer guide,
    "Configuring reserved concurrency")."""
    name = make_function("app.echo")
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as caught:
        lam.invoke(FunctionName=name, Payload=b"{}")
    assert caught.value.response["Error"]["Code"] == "TooManyRequestsException"
    lam.delete_function_concurrency(FunctionName=name)
    assert _invoke(lam, name)[1]["count"] == 1


def _workers_of(state_dir: Path) -> list[int]:
    """Pids of the worker processes running code unpacked under this cloud's state directory: started as
    worker.py, or forked by the zygote (whose command line they keep; the zygote itself runs elsewhere)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
            if entry.name.isdigit() and (b"lambda_/worker.py" in command or b"lambda_/zygote.py" in command) and \
                    os.readlink(entry / "cwd").startswith(str(state_dir)):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def test_workers_end_with_a_killed_cloud(fresh_cloud: Any) -> None:
    """A cloud killed outright (no stop(), so nothing kills its workers) leaves no handler running behind it."""
    lam = fresh_cloud.client("lambda")
    role = fresh_cloud.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam.create_function(FunctionName="sleeper", Runtime="python3.12", Role=role, Handler="app.sleep",
                        Code={"ZipFile": package()}, Timeout=300)
    running = Background(lam, "sleeper", {"seconds": 300})
    _wait_busy(fresh_cloud, "sleeper", 1)
    workers = _workers_of(fresh_cloud.state_dir)
    assert len(workers) == 1
    os.kill(control.running_pid(fresh_cloud.cfg), signal.SIGKILL)

    def running_state(pid: int) -> bool:  # a zombie has ended; only its reaping is left
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    def gone() -> None:
        alive = [pid for pid in workers if running_state(pid)]
        if alive:
            raise NotYet(f"worker {alive} still running")

    retry_until("the orphaned worker ends", gone, deadline=30, backoff=0.1, max_interval=0.5, progress=False)
    assert isinstance(running.join(), Exception)


def test_functions_run_again_after_a_restart(fresh_cloud: Any) -> None:
    """Workers do not survive a restart, functions do: the first invocation after it starts a new worker from the
    restored package."""
    lam = fresh_cloud.client("lambda")
    role = fresh_cloud.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam.create_function(FunctionName="survivor", Runtime="python3.12", Role=role, Handler="app.echo",
                        Code={"ZipFile": package()})
    assert _invoke(lam, "survivor", {"n": 1})[1]["count"] == 1
    fresh_cloud.restart()
    _, body = _invoke(fresh_cloud.client("lambda"), "survivor", {"n": 2})
    assert (body["event"], body["count"]) == ({"n": 2}, 1)
