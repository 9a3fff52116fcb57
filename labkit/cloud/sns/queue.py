"""The delivery queue: jobs by due time; worker threads attempt them, and a failed attempt comes back after a back-off.

    DeliveryQueue   put(job, delay), worker threads calling attempt(job); a DeliveryError(retry=True) re-queues
    Job             one thing to deliver: a Notification, or a Subscription/UnsubscribeConfirmation
    Token           a pending subscription's confirmation token
    saved_job()     a Job back from the snapshot
"""

from __future__ import annotations

import datetime
import heapq
import itertools
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from . import models

log = logging.getLogger("labkit.cloud.sns")

# AWS retries an HTTP/S delivery 3 times, 20 s apart by default (Developer Guide, "message delivery retries");
# a workshop cannot wait that long, so the same 3 retries come after 0.5, 1 and 2 s.
RETRY_DELAYS = (0.5, 1.0, 2.0)
WORKERS = 4  # a slow endpoint (TIMEOUT per attempt) holds one worker, not the others


class DeliveryError(Exception):
    """An attempt failed; ``retry`` says whether another attempt may succeed (5xx, 429, network) or not (4xx)."""

    def __init__(self, reason: str, *, retry: bool) -> None:
        super().__init__(reason)
        self.reason, self.retry = reason, retry


@dataclass
class Job:
    kind: str  # Notification | SubscriptionConfirmation | UnsubscribeConfirmation
    subscription: models.SnsSubscription
    message: models.SnsMessage | None = None  # for a Notification
    token: str | None = None  # for a confirmation
    attempt: int = 1
    document: dict[str, Any] | None = None  # signed once, sent the same on every attempt


@dataclass
class Token:
    """What a confirmation token confirms: the endpoint's subscription to the topic (made again if it is gone,
    as an UnsubscribeConfirmation's SubscribeURL restores it)."""

    topic_arn: str
    protocol: str
    endpoint: str
    subscription_arn: str


class DeliveryQueue:
    def __init__(self, attempt: Callable[[Job], None], *, workers: int = WORKERS,
                 delays: tuple[float, ...] = RETRY_DELAYS) -> None:
        self._attempt, self._workers, self._delays = attempt, workers, delays
        self._heap: list[tuple[float, int, Job]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self.started = False
        self.in_flight = 0
        self.counts: Counter[str] = Counter()
        self.last_failure: dict[str, Any] | None = None

    def submit(self, job: Job, delay: float = 0.0) -> None:
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._seq), job))
            self._cond.notify()

    def jobs(self) -> list[Job]:
        """The jobs waiting (not the ones being attempted), for the snapshot."""
        with self._cond:
            return [job for _, _, job in sorted(self._heap)]

    def start(self) -> None:
        self._stopping = False
        self._threads = [threading.Thread(target=self._work, name=f"sns-delivery-{i}", daemon=True)
                         for i in range(self._workers)]
        for thread in self._threads:
            thread.start()
        self.started = True

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=1.0)  # an attempt in progress ends by its own timeout; the threads are daemons

    def stats(self) -> dict[str, Any]:
        with self._cond:
            return {"queued": len(self._heap), "in_flight": self.in_flight, "delivered": self.counts["delivered"],
                    "retried": self.counts["retried"], "failed": self.counts["failed"],
                    **({"last_failure": self.last_failure} if self.last_failure else {})}

    def _take(self) -> Job | None:
        with self._cond:
            while not self._stopping:
                wait = self._heap[0][0] - time.monotonic() if self._heap else None
                if wait is not None and wait <= 0:
                    self.in_flight += 1
                    return heapq.heappop(self._heap)[2]
                self._cond.wait(wait)
            return None

    def _work(self) -> None:
        while (job := self._take()) is not None:
            try:
                self._attempt(job)
                outcome = "delivered"
            except DeliveryError as exc:
                outcome = self._failed(job, exc.reason, exc.retry)
            except Exception as exc:  # a bug in a delivery: log it, count it, keep the worker alive
                log.exception("SNS delivery to %s failed", job.subscription.endpoint)
                outcome = self._failed(job, f"{type(exc).__name__}: {exc}", False)
            with self._cond:
                self.in_flight -= 1  # after a retry is queued: queued + in_flight never reads 0 in between
                self.counts[outcome] += 1

    def _failed(self, job: Job, reason: str, retry: bool) -> str:
        sub = job.subscription
        if retry and job.attempt <= len(self._delays):
            delay = self._delays[job.attempt - 1]
            log.info("SNS %s to %s %s failed (%s); attempt %d in %.1f s",
                     job.kind, sub.protocol, sub.endpoint, reason, job.attempt + 1, delay)
            job.attempt += 1
            self.submit(job, delay)
            return "retried"
        log.warning("SNS %s to %s %s failed after %d attempt(s): %s",
                    job.kind, sub.protocol, sub.endpoint, job.attempt, reason)
        self.last_failure = {"kind": job.kind, "protocol": sub.protocol, "endpoint": sub.endpoint,
                             "subscription": sub.arn, "attempts": job.attempt, "reason": reason,
                             "at": now_iso()}
        return "failed"


def saved_job(saved: dict[str, Any]) -> Job:
    sub = models.SnsSubscription(**saved["subscription"])
    message = saved["message"] and models.SnsMessage(**{**saved["message"], "subscription": sub})
    return Job(saved["kind"], sub, message or None, saved["token"], saved["attempt"], saved["document"])


def now_iso() -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


