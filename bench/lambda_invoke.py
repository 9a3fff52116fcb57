"""Lambda invocation latency through boto3 against the local cloud, against baselines measured in the same run.

Measured (medians, ms):
    in_process_call_ms    the handler called as a plain Python function in this process (the floor)
    api_roundtrip_ms      a boto3 GetFunction on the same cloud: what any API call costs
    warm_invoke_ms        boto3 Invoke of a function whose worker is warm
    cold_invoke_ms        boto3 Invoke of a new function: unzip, worker start, handler import, call
    cold_boto3_invoke_ms  the same with a handler that imports boto3 at module level (as real handlers do)
Ratios compare each to its baseline: warm and cold against the API round trip, and warm against the plain call.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
HANDLER = "import json\n\ndef handler(event, context):\n    return {'ok': True, 'echo': event}\n"
HANDLER_BOTO3 = "import boto3\n\n" + HANDLER


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def _median_ms(action: Callable[[], Any], times: int) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(runs: int = 5) -> dict:
    sys.path.insert(0, str(ROOT))
    from labkit import config
    from labkit.cloud import control
    from labkit.target import client

    namespace: dict[str, Any] = {}
    exec(compile(HANDLER, "app.py", "exec"), namespace)
    plain = _median_ms(lambda: namespace["handler"]({"n": 1}, None), max(runs * 200, 1000))

    with tempfile.TemporaryDirectory() as state:
        env = {"LAB_STATE_DIR": state, "LAB_TARGET": "local",
               **{var: str(_free_port()) for var, _, _ in config.PORTS.values()}}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        cfg = config.load()
        try:
            control.up(cfg, quiet=True)
            lam, iam = client("lambda", cfg), client("iam", cfg)
            role = iam.create_role(RoleName="bench", AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                        "Principal": {"Service": "lambda.amazonaws.com"}}]}))
            arn = role["Role"]["Arn"]

            def create(source: str) -> str:
                name = f"bench-{uuid.uuid4().hex[:10]}"
                lam.create_function(FunctionName=name, Runtime="python3.12", Role=arn, Handler="app.handler",
                                    Code={"ZipFile": _zip(source)}, Timeout=30)
                return name

            def invoke(name: str) -> None:
                response = lam.invoke(FunctionName=name, Payload=b'{"n": 1}')
                if response.get("FunctionError"):
                    raise RuntimeError(response["Payload"].read().decode())
                response["Payload"].read()

            warm_name = create(HANDLER)
            invoke(warm_name)
            roundtrip = _median_ms(lambda: lam.get_function(FunctionName=warm_name), runs * 10)
            warm = _median_ms(lambda: invoke(warm_name), runs * 10)
            cold_names = [create(HANDLER) for _ in range(runs)]
            cold = statistics.median(_median_ms(lambda n=n: invoke(n), 1) for n in cold_names)
            boto_names = [create(HANDLER_BOTO3) for _ in range(runs)]
            cold_boto3 = statistics.median(_median_ms(lambda n=n: invoke(n), 1) for n in boto_names)
        finally:
            control.down(cfg, quiet=True)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    return {
        "runs": runs,
        "in_process_call_ms": round(plain, 4),
        "api_roundtrip_ms": round(roundtrip, 2),
        "warm_invoke_ms": round(warm, 2),
        "cold_invoke_ms": round(cold, 2),
        "cold_boto3_invoke_ms": round(cold_boto3, 2),
        "warm_vs_api_roundtrip": round(warm / roundtrip, 2),
        "cold_vs_api_roundtrip": round(cold / roundtrip, 2),
        "cold_vs_warm": round(cold / warm, 2),
        "warm_vs_in_process_call": round(warm / plain, 1),
    }


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 5), indent=2))
