"""UDP queries per second for an A record: the local cloud's DNS against a bare dnslib server, in one run.

The baseline is dnslib's own DNSServer (its threaded UDP server and handler) with a resolver that returns one fixed
A record: the least an answer from dnslib can cost. The local cloud answers from a Route 53 zone created through
the API. Each server runs in its own process; one client sends queries one at a time (send, wait for the answer,
check it) over loopback, ``QUERIES`` per measurement or until ``TIME_LIMIT`` seconds, alternating between the two
servers ``--runs`` times. Reported: median qps of each and ours / baseline (1.0 = as fast as bare dnslib).
"""

from __future__ import annotations

import json
import os
import socket
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
QUERIES = 3000
TIME_LIMIT = 10.0
NAME = "www.bench.localhost"
GOAL_RATIO = 0.5  # at least half the bare server's rate


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_baseline(port: int) -> None:
    """A bare dnslib server answering every query with one A record (run in its own process)."""
    from dnslib import QTYPE, RR, A
    from dnslib.server import BaseResolver, DNSLogger, DNSServer

    class FixedResolver(BaseResolver):
        def resolve(self, request, handler):
            reply = request.reply()
            reply.add_answer(RR(request.q.qname, QTYPE.A, ttl=300, rdata=A("192.0.2.1")))
            return reply

    server = DNSServer(FixedResolver(), port=port, address="127.0.0.1", logger=DNSLogger("-request,-reply"))
    print("ready", flush=True)
    server.start()


def _query(ident: int) -> bytes:
    from dnslib import DNSRecord

    query = DNSRecord.question(NAME, "A")
    query.header.id = ident
    return query.pack()


def measure(port: int) -> float:
    """Answered queries per second, one in flight; every answer checked (id, NOERROR, one A record)."""
    from dnslib import DNSRecord

    packets = [_query(i % 65536) for i in range(QUERIES)]
    answered = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2.0)
        sock.connect(("127.0.0.1", port))
        start = time.perf_counter()
        deadline = start + TIME_LIMIT
        for ident, packet in enumerate(packets):
            sock.send(packet)
            reply = DNSRecord.parse(sock.recv(4096))
            if reply.header.id != ident % 65536 or reply.header.rcode != 0 or len(reply.rr) != 1:
                raise RuntimeError(f"unexpected answer from port {port}: {reply}")
            answered += 1
            if time.perf_counter() > deadline:
                break
        elapsed = time.perf_counter() - start
    return answered / elapsed


def _start_cloud(state: str) -> tuple[subprocess.Popen, int]:
    gateway, dns_port = _free_port(), _free_port()
    env = {**os.environ, "LAB_STATE_DIR": state, "LAB_GATEWAY_PORT": str(gateway), "LAB_DNS_PORT": str(dns_port),
           **{var: str(_free_port()) for var in ("LAB_HTTPS_PORT", "LAB_HTTP_PORT", "LAB_SMTP_PORT")}}
    process = subprocess.Popen([sys.executable, "-m", "labkit.cloud"], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{gateway}/_lab/health", timeout=0.5).json().get("status") == "ok":
                break
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.05)
    else:
        process.terminate()
        raise RuntimeError("the local cloud did not start within 60 s")
    r53 = boto3.client("route53", endpoint_url=f"http://127.0.0.1:{gateway}", region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing",
                       config=Config(retries={"total_max_attempts": 1}))
    zone = r53.create_hosted_zone(Name="bench.localhost", CallerReference="bench")["HostedZone"]["Id"]
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "UPSERT",
        "ResourceRecordSet": {"Name": NAME, "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": "192.0.2.1"}]}}]})
    return process, dns_port


def _start_baseline() -> tuple[subprocess.Popen, int]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-c", f"from bench.dns import serve_baseline; serve_baseline({port})"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if process.stdout is None or process.stdout.readline().strip() != "ready":
        process.terminate()
        raise RuntimeError("the baseline DNS server did not start")
    return process, port


def run(runs: int = 5) -> dict:
    bare, ours = [], []
    with tempfile.TemporaryDirectory() as state:
        cloud, cloud_port = _start_cloud(state)
        baseline, baseline_port = _start_baseline()
        try:
            measure(cloud_port), measure(baseline_port)  # warm-up: first catalog build, imports, caches
            for _ in range(runs):
                bare.append(measure(baseline_port))
                ours.append(measure(cloud_port))
        finally:
            for process in (baseline, cloud):
                process.terminate()
                process.wait(timeout=30)
    bare_qps, ours_qps = statistics.median(bare), statistics.median(ours)
    result = {
        "runs": runs,
        "queries_per_run": QUERIES,
        "bare_dnslib_qps": round(bare_qps),
        "local_cloud_dns_qps": round(ours_qps),
        "ratio": round(ours_qps / bare_qps, 2),
        "goal": f"ratio >= {GOAL_RATIO}",
    }
    result["meets_goal"] = result["ratio"] >= GOAL_RATIO
    return result


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 5), indent=2))
