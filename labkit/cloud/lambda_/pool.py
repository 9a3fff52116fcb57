"""Warm workers per function version, and the concurrency limits that decide when another may start.

    Pools(account_limit, max_idle)
        .lease(version) -> Lease        a slot, with a warm worker when one is idle; Throttled past a limit
        .attach(lease, worker)          the worker started for a lease that came without one
        .release(lease)                 the worker back to idle, or stopped (dead, or its version replaced)
        .busy_workers()                 for the memory watchdog
        .sweep_idle(max_age_s)          stop workers idle longer than that
        .stop_all() / .summary()     stop_all() also refuses later leases (ServiceException): the cloud is stopping
    Throttled(reason)                   TooManyRequestsException, with its Reason

A pool belongs to (account, region, function, version) and runs one fingerprint of code and configuration. A lease
for another fingerprint (after update_function_code or update_function_configuration) retires the old pool: its
idle workers stop at once, its busy ones when their invocation ends. Idle workers are reused last in, first out
(the warmest first); past ``max_idle`` across all functions, the least recently used stops.

Limits (AWS Lambda developer guide, "Understanding Lambda function scaling" and "Configuring reserved
concurrency"): in-flight invocations of a function never exceed its reserved concurrency (0 throttles every
invocation): Reason ReservedFunctionConcurrentInvocationLimitExceeded; those of the account never exceed the
account limit: Reason ConcurrentInvocationLimitExceeded.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from typing import Any

from ..core.errors import AwsError
from . import models
from .process import WorkerProcess


class Throttled(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def fingerprint(version: models.LambdaVersion) -> tuple[Any, ...]:
    """What a running worker has baked in: a change to any of it needs new workers."""
    return (version.runtime, version.handler, version.timeout, version.memory_size, version.environment,
            version.code_sha256, version.role)


@dataclasses.dataclass(eq=False)
class Pool:
    fingerprint: tuple[Any, ...]
    idle: list[WorkerProcess] = dataclasses.field(default_factory=list)
    leases: int = 0  # invocations under way on it (with a worker, or starting one)
    retired: bool = False


@dataclasses.dataclass(eq=False)
class Lease:
    pool: Pool
    function: tuple[str, str, str]  # account, region, name: what reserved concurrency counts
    worker: WorkerProcess | None = None
    in_flight: tuple[int, int] = (0, 0)  # the function's and the account's invocations under way, this one included


class Pools:
    def __init__(self, account_limit: int, max_idle: int) -> None:
        self.account_limit = account_limit
        self.max_idle = max_idle
        self.throttles = 0
        self._lock = threading.Lock()
        self._pools: dict[tuple[str, str, str, str], Pool] = {}
        self._busy: set[WorkerProcess] = set()
        self._in_flight: Counter[tuple[str, str, str]] = Counter()
        self._closed = False

    def lease(self, version: models.LambdaVersion) -> Lease:
        stop: list[WorkerProcess] = []
        with self._lock:
            if self._closed:
                raise _stopping()
            function = (version.account, version.region, version.name)
            reserved = version.reserved_concurrency
            if reserved is not None and self._in_flight[function] >= reserved:
                self.throttles += 1
                raise Throttled("ReservedFunctionConcurrentInvocationLimitExceeded")
            if sum(self._in_flight.values()) >= self.account_limit:
                self.throttles += 1
                raise Throttled("ConcurrentInvocationLimitExceeded")
            key = (*function, version.version)
            pool = self._pools.get(key)
            if pool is None or pool.fingerprint != fingerprint(version):
                if pool is not None:
                    pool.retired = True
                    stop, pool.idle = pool.idle, []
                pool = self._pools[key] = Pool(fingerprint(version))
            lease = Lease(pool, function)
            while pool.idle and lease.worker is None:
                candidate = pool.idle.pop()
                if candidate.alive:
                    lease.worker = candidate
                    self._busy.add(candidate)
                else:
                    stop.append(candidate)
            self._in_flight[function] += 1
            pool.leases += 1
            account = sum(n for (owner, _, _), n in self._in_flight.items() if owner == version.account)
            lease.in_flight = (self._in_flight[function], account)
        for worker in stop:
            worker.retire()
        return lease

    def attach(self, lease: Lease, worker: WorkerProcess) -> None:
        with self._lock:
            lease.worker = worker
            self._busy.add(worker)
            closed = self._closed
        if closed:  # stop_all() ran while this worker was starting: it must not outlive the cloud
            raise _stopping()

    def release(self, lease: Lease) -> None:
        stop: list[WorkerProcess] = []
        with self._lock:
            self._in_flight[lease.function] -= 1
            if self._in_flight[lease.function] <= 0:
                del self._in_flight[lease.function]
            lease.pool.leases -= 1
            worker = lease.worker
            if worker is not None:
                self._busy.discard(worker)
                if worker.alive and not lease.pool.retired:
                    worker.last_used = time.monotonic()
                    lease.pool.idle.append(worker)
                    stop = self._over_idle_limit()
                else:
                    stop = [worker]
        for worker in stop:
            worker.retire()

    def _over_idle_limit(self) -> list[WorkerProcess]:
        idle = sorted((w.last_used, id(w), w, pool) for pool in self._pools.values() for w in pool.idle)
        surplus = idle[: max(len(idle) - self.max_idle, 0)]
        for _, _, worker, pool in surplus:
            pool.idle.remove(worker)
        return [worker for _, _, worker, _ in surplus]

    def busy_workers(self) -> list[WorkerProcess]:
        with self._lock:
            return list(self._busy)

    def sweep_idle(self, max_age_s: float) -> int:
        cutoff = time.monotonic() - max_age_s
        with self._lock:
            stop = [w for pool in self._pools.values() for w in pool.idle if w.last_used < cutoff or not w.alive]
            for key, pool in list(self._pools.items()):
                pool.idle = [w for w in pool.idle if w not in stop]
                if not pool.idle and not pool.leases:  # nothing warm left: forget it (deleted functions too)
                    del self._pools[key]
        for worker in stop:
            worker.retire()
        return len(stop)

    def stop_all(self) -> None:
        """Stop every worker; leases asked for afterwards fail with ServiceException."""
        with self._lock:
            self._closed = True
            workers = [w for pool in self._pools.values() for w in pool.idle] + list(self._busy)
            for pool in self._pools.values():
                pool.retired, pool.idle = True, []
            self._pools.clear()
        for worker in workers:
            worker.kill("stopped")
        for worker in workers:
            worker.retire()

    def summary(self) -> dict[str, Any]:
        with self._lock:
            workers: dict[str, dict[str, int]] = {}
            for (_, _, name, _), pool in self._pools.items():
                workers.setdefault(name, {"busy": 0, "idle": 0})["idle"] += len(pool.idle)
            for worker in self._busy:
                workers.setdefault(worker.version.name, {"busy": 0, "idle": 0})["busy"] += 1
            return {"in_flight": sum(self._in_flight.values()), "throttles": self.throttles, "workers": workers}


def _stopping() -> AwsError:
    return AwsError("ServiceException", "the local cloud is stopping: invoke again once it is up", 500)
