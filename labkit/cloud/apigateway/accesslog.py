"""Access and execution logs in CloudWatch Logs, written off the request path.

    LogWriter.write(account, region, group, stream, message)   queue one event; a writer thread batches them
    LogWriter.stop()
    log_group_of(destination_arn)      (account, region, group) of an accessLogSettings.destinationArn
    access_line(fmt, ctx)              one access log line: $context variables filled, "-" for empty ones
    execution_group(api_id, stage)     "API-Gateway-Execution-Logs_<api id>/<stage>"
    log_stream(api_id, stage)          the stream this cloud writes a stage's lines to

AWS ("Set up CloudWatch logging for REST APIs"): access logs go to the stage's destinationArn log group, one line
per request in the stage's format of $context variables; execution logs go to the group
API-Gateway-Execution-Logs_{rest-api-id}/{stage_name} when the stage's loggingLevel is ERROR or INFO.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from ..cloudwatch import models as cloudwatch_models
from ..cloudwatch.writer import BatchWriter
from .responses import render_context

log = logging.getLogger("labkit.cloud.apigateway")
BATCH = 500


def log_group_of(arn: str) -> tuple[str, str, str] | None:
    """arn:aws:logs:<region>:<account>:log-group:<name>[:*] → (account, region, name)."""
    parts = arn.split(":")
    if len(parts) < 7 or parts[2] != "logs" or parts[5] != "log-group":
        return None
    name = ":".join(parts[6:])
    if name.endswith(":*"):
        name = name[:-2]
    return parts[4], parts[3], name


def access_line(fmt: str, ctx: dict[str, Any]) -> str:
    return render_context(fmt, ctx, missing="-")


def execution_group(api_id: str, stage: str) -> str:
    return f"API-Gateway-Execution-Logs_{api_id}/{stage}"


def log_stream(api_id: str, stage: str) -> str:
    return hashlib.md5(f"{api_id}/{stage}".encode()).hexdigest()  # noqa: S324 - a name, not security


class LogWriter(BatchWriter):
    def __init__(self) -> None:
        super().__init__("apigw-logs", BATCH)

    def write(self, account: str, region: str, group: str, stream: str, message: str) -> None:
        self.enqueue((account, region, group, stream, int(time.time() * 1000), message))

    def flush(self, batch: list[tuple[str, str, str, str, int, str]]) -> None:
        grouped: dict[tuple[str, str, str, str], list[tuple[int, str]]] = {}
        for account, region, group, stream, stamp, message in batch:
            grouped.setdefault((account, region, group, stream), []).append((stamp, message))
        for (account, region, group, stream), lines in grouped.items():
            try:
                cloudwatch_models.put_log_lines(account, region, group, stream, lines)
            except Exception:  # a log that cannot be written must never fail a request
                log.exception("writing %d line(s) to log group %s failed", len(lines), group)
