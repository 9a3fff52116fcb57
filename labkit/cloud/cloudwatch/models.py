"""CloudWatch Logs as moto holds it: the Lambda runtime and API Gateway's access logs write there.

    put_log_lines(account, region, group, stream, lines)   append log events, creating group and stream
"""

from __future__ import annotations

from ..moto import LOCK


def put_log_lines(account: str, region: str, group: str, stream: str, lines: list[tuple[int, str]]) -> None:
    """Append (timestamp ms, message) events to a CloudWatch Logs stream, creating the group and stream first,
    as Lambda does on a function's first invocation."""
    from moto.logs.models import logs_backends

    with LOCK:
        backend = logs_backends[account][region]
        backend.ensure_log_group(group)
        backend.ensure_log_stream(group, stream)
        backend.put_log_events(group, stream, [{"timestamp": ts, "message": text} for ts, text in lines])
