"""TableMetrics: each write moto serves adds its ConsumedWriteCapacityUnits to CloudWatch, through a writer thread
(a request never waits for CloudWatch)."""

from __future__ import annotations

from typing import Any

from ..cloudwatch.metrics import MetricWriter
from ..core.component import Component
from . import metrics, models


class TableMetrics(Component):
    name = "dynamodb"

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self.metrics = MetricWriter("dynamodb-metrics")

    def start(self) -> None:
        models.set_write_hook(self._written)

    def stop(self) -> None:
        models.set_write_hook(None)
        self.metrics.stop()

    def _written(self, account: str, region: str, table: str, size: int) -> None:
        self.metrics.put(account, region, metrics.NAMESPACE, metrics.consumed(table, metrics.write_units(size)))
