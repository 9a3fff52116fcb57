"""What the data planes write to CloudWatch, taken off the request path.

    BatchWriter(name, batch)   enqueue(item) from any thread; a thread of its own (started on first use) hands
                               what has queued up, at most ``batch`` items at a time, to flush(items); stop() writes
                               what is left and ends the thread (a later enqueue starts it again)

API Gateway's access logs and the metrics of API Gateway and Lambda are written so: a request queues and goes on.
"""

from __future__ import annotations

import queue
import threading
from typing import Any


class BatchWriter:
    def __init__(self, name: str, batch: int) -> None:
        self._name, self._batch = name, batch
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def enqueue(self, item: Any) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                    self._thread.start()
        self._queue.put(item)

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def flush(self, items: list[Any]) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            items, stopping = [first], False
            while len(items) < self._batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                items.append(item)
            self.flush(items)
            if stopping:
                return
