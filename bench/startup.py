"""Cold start of the local cloud until healthy, against a bare ``moto_server`` start, in one run.

Both are started as fresh processes, alternately, ``--runs`` times; each is timed from spawn until its first
answer to a signed S3 ListBuckets (the local cloud: until /_lab/health says ok and then the same call). RSS is
read from /proc after that first call. Goal (issue: foundation): ratio ≤ 1.5×, RSS ≤ 250 MB.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import requests
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO, GOAL_RSS_MB = 1.5, 250


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _first_call(port: int) -> None:
    s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing",
                      config=Config(retries={"total_max_attempts": 1}))
    s3.list_buckets()


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _time_start(command: list[str], port: int, ready_url: str | None, env: dict[str, str]) -> tuple[float, float]:
    start = time.perf_counter()
    errors = tempfile.TemporaryFile()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors, cwd=ROOT)
    try:
        deadline = start + 60
        while time.perf_counter() < deadline:
            if process.poll() is not None:  # it gave up (a port taken…): say why, do not wait out the deadline
                errors.seek(0)
                raise RuntimeError(f"{' '.join(command[-2:])} exited: {errors.read().decode()[-500:].strip()}")
            try:
                if ready_url:
                    health = requests.get(ready_url, timeout=0.5).json()
                    if health.get("status") != "ok":
                        raise ValueError("starting")
                _first_call(port)
                break
            except Exception:
                time.sleep(0.01)
        else:
            raise RuntimeError(f"{command[0]} did not start within 60 s")
        elapsed = time.perf_counter() - start
        return elapsed, _rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
        errors.close()


def run(runs: int = 5) -> dict:
    sys.path.insert(0, str(ROOT))
    from labkit import config

    bin_dir = Path(sys.executable).parent
    bare, ours = [], []
    for _ in range(runs):
        port = _free_port()
        bare.append(_time_start([str(bin_dir / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], port, None,
                                dict(os.environ)))
        ports = {var: str(_free_port()) for var, _, _ in config.PORTS.values()}  # never a running cloud's ports
        port = int(ports["LAB_GATEWAY_PORT"])
        with tempfile.TemporaryDirectory() as state:
            env = {**os.environ, "LAB_STATE_DIR": state, **ports}
            ours.append(_time_start([sys.executable, "-m", "labkit.cloud"], port,
                                    f"http://127.0.0.1:{port}/_lab/health", env))
    bare_s = statistics.median(t for t, _ in bare)
    ours_s = statistics.median(t for t, _ in ours)
    result = {
        "runs": runs,
        "bare_moto_start_s": round(bare_s, 3),
        "local_cloud_start_s": round(ours_s, 3),
        "ratio": round(ours_s / bare_s, 2),
        "bare_moto_rss_mb": round(statistics.median(r for _, r in bare), 1),
        "local_cloud_rss_mb": round(statistics.median(r for _, r in ours), 1),
        "goal": f"ratio <= {GOAL_RATIO}, rss <= {GOAL_RSS_MB} MB",
    }
    result["meets_goal"] = result["ratio"] <= GOAL_RATIO and result["local_cloud_rss_mb"] <= GOAL_RSS_MB
    return result


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 5), indent=2))
