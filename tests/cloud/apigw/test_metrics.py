"""A stage's CloudWatch metrics (apigateway/metrics.py), read back with GetMetricData as a learner would, after real
requests over HTTPS: Count, 4XXError, 5XXError, Latency and IntegrationLatency under ApiName and ApiName+Stage.

AWS facts: API Gateway developer guide, "Amazon API Gateway dimensions and metrics": namespace AWS/ApiGateway;
4XXError and 5XXError count errors (Sum) and their rate (Average, over Count); Latency and IntegrationLatency in
milliseconds; dimensions ApiName, and ApiName with Stage.
"""

from __future__ import annotations

import datetime

import pytest

from labkit.waiting import NotYet, retry_until

from .helpers import RestApi, allow_api, unique


@pytest.fixture(scope="module")
def api(cloud, make_function):
    echo = make_function("echo")
    built = RestApi(cloud, name=unique("metered"))
    built.proxy("/echo", "GET", echo)
    built.method("/open", "GET")  # a method without integration: API Gateway answers 500 itself
    allow_api(cloud, echo, built.id)
    built.deploy("prod")
    built.name = built.ag.get_rest_api(restApiId=built.id)["name"]
    return built


def _sums(cloud, name: str, stage: str | None, minimum: dict[str, float]) -> dict[str, float]:
    """The Sum (the Maximum, for latencies) of each metric over the last ten minutes, once every metric in
    ``minimum`` has reached its value (datapoints are added by a writer thread, a moment after the request)."""
    watch = cloud.client("cloudwatch")
    dimensions = [{"Name": "ApiName", "Value": name}] + ([{"Name": "Stage", "Value": stage}] if stage else [])
    metrics = {f"m{n}": metric for n, metric in enumerate(("Count", "4XXError", "5XXError", "Latency",
                                                           "IntegrationLatency"))}
    queries = [{"Id": key, "ReturnData": True, "MetricStat": {
        "Metric": {"Namespace": "AWS/ApiGateway", "MetricName": metric, "Dimensions": dimensions},
        "Period": 600, "Stat": "Maximum" if "Latency" in metric else "Sum"}} for key, metric in metrics.items()]

    def read() -> dict[str, float]:
        now = datetime.datetime.now(datetime.timezone.utc)
        found = watch.get_metric_data(MetricDataQueries=queries, StartTime=now - datetime.timedelta(minutes=10),
                                      EndTime=now + datetime.timedelta(minutes=1))["MetricDataResults"]
        by_label = {metrics[r["Id"]]: (max if "Latency" in metrics[r["Id"]] else sum)(r["Values"] or [0.0])
                    for r in found}
        if any(by_label.get(metric, 0.0) < value for metric, value in minimum.items()):
            raise NotYet(f"metrics so far: {by_label}")
        return by_label

    return retry_until("the stage's metrics", read, deadline=30, progress=False)


def test_each_request_counts_in_its_stages_metrics(cloud, api):
    assert api.call("GET", "/echo").status_code == 200
    assert api.call("GET", "/echo").status_code == 200
    assert api.call("POST", "/echo").status_code == 403  # no such method: Missing Authentication Token, a 4XX
    assert api.call("GET", "/open").status_code == 500
    staged = _sums(cloud, api.name, "prod", {"Count": 4, "4XXError": 1, "5XXError": 1})
    assert (staged["Count"], staged["4XXError"], staged["5XXError"]) == (4, 1, 1)
    assert staged["Latency"] > 0 and staged["IntegrationLatency"] > 0
    assert staged["Latency"] >= staged["IntegrationLatency"]  # the slowest request's latency includes its integration
    whole = _sums(cloud, api.name, None, {"Count": 4})  # the ApiName dimension alone: every stage
    assert whole["Count"] == 4


def test_a_request_to_no_stage_counts_nowhere(cloud, api):
    """A path whose first segment is no stage is answered 403 before any stage is known: it is in no stage's
    metrics. (Measured only here: no stage to attribute it to.)"""
    before = _sums(cloud, api.name, "prod", {})
    assert api.call("GET", "/echo", stage="nostage").status_code == 403
    assert api.call("GET", "/echo").status_code == 200  # a marker that arrives after it
    after = _sums(cloud, api.name, "prod", {"Count": before.get("Count", 0) + 1})
    assert after["Count"] == before.get("Count", 0) + 1
