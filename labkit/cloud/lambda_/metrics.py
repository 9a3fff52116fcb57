"""The CloudWatch metrics a function publishes, one invocation's worth at a time.

    invoked(name, duration_ms, failed)   what an invocation adds: Invocations, Errors, Duration
    concurrent(name, function, account)  ConcurrentExecutions as an invocation starts: its function's, the account's
    throttled(name)                      what a throttled request adds: Throttles (it is no invocation)

AWS (Lambda developer guide, "Types of metrics for Lambda functions"): namespace AWS/Lambda; Invocations counts
each invocation, successful or not, but not a throttled request, which counts in Throttles; Errors counts the
invocations that ended in a function error; Duration is the time the handler ran, in milliseconds. Each is
published with the dimension FunctionName and, aggregated over the account's functions, with none.
ConcurrentExecutions is "the number of function instances that are processing events" (same page), read with the
Maximum statistic; here each invocation, as it starts, adds the count then under way, itself included.
"""

from __future__ import annotations

from typing import Any

NAMESPACE = "AWS/Lambda"


def _points(name: str, values: list[tuple[str, float, str]]) -> list[dict[str, Any]]:
    return [{"MetricName": metric, "Dimensions": dimensions, "Value": value, "Unit": unit}
            for dimensions in ([{"Name": "FunctionName", "Value": name}], [])
            for metric, value, unit in values]


def invoked(name: str, duration_ms: float, failed: bool) -> list[dict[str, Any]]:
    return _points(name, [("Invocations", 1.0, "Count"), ("Errors", float(failed), "Count"),
                          ("Duration", float(duration_ms), "Milliseconds")])


def throttled(name: str) -> list[dict[str, Any]]:
    return _points(name, [("Throttles", 1.0, "Count")])


def concurrent(name: str, function: int, account: int) -> list[dict[str, Any]]:
    return [{"MetricName": "ConcurrentExecutions", "Dimensions": dimensions, "Value": float(value), "Unit": "Count"}
            for dimensions, value in (([{"Name": "FunctionName", "Value": name}], function), ([], account))]
