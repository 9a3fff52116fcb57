"""CloudWatch Logs of Lambda functions, written as Lambda writes them.

    log_group(function)                  /aws/lambda/<function>
    stream_name(version)                 YYYY/MM/DD/[<version>]<32 hex>: one stream per worker (execution environment)
    start_line / end_line / report_line  the platform's START, END and REPORT lines
    tail(events)                         X-Amz-Log-Result: base64 of the last 4 KB of one invocation's log
    write(version, stream, events)       append through cloudwatch/models.py; a failure is logged, never raised

Line formats (AWS Lambda developer guide, "Using CloudWatch Logs with Lambda"):
    START RequestId: <id> Version: $LATEST
    END RequestId: <id>
    REPORT RequestId: <id>\tDuration: 2.15 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 38 MB\t
           Init Duration: 120.50 ms\t                 (first invocation of a worker only)
           Status: timeout\t  or  Status: error\tError Type: Runtime.ExitError\t   (when the platform ended it)
Billed Duration is rounded up to the next millisecond and includes the Init phase (billed since August 2025 for
on-demand functions on managed runtimes).
"""

from __future__ import annotations

import base64
import logging
import math
import time
import uuid

from ..cloudwatch import models as cloudwatch_models
from . import models

log = logging.getLogger("labkit.cloud.lambda_")
TAIL_BYTES = 4096  # Invoke's LogResult: "the last 4 KB of the execution log" (Invoke API reference)
EVENT_LIMIT = 256 * 1024  # a CloudWatch Logs event holds at most 256 KB; longer output is cut there


def log_group(function: str) -> str:
    return f"/aws/lambda/{function}"


def stream_name(version: str, now: float | None = None) -> str:
    day = time.strftime("%Y/%m/%d", time.gmtime(time.time() if now is None else now))
    return f"{day}/[{version}]{uuid.uuid4().hex}"


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def report_line(
    request_id: str,
    *,
    duration_ms: float,
    memory_mb: int,
    max_memory_mb: int,
    init_ms: float | None = None,
    status: str | None = None,
    error_type: str | None = None,
) -> str:
    billed = math.ceil(duration_ms + (init_ms or 0.0))
    fields = [f"REPORT RequestId: {request_id}", f"Duration: {duration_ms:.2f} ms", f"Billed Duration: {billed} ms",
              f"Memory Size: {memory_mb} MB", f"Max Memory Used: {max_memory_mb} MB"]
    if init_ms is not None:
        fields.append(f"Init Duration: {init_ms:.2f} ms")
    if status:
        fields.append(f"Status: {status}")
    if error_type:
        fields.append(f"Error Type: {error_type}")
    return "\t".join(fields) + "\t"


def tail(events: list[tuple[int, str]]) -> str:
    text = "".join(message + "\n" for _, message in events).encode()
    return base64.b64encode(text[-TAIL_BYTES:]).decode()


def write(version: models.LambdaVersion, stream: str, events: list[tuple[int, str]]) -> None:
    """Append events to the function's log group; timestamps are made non-decreasing, as CloudWatch Logs requires
    within one batch, and empty messages (which it refuses) are left out."""
    batch, last = [], 0
    for timestamp, message in events:
        if not message:
            continue
        last = max(last, timestamp)
        batch.append((last, message[:EVENT_LIMIT]))
    if not batch:
        return
    try:
        cloudwatch_models.put_log_lines(version.account, version.region, log_group(version.name), stream, batch)
    except Exception:  # the invocation's result matters more than its log
        log.exception("could not write the logs of %s to CloudWatch Logs", version.name)
