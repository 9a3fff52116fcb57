"""A function's CloudWatch metrics (lambda_/metrics.py), read back with GetMetricData after real invocations of a
real worker: Invocations, Errors, Duration, and Throttles for a request refused.

AWS facts: Lambda developer guide, "Types of metrics for Lambda functions": namespace AWS/Lambda; Invocations
counts every invocation whether it succeeded or not, but not throttled requests, which count in Throttles; Errors
counts invocations that ended in a function error; Duration in milliseconds; dimension FunctionName;
ConcurrentExecutions, "the number of function instances that are processing events", read with Maximum.
"""

from __future__ import annotations

import datetime
import threading

import pytest
from botocore.exceptions import ClientError

from labkit.waiting import NotYet, retry_until

from .conftest import lambda_health

METRICS = ("Invocations", "Errors", "Duration", "Throttles")


def _read(cloud, function: str, minimum: dict[str, float]) -> dict[str, float]:
    watch = cloud.client("cloudwatch")
    queries = [{"Id": f"m{n}", "ReturnData": True, "MetricStat": {
        "Metric": {"Namespace": "AWS/Lambda", "MetricName": metric,
                   "Dimensions": [{"Name": "FunctionName", "Value": function}]},
        "Period": 600, "Stat": "Maximum" if metric == "Duration" else "Sum"}} for n, metric in enumerate(METRICS)]

    def read() -> dict[str, float]:
        now = datetime.datetime.now(datetime.timezone.utc)
        found = watch.get_metric_data(MetricDataQueries=queries, StartTime=now - datetime.timedelta(minutes=10),
                                      EndTime=now + datetime.timedelta(minutes=1))["MetricDataResults"]
        values = {METRICS[int(r["Id"][1:])]: (max if r["Id"] == "m2" else sum)(r["Values"] or [0.0]) for r in found}
        if any(values.get(metric, 0.0) < value for metric, value in minimum.items()):
            raise NotYet(f"metrics so far: {values}")
        return values

    return retry_until("the function's metrics", read, deadline=30, progress=False)


def test_invocations_errors_and_duration(cloud, lam, make_function):
    echo, fail = make_function("app.echo"), make_function("app.fail")
    for _ in range(2):
        assert "FunctionError" not in lam.invoke(FunctionName=echo, Payload=b"{}")
    assert lam.invoke(FunctionName=fail, Payload=b"{}")["FunctionError"] == "Unhandled"
    ok = _read(cloud, echo, {"Invocations": 2})
    assert (ok["Invocations"], ok["Errors"], ok["Throttles"]) == (2, 0, 0) and ok["Duration"] > 0
    failed = _read(cloud, fail, {"Invocations": 1, "Errors": 1})
    assert (failed["Invocations"], failed["Errors"]) == (1, 1)


def test_a_throttled_request_counts_in_throttles_not_invocations(cloud, lam, make_function):
    function = make_function("app.echo")
    lam.put_function_concurrency(FunctionName=function, ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as refused:
        lam.invoke(FunctionName=function, Payload=b"{}")
    assert refused.value.response["Error"]["Code"] == "TooManyRequestsException"
    found = _read(cloud, function, {"Throttles": 1})
    assert (found["Throttles"], found["Invocations"]) == (1, 0)


def test_concurrent_executions_counts_the_invocations_under_way(cloud, lam, make_function, tmp_path):
    function = make_function("app.wait_for")
    release = tmp_path / "release"
    held = [threading.Thread(target=lam.invoke, kwargs={"FunctionName": function,
                                                        "Payload": f'{{"path": "{release}"}}'.encode()})
            for _ in range(3)]
    for thread in held:
        thread.start()
    try:
        retry_until("three invocations under way", lambda: _under_way(cloud, function, 3), deadline=30,
                    progress=False)
    finally:
        release.touch()
        for thread in held:
            thread.join(30)
    watch = cloud.client("cloudwatch")
    now = datetime.datetime.now(datetime.timezone.utc)

    def maximum(dimensions: list[dict[str, str]]) -> float:
        points = watch.get_metric_statistics(
            Namespace="AWS/Lambda", MetricName="ConcurrentExecutions", Dimensions=dimensions, Period=600,
            StartTime=now - datetime.timedelta(minutes=10), EndTime=now + datetime.timedelta(minutes=1),
            Statistics=["Maximum"])["Datapoints"]
        if not points or max(p["Maximum"] for p in points) < 3:
            raise NotYet(f"ConcurrentExecutions so far: {points}")
        return max(p["Maximum"] for p in points)

    assert retry_until("ConcurrentExecutions", lambda: maximum([{"Name": "FunctionName", "Value": function}]),
                       deadline=30, progress=False) == 3
    assert retry_until("the account's ConcurrentExecutions", lambda: maximum([]), deadline=30, progress=False) >= 3


def _under_way(cloud, function: str, count: int) -> None:
    found = lambda_health(cloud)["workers"].get(function, {}).get("busy", 0)
    if found < count:
        raise NotYet(f"{found} busy")
