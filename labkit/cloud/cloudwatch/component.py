"""CloudWatch alarms that watch: a thread evaluates every metric alarm every few seconds (alarms.evaluate) and an
alarm whose state changes, by evaluation or by SetAlarmState, notifies the SNS topics of its actions for the new
state, with AWS's notification message (alarms.notification)."""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from ..core.component import Component
from ..sns.models import sns_publish
from . import alarms, models

log = logging.getLogger("labkit.cloud.cloudwatch")
INTERVAL_S = 5.0  # AWS evaluates about once a minute; a workshop should not wait that long


class AlarmEvaluator(Component):
    name = "alarms"

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self._changes: queue.Queue[tuple[alarms.Alarm, str, str, str, float]] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.evaluated = 0

    def start(self) -> None:
        models.set_state_hook(lambda alarm, old, new, reason: self._changes.put((alarm, old, new, reason,
                                                                                 time.time())))
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="alarm-evaluator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        models.set_state_hook(None)

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "evaluations": self.evaluated}

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.evaluate_all()
                self.notify_changes()
            except Exception:  # an alarm that cannot be evaluated must not stop the others' next round
                log.exception("evaluating the CloudWatch alarms failed")
            self._stop.wait(INTERVAL_S)

    def evaluate_all(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        by_backend: dict[tuple[str, str], list[alarms.Alarm]] = {}
        for alarm in models.metric_alarms():
            if alarm.evaluable:
                by_backend.setdefault((alarm.account, alarm.region), []).append(alarm)
        for (account, region), watching in by_backend.items():
            since = min(_window_start(alarm, now) for alarm in watching)
            points = models.metric_points(account, region, {_metric(a) for a in watching}, since)
            for alarm in watching:  # evaluate() reads only its own periods from the points
                decided = alarms.evaluate(alarm, points.get(_metric(alarm), []), now)
                self.evaluated += 1
                if decided is not None and decided[0] != alarm.state:
                    models.set_alarm_state(alarm, *decided)

    def notify_changes(self) -> None:
        while True:
            try:
                alarm, old, new, reason, changed = self._changes.get_nowait()
            except queue.Empty:
                return
            if not alarm.actions_enabled:
                continue
            subject, message = alarms.notification(alarm, old, new, reason, changed)
            for arn in alarm.actions.get(new, ()):
                if arn.startswith("arn:aws:sns:") and sns_publish(arn, message, subject) is None:
                    log.warning("alarm %s: its action's topic %s does not exist", alarm.name, arn)


def _metric(alarm: alarms.Alarm) -> models.Metric:
    return alarm.namespace, alarm.metric, alarm.dimensions


def _window_start(alarm: alarms.Alarm, now: float) -> float:
    """The start of the oldest period the alarm may evaluate now (the ended ones, while the current is empty)."""
    return (int(now // alarm.period) - alarm.evaluation_periods) * alarm.period  # one more: see alarms.evaluate
