"""Metrics a data plane publishes to CloudWatch, written off the request path.

    MetricWriter.put(account, region, namespace, data)   queue datapoints; a writer thread adds them in batches
    MetricWriter.stop()

AWS's services publish their metrics themselves ("Amazon API Gateway sends metric data to CloudWatch every
minute", API Gateway developer guide, dimensions and metrics); a learner reads them with GetMetricData. Here a
request queues its datapoints and goes on; the writer adds them a moment later, each stamped when it is added.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from . import models

log = logging.getLogger("labkit.cloud.cloudwatch")
BATCH = 1000


class MetricWriter:
    def __init__(self, name: str) -> None:
        self._name = name
        self._queue: queue.Queue[tuple[str, str, str, list[dict[str, Any]]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def put(self, account: str, region: str, namespace: str, data: list[dict[str, Any]]) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                    self._thread.start()
        self._queue.put((account, region, namespace, data))

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stopping = [first], False
            while len(batch) < BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self._flush(batch)
            if stopping:
                return

    @staticmethod
    def _flush(batch: list[tuple[str, str, str, list[dict[str, Any]]]]) -> None:
        grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for account, region, namespace, data in batch:
            grouped.setdefault((account, region, namespace), []).extend(data)
        for (account, region, namespace), data in grouped.items():
            try:
                models.put_metric_data(account, region, namespace, data)
            except Exception:  # a metric that cannot be written must never fail a request
                log.exception("writing %d datapoint(s) to %s failed", len(data), namespace)
