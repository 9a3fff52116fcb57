"""Cached GETs (X-Cache: Hit) from a distribution through TLS + WAF + cache, against a bare TLS hello-world on the
same server stack, in one run.

A real local cloud process (``python -m labkit.cloud``, its own state directory and free loopback ports, deploy
delay 0) serves a distribution: private S3 bucket through OAC, CachingOptimized, a web ACL with the three managed
rule groups (AWSManagedRulesCommonRuleSet, AWSManagedRulesSQLiRuleSet, AWSManagedRulesKnownBadInputsRuleSet), so
every request is TLS (SNI) → edge → WAF evaluation → cache hit. A second process serves an ASGI hello-world with
uvicorn + httptools over TLS with a certificate from the same local CA for the same names (*.cloudfront.localhost).
This process is the client: ``--runs`` rounds, alternating which server goes first, each a fixed number of GETs of
a 2 KB page on one keep-alive connection, with a browser's User-Agent (the common rule set blocks requests without
one). Medians are reported with the ratio cdn / bare. Goal (issue: CloudFront data plane): ratio ≥ 0.25.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import boto3
import requests
from botocore.config import Config as BotoConfig

ROOT = Path(__file__).resolve().parent.parent
REQUESTS_PER_ROUND = 1000
GOAL_RATIO = 0.25
PAGE = b"<!doctype html><title>contact</title>" + b"<p>Write to us.</p>" * 100
HEADERS = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) bench", "Accept": "text/html",
           "Accept-Encoding": "identity"}
MANAGED = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")

BARE = r'''
import asyncio, socket, sys
from pathlib import Path
import uvicorn
from labkit.cloud.core import certs
from labkit.cloud.core.edge import KIT_NAMES, _server_context

context = _server_context(certs.authority(Path(sys.argv[1])).leaf(KIT_NAMES))
body = b"<!doctype html><title>contact</title>" + b"<p>Write to us.</p>" * 100
async def app(scope, receive, send):
    if scope["type"] != "http": return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/html"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
# proto IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say TCP (edge.py, Edge.bind)
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", 0)); sock.listen(128)
server = uvicorn.Server(uvicorn.Config(app, http="httptools", lifespan="off", ws="none", log_config=None,
                                       access_log=False, server_header=False, ssl_context_factory=lambda c, d: context))
print(sock.getsockname()[1], flush=True)
asyncio.new_event_loop().run_until_complete(server.serve(sockets=[sock]))
'''


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Connection(http.client.HTTPSConnection):
    def connect(self) -> None:
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def _rate(host: str, port: int, context: ssl.SSLContext, count: int, *, expect_hit: bool) -> float:
    connection = _Connection(host, port, context=context, timeout=10)
    start = time.perf_counter()
    for _ in range(count):
        connection.request("GET", "/index.html", headers=HEADERS)
        response = connection.getresponse()
        if response.read() != PAGE or (expect_hit and response.getheader("X-Cache") != "Hit from cloudfront"):
            raise RuntimeError(f"unexpected answer {response.status} {response.getheader('X-Cache')}")
    elapsed = time.perf_counter() - start
    connection.close()
    return count / elapsed


def _client(service: str, gateway: str) -> object:
    return boto3.client(service, endpoint_url=gateway, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=BotoConfig(retries={"total_max_attempts": 1}))


def _distribution(gateway: str) -> str:
    """A private site behind a deployed distribution with the three managed rule groups; returns its DomainName."""
    s3, cf, waf = _client("s3", gateway), _client("cloudfront", gateway), _client("wafv2", gateway)
    bucket = f"bench-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="index.html", Body=PAGE, ContentType="text/html")
    visibility = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "bench"}
    rules = [{"Name": name, "Priority": i, "OverrideAction": {"None": {}}, "VisibilityConfig": visibility,
              "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": name}}}
             for i, name in enumerate(MANAGED)]
    acl = waf.create_web_acl(Name="bench", Scope="CLOUDFRONT", DefaultAction={"Allow": {}}, Rules=rules,
                             VisibilityConfig=visibility)["Summary"]["ARN"]
    oac = cf.create_origin_access_control(OriginAccessControlConfig={
        "Name": "bench", "SigningProtocol": "sigv4", "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3"})["OriginAccessControl"]["Id"]
    dist = cf.create_distribution(DistributionConfig={
        "CallerReference": uuid.uuid4().hex, "Comment": "", "Enabled": True, "WebACLId": acl,
        "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": f"{bucket}.s3.us-east-1.amazonaws.com",
                                              "OriginAccessControlId": oac,
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6", "Compress": True}},
    )["Distribution"]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*", "Condition": {"StringEquals": {"AWS:SourceArn": dist["ARN"]}}}]}))
    cf.get_waiter("distribution_deployed").wait(Id=dist["Id"], WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    return dist["DomainName"]


def _wait_healthy(gateway: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the local cloud exited while starting")
        try:
            if requests.get(f"{gateway}/_lab/health", timeout=1).json().get("status") == "ok":
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.1)
    raise RuntimeError("the local cloud did not become healthy within 60 s")


def run(runs: int = 5) -> dict:
    with tempfile.TemporaryDirectory() as state:
        ports = {name: _free_port() for name in ("gateway", "dns", "https", "http", "smtp")}
        env = {**os.environ, "PYTHONPATH": str(ROOT), "LAB_STATE_DIR": state, "LAB_TARGET": "local",
               "LAB_CLOUDFRONT_DEPLOY_SECONDS": "0", **{f"LAB_{k.upper()}_PORT": str(v) for k, v in ports.items()}}
        gateway = f"http://127.0.0.1:{ports['gateway']}"
        cloud = subprocess.Popen([sys.executable, "-m", "labkit.cloud"], env=env, cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        bare = None
        try:
            _wait_healthy(gateway, cloud)
            host = _distribution(gateway)
            bare = subprocess.Popen([sys.executable, "-c", BARE, state], env=env, cwd=ROOT, stdout=subprocess.PIPE)
            bare_port = int(bare.stdout.readline())
            context = ssl.create_default_context(cafile=os.path.join(state, "ca", "ca.pem"))
            targets = {"cdn": (ports["https"], True), "bare": (bare_port, False)}
            _rate(host, ports["https"], context, 50, expect_hit=False)  # warm up: the first GET is the Miss
            _rate(host, bare_port, context, 50, expect_hit=False)
            rates: dict[str, list[float]] = {"cdn": [], "bare": []}
            for round_number in range(runs):
                for name in (("cdn", "bare") if round_number % 2 == 0 else ("bare", "cdn")):
                    port, hit = targets[name]
                    rates[name].append(_rate(host, port, context, REQUESTS_PER_ROUND, expect_hit=hit))
        finally:
            for process in (bare, cloud):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=30)
    cdn, plain = statistics.median(rates["cdn"]), statistics.median(rates["bare"])
    result = {
        "runs": runs,
        "requests_per_round": REQUESTS_PER_ROUND,
        "cdn_hit_rps": round(cdn),
        "bare_tls_rps": round(plain),
        "ratio": round(cdn / plain, 2),
        "goal": f"ratio >= {GOAL_RATIO}",
    }
    result["meets_goal"] = result["ratio"] >= GOAL_RATIO
    return result


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 5), indent=2))
