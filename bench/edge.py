"""Requests per second through the edge's TLS listener, against a bare TLS hello-world on the same stack, in one run.

A child process serves both on loopback: the edge (SNI callback, site registry, CloudFront limits, the site's WSGI
app on a worker thread) with a trivial site, and uvicorn + httptools with the same certificate and an ASGI
hello-world (no SNI callback, no registry). This process is the client: ``--runs`` rounds, alternating which
server goes first, each a fixed number of small GETs on keep-alive connections and then on a new TLS connection
per request (the handshake dominates). Medians are reported with the ratio edge / bare. Goal: ratio ≥ 0.5 with
keep-alive (the edge's own work costs at most as much as the bare server's).
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "bench.site.localhost"
KEEPALIVE_REQUESTS, NEW_CONNECTION_REQUESTS = 2000, 300
GOAL_RATIO = 0.5

SERVER = r'''
import asyncio, json, socket, sys, threading, types
from pathlib import Path
import uvicorn
from labkit.cloud.core import edge as edge_module
from labkit.cloud.core.edge import Edge, Site, _server_context
from labkit.config import Config

state = Path(sys.argv[1])
def free():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]
cloud = types.SimpleNamespace(state_dir=state, generation=0, components=[],
                              cfg=Config(state_dir=state, ports={"https": free(), "http": free(), "dns": 0,
                                                                 "gateway": 0, "smtp": 0}))
edge = Edge(cloud); cloud.components.append(edge); edge.bind(); edge.start()
leaf = edge.certificate("bench.site.localhost")
def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")]); return [b"ok"]
site = Site(hello, leaf, "allow-all")
edge.add_resolver(lambda host: site if host == "bench.site.localhost" else None)

async def bare_app(scope, receive, send):
    if scope["type"] != "http": return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})
context = _server_context(leaf)
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY, as the edge's
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", 0)); sock.listen(128)
bare = uvicorn.Server(uvicorn.Config(bare_app, http="httptools", lifespan="off", ws="none", log_config=None,
                                     access_log=False, server_header=False, ssl_context_factory=lambda c, d: context))
def run():
    loop = asyncio.new_event_loop(); loop.run_until_complete(bare.serve(sockets=[sock]))
threading.Thread(target=run, daemon=True).start()
while not bare.started: threading.Event().wait(0.01)
print(json.dumps({"edge": edge.ports["https"], "bare": sock.getsockname()[1]}), flush=True)
sys.stdin.read()
'''


class _Connection(http.client.HTTPSConnection):
    def connect(self) -> None:
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def _keepalive_rate(port: int, context: ssl.SSLContext, count: int) -> float:
    connection = _Connection(HOST, port, context=context, timeout=10)
    start = time.perf_counter()
    for _ in range(count):
        connection.request("GET", "/")
        if connection.getresponse().read() != b"ok":
            raise RuntimeError("unexpected answer")
    elapsed = time.perf_counter() - start
    connection.close()
    return count / elapsed


def _new_connection_rate(port: int, context: ssl.SSLContext, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        connection = _Connection(HOST, port, context=context, timeout=10)
        connection.request("GET", "/")
        if connection.getresponse().read() != b"ok":
            raise RuntimeError("unexpected answer")
        connection.close()
    return count / (time.perf_counter() - start)


def run(runs: int = 5) -> dict:
    with tempfile.TemporaryDirectory() as state:
        server = subprocess.Popen([sys.executable, "-c", SERVER, state], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        try:
            ports = json.loads(server.stdout.readline())
            context = ssl.create_default_context(cafile=os.path.join(state, "ca", "ca.pem"))
            rates: dict[str, list[float]] = {f"{n}_{m}": [] for n in ("edge", "bare") for m in ("keepalive", "new")}
            _keepalive_rate(ports["edge"], context, 100), _keepalive_rate(ports["bare"], context, 100)  # warm up
            for round_number in range(runs):
                order = ("edge", "bare") if round_number % 2 == 0 else ("bare", "edge")
                for name in order:
                    rates[f"{name}_keepalive"].append(_keepalive_rate(ports[name], context, KEEPALIVE_REQUESTS))
                    rates[f"{name}_new"].append(_new_connection_rate(ports[name], context, NEW_CONNECTION_REQUESTS))
        finally:
            server.stdin.close()
            server.terminate()
            server.wait(timeout=30)
    median = {key: statistics.median(values) for key, values in rates.items()}
    result = {
        "runs": runs,
        "edge_keepalive_rps": round(median["edge_keepalive"]),
        "bare_keepalive_rps": round(median["bare_keepalive"]),
        "ratio_keepalive": round(median["edge_keepalive"] / median["bare_keepalive"], 2),
        "edge_new_connection_rps": round(median["edge_new"]),
        "bare_new_connection_rps": round(median["bare_new"]),
        "ratio_new_connection": round(median["edge_new"] / median["bare_new"], 2),
        "goal": f"ratio_keepalive >= {GOAL_RATIO}",
    }
    result["meets_goal"] = result["ratio_keepalive"] >= GOAL_RATIO
    return result


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 5), indent=2))
