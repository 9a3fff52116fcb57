"""Workers forked by the zygote behave as workers started from scratch: their own environment and credentials
(their exit statuses: test_isolation); code that bundles its own boto3 gets a fresh interpreter that imports that
copy."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from labkit.waiting import NotYet, retry_until

from .conftest import lambda_health, package

WHO = """
import os, sys
import boto3

def handler(event, context):
    return {"account": boto3.client("sts").get_caller_identity()["Account"],
            "boto3": getattr(boto3, "BUNDLED", "kit"), "mine": os.environ.get("MINE"),
            "leaked": [k for k in ("LAB_STATE_DIR", "AWS_PROFILE") if k in os.environ], "cwd": os.getcwd(),
            "task_root": os.environ["LAMBDA_TASK_ROOT"]}
"""


def _invoke(lam: Any, name: str, event: Any) -> tuple[dict, Any]:
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode(), LogType="Tail")
    return answer, json.loads(answer["Payload"].read())


def _command_of(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def _worker_pids(state_dir: Path) -> dict[int, bytes]:
    """The cloud's worker processes (their cwd is code unpacked under the state directory) and command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and os.readlink(entry / "cwd").startswith(str(state_dir / "lambda")):
                found[int(entry.name)] = _command_of(int(entry.name))
        except OSError:
            continue
    return found


def _zygote_ready(lam: Any, make_function: Any, cloud: Any) -> None:
    """The first cold start of a cloud starts the zygote (that one starts a new interpreter); wait until it is
    preloaded."""
    _invoke(lam, make_function("app.echo"), {})

    def ready() -> None:
        if lambda_health(cloud)["zygote"] != "ready":
            raise NotYet("the zygote is preloading")

    retry_until("the zygote", ready, deadline=30, backoff=0.1, max_interval=0.5, progress=False)


def test_a_forked_worker_has_its_functions_environment_and_account(lam: Any, make_function: Any,
                                                                   cloud: Any) -> None:
    _zygote_ready(lam, make_function, cloud)
    before = set(_worker_pids(cloud.state_dir))
    name = make_function("who.handler", code=package({"who.py": WHO}), Environment={"Variables": {"MINE": "yes"}})
    answer, body = _invoke(lam, name, {})
    assert answer["StatusCode"] == 200 and "FunctionError" not in answer, body
    assert body["mine"] == "yes" and body["leaked"] == [] and body["boto3"] == "kit"
    assert body["account"] == cloud.cfg.account  # the function's own keys, not the zygote's throw-away ones
    assert body["cwd"] == body["task_root"]
    started = {pid: cmd for pid, cmd in _worker_pids(cloud.state_dir).items() if pid not in before}
    assert started and all(b"lambda_/zygote.py" in cmd for cmd in started.values()), started
    log = base64.b64decode(answer["LogResult"]).decode()
    assert "Init Duration" in log  # still a cold start, as Lambda reports one


def test_code_with_its_own_boto3_imports_that_copy(lam: Any, make_function: Any, cloud: Any) -> None:
    _zygote_ready(lam, make_function, cloud)
    code = package({"who.py": WHO,
                    "boto3/__init__.py": "BUNDLED = 'bundled'\n"
                    "def client(name):\n"
                    "    class _Sts:\n"
                    "        def get_caller_identity(self):\n"
                    "            return {'Account': 'bundled'}\n"
                    "    return _Sts()\n"})
    name = make_function("who.handler", code=code)
    answer, body = _invoke(lam, name, {})
    assert "FunctionError" not in answer, body
    assert body["boto3"] == "bundled" and body["account"] == "bundled"  # its copy, not the preloaded one
