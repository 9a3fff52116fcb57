"""The CloudWatch metrics an API's stage publishes, one request's worth at a time.

    datapoints(kind, api_id, api_name, stage, status, latency_ms, integration_ms)   what one request adds

AWS (API Gateway developer guide, "Amazon API Gateway dimensions and metrics"; for HTTP APIs "Monitor HTTP API
execution with CloudWatch metrics"): namespace AWS/ApiGateway. A REST API's metrics are Count, 4XXError, 5XXError
(Unit Count: 1 or 0 per request, so Sum is the number and Average the rate), Latency and IntegrationLatency (Unit
Milliseconds), under the dimensions ApiName and ApiName+Stage. An HTTP API's are Count, 4xx, 5xx, Latency and
IntegrationLatency under ApiId and ApiId+Stage.
"""

from __future__ import annotations

from typing import Any

NAMESPACE = "AWS/ApiGateway"


def datapoints(kind: str, api_id: str, api_name: str, stage: str, status: int, latency_ms: float,
               integration_ms: float | None) -> list[dict[str, Any]]:
    if kind == "REST":
        key, value, client, server = "ApiName", api_name, "4XXError", "5XXError"
    else:
        key, value, client, server = "ApiId", api_id, "4xx", "5xx"
    values = [("Count", 1.0, "Count"), (client, float(400 <= status < 500), "Count"),
              (server, float(500 <= status < 600), "Count"), ("Latency", float(latency_ms), "Milliseconds")]
    if integration_ms is not None:
        values.append(("IntegrationLatency", float(integration_ms), "Milliseconds"))
    points = []
    for dimensions in ([{"Name": key, "Value": value}],
                       [{"Name": key, "Value": value}, {"Name": "Stage", "Value": stage}]):
        points += [{"MetricName": name, "Dimensions": dimensions, "Value": amount, "Unit": unit}
                   for name, amount, unit in values]
    return points
