"""CloudWatch's datapoints as the data planes add them (cloudwatch/models.py, metrics.py): in AWS's own namespace,
written by a thread of their own, and bounded, so a busy cloud's saved state does not grow without end."""

from __future__ import annotations

import time

from labkit.cloud.cloudwatch import metrics, models

ACCOUNT, REGION = "111122223333", "eu-west-1"


def _backend():
    from moto.cloudwatch.models import cloudwatch_backends

    return cloudwatch_backends[ACCOUNT][REGION]


def _point(n: int) -> dict:
    return {"MetricName": "Count", "Dimensions": [{"Name": "ApiName", "Value": f"api{n}"}], "Value": 1.0,
            "Unit": "Count"}


def test_only_the_newest_datapoints_are_kept(monkeypatch):
    monkeypatch.setattr(models, "MAX_DATAPOINTS", 5)
    _backend().metric_data.clear()
    models.put_metric_data(ACCOUNT, REGION, "AWS/ApiGateway", [_point(n) for n in range(8)])
    kept = _backend().metric_data
    assert [d.dimensions[0].value for d in kept] == [f"api{n}" for n in range(3, 8)]
    assert {d.namespace for d in kept} == {"AWS/ApiGateway"}


def test_the_writer_adds_what_requests_queued_and_stops_cleanly():
    _backend().metric_data.clear()
    writer = metrics.MetricWriter("test-metrics")
    for n in range(3):
        writer.put(ACCOUNT, REGION, "AWS/ApiGateway", [_point(n)])
    deadline = time.monotonic() + 10
    while len(_backend().metric_data) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    writer.stop()
    assert sorted(d.dimensions[0].value for d in _backend().metric_data) == ["api0", "api1", "api2"]
    writer.put(ACCOUNT, REGION, "AWS/ApiGateway", [_point(9)])  # a writer stopped starts again when used
    writer.stop()
    assert len(_backend().metric_data) == 4
