"""The Lambda runtime data plane: functions' Python code runs for real, in worker processes (DESIGN: "Lambda runs
for real").

    LambdaRuntime        the Component named "lambda"
        .invoke(function, payload, *, invocation_type, qualifier, client_context, account, region) -> InvokeResult
                         the in-process API for the other data planes (API Gateway, SNS…); safe from many threads;
                         raises AwsError for what Invoke refuses (ResourceNotFoundException, TooManyRequests…)
        .providers()     lambda Invoke and InvokeAsync, through the same path (provider.py)
        .health()        workers per function, invocations served, throttles
    InvokeResult         status (200/202/204), payload, function_error, log_tail, executed_version, request_id

One invocation: resolve the version through models.py (cached until the cloud's generation changes) → check the
runtime and the payload → lease a slot and a warm worker (pool.py) or start one and wait for its Init
(process.py) → send the event, wait up to the function's Timeout → shape the reply or the platform's error
(faults.py) → write the output between START, END and REPORT to CloudWatch Logs (logs.py) → release the worker.
Event invocations queue and run on dispatcher threads, which wait while throttled. A watchdog thread polls busy
workers' memory (a worker over its MemorySize is killed) and stops workers idle for IDLE_RETIRE_S.

Setting (read at start):
    LAB_LAMBDA_CONCURRENCY   in-flight invocations across all functions (default 20). Each needs a worker process
                             (~40 MB with boto3 loaded); more are throttled, as an account's limit does on AWS.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import logging
import os
import queue
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from ...config import LOCAL_ACCOUNT
from ...errors import ConfigError
from ..cloudwatch.metrics import MetricWriter
from ..core.component import Component
from ..core.errors import AwsError
from . import faults, logs, models
from .code import CodeStore
from . import metrics as fn_metrics
from .pool import Lease, Pools, Throttled
from .process import Outcome, WorkerProcess, common_environ, role_credentials, worker_environ
from .zygote import Zygote

log = logging.getLogger("labkit.cloud.lambda_")

# In-flight invocations across all functions. AWS's default quota is 1,000 (new accounts may start at 10); this is
# a laptop: enough for a class's load test of the contact app (bench/api.py loads 16 at once).
ACCOUNT_CONCURRENCY = 20
IDLE_RETIRE_S = 300.0  # Lambda keeps an idle execution environment for minutes; we keep ours 5
INIT_LIMIT_S = 10.0  # "the Init phase is limited to 10 seconds" (Lambda execution environment lifecycle)
MEMORY_POLL_S = 0.02
THROTTLE_RETRY_S = 0.2  # an Event invocation throttled waits this long before it tries again
REQUEST_LIMIT = 6 * 1024 * 1024  # synchronous invocation payload (Lambda quotas: 6 MB)
EVENT_REQUEST_LIMIT = 1024 * 1024  # asynchronous invocation payload (Lambda quotas: 1 MB)
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")


@dataclasses.dataclass(frozen=True)
class InvokeResult:
    status: int  # 200 RequestResponse, 202 Event, 204 DryRun
    payload: bytes = b""
    function_error: str | None = None  # "Unhandled" when the function failed (X-Amz-Function-Error)
    log_tail: str | None = None  # base64 of the invocation's last 4 KB of log (X-Amz-Log-Result)
    executed_version: str | None = None
    request_id: str | None = None


def _error(code: str, message: str, status: int, **fields: str) -> AwsError:
    error = AwsError(code, message, status)
    error.Type = "User"  # Lambda's error bodies say who is at fault
    for name, value in fields.items():
        setattr(error, name, value)
    return error


def account_concurrency(environ: Any = os.environ) -> int:
    raw = environ.get("LAB_LAMBDA_CONCURRENCY", "").strip()
    if not raw:
        return ACCOUNT_CONCURRENCY
    if not raw.isdigit() or not 1 <= int(raw) <= 200:
        raise ConfigError(f"LAB_LAMBDA_CONCURRENCY={raw!r} is not a whole number from 1 to 200: unset it for the "
                          f"default ({ACCOUNT_CONCURRENCY})")
    return int(raw)


class LambdaRuntime(Component):
    name = "lambda"

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self.concurrency = account_concurrency()
        self.pools = Pools(self.concurrency, max_idle=2 * self.concurrency)
        self.metrics = MetricWriter("lambda-metrics")
        self.code = CodeStore(Path(cloud.state_dir) / "lambda")
        self.invocations = 0
        self._counter_lock = threading.Lock()
        self._events: queue.Queue[tuple[models.LambdaVersion, str, str, dict | None]] = queue.Queue()
        self._stopping = threading.Event()
        self._wake = threading.Event()  # a worker became busy: the watchdog starts polling memory
        self._threads: list[threading.Thread] = []
        self._cache: dict[tuple[str, str, str, str | None], models.LambdaVersion] = {}
        self._cache_generation = -1
        self._cache_lock = threading.Lock()
        self.zygote = Zygote(common_environ())

    # -- component ----------------------------------------------------------------------------------------------
    def providers(self) -> list[Any]:
        from .provider import LambdaInvoke

        return [LambdaInvoke(self)]

    def start(self) -> None:
        self.code.clear()  # packages from an earlier run: unpacked again on demand
        self._threads = [threading.Thread(target=self._watch, name="lambda-watchdog", daemon=True)]
        self._threads += [threading.Thread(target=self._dispatch, name=f"lambda-events-{n}", daemon=True)
                          for n in range(self.concurrency)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self.pools.stop_all()
        self.zygote.stop()
        self.metrics.stop()
        for thread in self._threads:
            thread.join(timeout=2)

    def health(self) -> dict[str, Any]:
        running = bool(self._threads) and all(t.is_alive() for t in self._threads) and not self._stopping.is_set()
        return {"status": "ok" if running else "error", "invocations": self.invocations,
                "account_concurrency": self.concurrency, "events_queued": self._events.qsize(),
                "zygote": self.zygote.status(),
                **self.pools.summary()}

    # -- the in-process API --------------------------------------------------------------------------------------
    def invoke(
        self,
        function: str,
        payload: bytes | str = b"",
        *,
        invocation_type: str = "RequestResponse",
        qualifier: str | None = None,
        client_context: str | dict | None = None,
        account: str | None = None,
        region: str | None = None,
    ) -> InvokeResult:
        """Invoke a function by name or ARN as Lambda's Invoke does. ``client_context`` is the base64 JSON of the
        X-Amz-Client-Context header (or that JSON object as a dict). RequestResponse waits for the result; Event queues it (202); DryRun only
        checks the function (204). Raises AwsError for a refused request; a failing function is a result with
        ``function_error`` set, never an exception."""
        account, region = account or LOCAL_ACCOUNT, region or self.cloud.cfg.region
        if function.startswith("arn:"):  # arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
            parts = function.split(":")
            region, account = (parts[3] or region, parts[4] or account) if len(parts) > 4 else (region, account)
        if invocation_type not in INVOCATION_TYPES:
            raise _error("ValidationException", f"1 validation error detected: Value '{invocation_type}' at "
                         "'invocationType' failed to satisfy constraint: Member must satisfy enum value set: "
                         "[Event, RequestResponse, DryRun]", 400)
        version = self._resolve(account, region, function, qualifier)
        if version.package_type != "Zip" or not (version.runtime or "").startswith("python3."):
            raise _error("InvalidRuntimeException",
                         f"The runtime parameter of {version.runtime or version.package_type} is not supported by the "
                         "local cloud: it runs .zip packages of Python functions (python3.9 to python3.13) on the "
                         "kit's own Python interpreter", 502)
        if invocation_type == "DryRun":
            return InvokeResult(204, executed_version=version.version)
        event = _event_text(payload, EVENT_REQUEST_LIMIT if invocation_type == "Event" else REQUEST_LIMIT,
                            "InvokeAsync" if invocation_type == "Event" else "InvokeFunction")
        context = _client_context(client_context)
        invoked_arn = _invoked_arn(function, qualifier, version)
        if invocation_type == "Event":
            self._events.put((version, invoked_arn, event, context))
            return InvokeResult(202, executed_version=version.version)
        try:
            return self._run(version, invoked_arn, event, context)
        except Throttled as throttled:
            self.metrics.put(version.account, version.region, fn_metrics.NAMESPACE, fn_metrics.throttled(version.name))
            raise _error("TooManyRequestsException", "Rate Exceeded.", 429, Reason=throttled.reason) from None

    def _resolve(self, account: str, region: str, function: str, qualifier: str | None) -> models.LambdaVersion:
        generation = self.cloud.generation
        key = (account, region, function, qualifier)
        with self._cache_lock:
            if self._cache_generation != generation:
                self._cache.clear()
                self._cache_generation = generation
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            version = models.lambda_version(account, region, function, qualifier)
        except models.LambdaLookupError as exc:
            raise _error(exc.code, exc.message, exc.status) from None
        with self._cache_lock:
            if self._cache_generation == self.cloud.generation == generation:
                self._cache[key] = version
        return version

    # -- one invocation ------------------------------------------------------------------------------------------
    def _run(self, version: models.LambdaVersion, invoked_arn: str, event: str, client_context: dict | None,
             ) -> InvokeResult:
        request_id = str(uuid.uuid4())
        lease = self.pools.lease(version)
        self._wake.set()
        self.metrics.put(version.account, version.region, fn_metrics.NAMESPACE,
                         fn_metrics.concurrent(version.name, *lease.in_flight))
        with self._counter_lock:
            self.invocations += 1
        try:
            init = None
            if lease.worker is None:
                init = self._cold_start(version, lease)
            worker = lease.worker
            assert worker is not None
            started_ms = int(time.time() * 1000)
            if init is not None and (init.reply is None or init.reply.get("op") == "init_error"):
                outcome, init_failed = init, True
            else:
                outcome, init_failed = worker.invoke({
                    "op": "invoke", "id": request_id, "event": event, "client_context": client_context,
                    "identity": None, "deadline_ms": started_ms + version.timeout * 1000, "arn": invoked_arn,
                }, version.timeout), False
            return self._finish(version, worker, request_id, started_ms, init, outcome, init_failed)
        finally:
            self.pools.release(lease)

    def _cold_start(self, version: models.LambdaVersion, lease: Lease) -> Outcome:
        code_dir = self.code.unpack(version)
        stream = logs.stream_name(version.version)
        try:
            environ = worker_environ(version, self.cloud.cfg, stream, code_dir, role_credentials(version))
            worker = WorkerProcess(version, code_dir, environ, stream, self.zygote)
        except OSError as exc:
            raise AwsError("ServiceException", f"the local cloud could not start a worker: {exc}", 500) from None
        self.pools.attach(lease, worker)
        return worker.init(INIT_LIMIT_S)

    def _finish(
        self,
        version: models.LambdaVersion,
        worker: WorkerProcess,
        request_id: str,
        started_ms: int,
        init: Outcome | None,
        outcome: Outcome,
        init_failed: bool,
    ) -> InvokeResult:
        """The result and the log of one invocation, as Lambda shapes them."""
        events = list(init.lines) if init is not None else []
        events.append((started_ms, logs.start_line(request_id, version.version)))
        if not init_failed:
            events += outcome.lines
        status, error_type = None, None
        reply, now_ms = outcome.reply, int(time.time() * 1000)
        function_error: str | None = "Unhandled"
        if reply is not None and reply["op"] == "result":
            payload = reply["payload"].encode() if "payload" in reply else reply["raw"].encode("latin-1")
            function_error = None
            if len(payload) > faults.RESPONSE_LIMIT:
                payload, function_error = faults.response_too_large(), "Unhandled"
        elif reply is not None:  # the handler raised, or its module failed to load
            payload = json.dumps(reply["error"]).encode()
            if init_failed:
                status, error_type = "error", reply["error"].get("errorType")
        elif outcome.ended == "timeout":
            seconds = INIT_LIMIT_S if init_failed else float(version.timeout)
            payload = faults.timeout_error(request_id, seconds)
            events.append((now_ms, faults.timeout_log_line(request_id, seconds)))
            status = "timeout"
        else:  # the process ended: it exited, crashed, or went over its memory
            payload = faults.exit_error(request_id, outcome.exit_status)
            events.append((now_ms, faults.exit_log_line(request_id, outcome.exit_status)))
            status = "error"
            error_type = "Runtime.OutOfMemory" if outcome.ended == "memory" else "Runtime.ExitError"
        events.append((now_ms, logs.end_line(request_id)))
        events.append((now_ms, logs.report_line(
            request_id, duration_ms=0.0 if init_failed else outcome.duration_ms, memory_mb=version.memory_size,
            max_memory_mb=max(outcome.max_memory_mb, 1), init_ms=init.duration_ms if init else None,
            status=status, error_type=error_type)))
        logs.write(version, worker.stream, events)
        self.metrics.put(version.account, version.region, fn_metrics.NAMESPACE, fn_metrics.invoked(
            version.name, 0.0 if init_failed else outcome.duration_ms, function_error is not None))
        if init_failed and worker.alive:
            worker.kill("init failed")  # Lambda starts a fresh environment for the next invocation
        return InvokeResult(200, payload, function_error, logs.tail(events), version.version, request_id)

    # -- background ------------------------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        """Run queued Event invocations; a throttled one waits and tries again (Lambda keeps it queued)."""
        while not self._stopping.is_set():
            try:
                version, invoked_arn, event, context = self._events.get(timeout=0.5)
            except queue.Empty:
                continue
            while not self._stopping.is_set():
                try:
                    self._run(version, invoked_arn, event, context)
                    break
                except Throttled:
                    self._stopping.wait(THROTTLE_RETRY_S)
                except Exception:  # a refused or failed event is dropped, never the dispatcher
                    log.exception("an Event invocation of %s failed", version.name)
                    break

    def _watch(self) -> None:
        """Kill busy workers over their MemorySize; stop workers idle too long."""
        last_sweep = time.monotonic()
        while not self._stopping.is_set():
            busy = self.pools.busy_workers()
            for worker in busy:
                if worker.rss_mb() > worker.version.memory_size:
                    worker.kill("memory")
            if busy:
                self._stopping.wait(MEMORY_POLL_S)
            else:
                self._wake.wait(1.0)
                self._wake.clear()
            if time.monotonic() - last_sweep > 1.0:
                self.pools.sweep_idle(IDLE_RETIRE_S)
                last_sweep = time.monotonic()


def _invoked_arn(function: str, qualifier: str | None, version: models.LambdaVersion) -> str:
    """The ARN the caller used: context.invoked_function_arn "indicates if the invoker specified a version number
    or alias" (developer guide, "Lambda context object in Python")."""
    if function.startswith("arn:"):
        parts = function.split(":")
        qualifier = parts[7] if len(parts) > 7 else qualifier
    elif ":" in function:
        qualifier = function.split(":", 1)[1]
    return f"{version.arn}:{qualifier}" if qualifier else version.arn


def _event_text(payload: bytes | str, limit: int, operation: str) -> str:
    """The event as JSON text; InvalidRequestContentException unless it parses (no payload is ``{}``)."""
    data = payload.encode() if isinstance(payload, str) else bytes(payload or b"")
    if len(data) > limit:
        raise _error("RequestTooLargeException",
                     f"Request must be smaller than {limit} bytes for the {operation} operation", 413)
    try:
        text = data.decode("utf-8")
        if not text.strip():
            return "{}"
        json.loads(text)
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are both ValueErrors
        raise _error("InvalidRequestContentException",
                     f"Could not parse request body into json: Could not parse payload into json: {exc}", 400) from None
    return text


def _client_context(header: str | dict | None) -> dict | None:
    """X-Amz-Client-Context: base64 of a JSON object (Invoke API reference)."""
    if not header:
        return None
    if isinstance(header, dict):
        return header
    try:
        context = json.loads(base64.b64decode(header, validate=True))
    except (binascii.Error, ValueError):
        context = None
    if not isinstance(context, dict):
        raise _error("InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.",
                     400)
    return context
