"""Metrics a data plane publishes to CloudWatch, written off the request path.

    MetricWriter.put(account, region, namespace, data)   queue datapoints; a writer thread adds them in batches
    MetricWriter.stop()

AWS's services publish their metrics themselves ("Amazon API Gateway sends metric data to CloudWatch every
minute", API Gateway developer guide, dimensions and metrics); a learner reads them with GetMetricData. Here a
request queues its datapoints and goes on; the writer adds them a moment later, each stamped when it is added.
"""

from __future__ import annotations

import logging
from typing import Any

from . import models
from .writer import BatchWriter

log = logging.getLogger("labkit.cloud.cloudwatch")
BATCH = 1000


class MetricWriter(BatchWriter):
    def __init__(self, name: str) -> None:
        super().__init__(name, BATCH)

    def put(self, account: str, region: str, namespace: str, data: list[dict[str, Any]]) -> None:
        self.enqueue((account, region, namespace, data))

    def flush(self, batch: list[tuple[str, str, str, list[dict[str, Any]]]]) -> None:
        grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for account, region, namespace, data in batch:
            grouped.setdefault((account, region, namespace), []).extend(data)
        for (account, region, namespace), data in grouped.items():
            try:
                models.put_metric_data(account, region, namespace, data)
            except Exception:  # a metric that cannot be written must never fail a request
                log.exception("writing %d datapoint(s) to %s failed", len(data), namespace)
