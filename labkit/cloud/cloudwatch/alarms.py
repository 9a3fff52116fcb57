"""How a metric alarm decides its state, from the datapoints of its metric (no moto here: models.py reads them).

    Alarm                            a plain copy of what evaluation needs (models.metric_alarms() makes them)
    evaluate(alarm, points, now)     (state, reason, reason_data) the alarm should be in, or None to keep its state
    notification(alarm, old, …)      the JSON message an alarm action publishes to SNS, and its subject

AWS's rules, CloudWatch user guide ("Evaluating an alarm", "Configuring how CloudWatch alarms treat missing data"):
the alarm looks at its last EvaluationPeriods periods of Period seconds; it goes to ALARM when DatapointsToAlarm of
them (default: all of them) breach the threshold, to OK when fewer do, and a period without datapoints counts as
TreatMissingData says (missing by default: when every period is missing the state is INSUFFICIENT_DATA; ignore:
the state is kept; breaching / notBreaching: the period counts so).

One difference a learner sees: AWS evaluates about once a minute and waits for a period to end; the local cloud
evaluates every few seconds and counts the period still in progress once it has datapoints (until then, the
last ended periods), so an alarm reacts within seconds.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from datetime import datetime, timezone
from typing import Any

COMPARISONS = {
    "GreaterThanOrEqualToThreshold": (lambda v, t: v >= t, "greater than or equal to"),
    "GreaterThanThreshold": (lambda v, t: v > t, "greater than"),
    "LessThanThreshold": (lambda v, t: v < t, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, t: v <= t, "less than or equal to"),
}
STATISTICS = {
    "Sum": sum, "Minimum": min, "Maximum": max, "SampleCount": len,
    "Average": lambda values: sum(values) / len(values),
}


@dataclasses.dataclass(frozen=True)
class Alarm:
    account: str
    region: str
    name: str
    arn: str
    description: str | None
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]  # sorted (name, value): a metric is its exact set of dimensions
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int | None
    threshold: float
    comparison: str
    treat_missing: str
    state: str
    actions_enabled: bool
    actions: dict[str, tuple[str, ...]]  # state → the ARNs its actions notify
    configuration_updated: str
    unit: str | None = None

    @property
    def evaluable(self) -> bool:
        """A simple metric alarm the kit evaluates (not a metric-math or percentile alarm)."""
        return bool(self.metric) and self.statistic in STATISTICS and self.comparison in COMPARISONS


def evaluate(alarm: Alarm, points: list[tuple[float, float]], now: float | None = None
             ) -> tuple[str, str, str] | None:
    """``points`` are (epoch seconds, value) of the alarm's metric; the state it should be in now."""
    now = time.time() if now is None else now
    period, n = alarm.period, alarm.evaluation_periods
    current = int(now // period) * period  # periods start at multiples of Period, as CloudWatch aggregates them
    if not any(current <= ts < current + period for ts, _ in points):
        current -= period  # nothing yet in the period in progress: the last ended periods, as AWS evaluates them
    starts = [current - period * back for back in range(n - 1, -1, -1)]
    values: list[float | None] = []
    for start in starts:
        inside = [v for ts, v in points if start <= ts < start + period]
        values.append(STATISTICS[alarm.statistic](inside) if inside else None)
    test, words = COMPARISONS[alarm.comparison]
    m = alarm.datapoints_to_alarm or n
    present = [(s, v) for s, v in zip(starts, values, strict=True) if v is not None]
    missing = n - len(present)
    breaching = sum(test(v, alarm.threshold) for _, v in present)
    if alarm.treat_missing == "breaching":
        breaching += missing
    if not present and alarm.treat_missing == "ignore":
        return None
    if not present and alarm.treat_missing == "missing":
        return ("INSUFFICIENT_DATA", f"Insufficient Data: {n} datapoint{'s were' if n > 1 else ' was'} unknown.",
                _reason_data(alarm, now, [], []))
    shown = ", ".join(f"{v:g} ({_stamp(s)})" for s, v in reversed(present))
    if breaching >= m:
        reason = (f"Threshold Crossed: {breaching} out of the last {n} datapoints [{shown}] was {words} the threshold "
                  f"({alarm.threshold:g}) (minimum {m} datapoint{'s' if m > 1 else ''} for OK -> ALARM transition).")
        state = "ALARM"
    else:
        reason = (f"Threshold Crossed: {len(present)} datapoint{'s' if len(present) != 1 else ''} [{shown}] "
                  f"{'were' if len(present) != 1 else 'was'} not {words} the threshold ({alarm.threshold:g}).")
        state = "OK"
    return state, reason, _reason_data(alarm, now, [s for s, _ in present], [v for _, v in present])


@functools.cache
def region_long_name(region: str) -> str:
    """"US East (N. Virginia)" for us-east-1: the name AWS's notifications use, from botocore's endpoint data."""
    import botocore.loaders

    for partition in botocore.loaders.Loader().load_data("endpoints")["partitions"]:
        if region in partition["regions"]:
            return partition["regions"][region]["description"]
    return region


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%d/%m/%y %H:%M:%S")


def iso_time(epoch: float) -> str:
    """2026-12-07T20:01:00.000+0000, the form of the notification's times."""
    stamp = datetime.fromtimestamp(epoch, timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}+0000"


def _reason_data(alarm: Alarm, now: float, starts: list[int], values: list[float]) -> str:
    # StateReasonData's shape (DescribeAlarms): version, queryDate, startDate, statistic, period, recentDatapoints,
    # threshold, evaluatedDatapoints
    data: dict[str, Any] = {"version": "1.0", "queryDate": iso_time(now), "statistic": alarm.statistic,
                            "period": alarm.period, "recentDatapoints": list(reversed(values)),
                            "threshold": alarm.threshold,
                            "evaluatedDatapoints": [{"timestamp": iso_time(s), "sampleCount": 1, "value": v}
                                                    for s, v in zip(reversed(starts), reversed(values))]}
    if starts:
        data["startDate"] = iso_time(min(starts))
    return json.dumps(data)


def notification(alarm: Alarm, old: str, new: str, reason: str, changed: float) -> tuple[str, str]:
    """(subject, message) of the SNS notification, in the shape AWS sends (CloudWatch user guide, "Using Amazon
    CloudWatch alarms", the notification's JSON): subject 'ALARM: "name" in US East (N. Virginia)'."""
    region = region_long_name(alarm.region)
    message = {
        "AlarmName": alarm.name, "AlarmDescription": alarm.description, "AWSAccountId": alarm.account,
        "AlarmConfigurationUpdatedTimestamp": alarm.configuration_updated, "NewStateValue": new,
        "NewStateReason": reason, "StateChangeTime": iso_time(changed), "Region": region, "AlarmArn": alarm.arn,
        "OldStateValue": old, "OKActions": list(alarm.actions.get("OK", ())),
        "AlarmActions": list(alarm.actions.get("ALARM", ())),
        "InsufficientDataActions": list(alarm.actions.get("INSUFFICIENT_DATA", ())),
        "Trigger": {"MetricName": alarm.metric, "Namespace": alarm.namespace, "StatisticType": "Statistic",
                    "Statistic": alarm.statistic.upper(), "Unit": alarm.unit,
                    "Dimensions": [{"value": v, "name": k} for k, v in alarm.dimensions], "Period": alarm.period,
                    "EvaluationPeriods": alarm.evaluation_periods,
                    "DatapointsToAlarm": alarm.datapoints_to_alarm or alarm.evaluation_periods,
                    "ComparisonOperator": alarm.comparison, "Threshold": alarm.threshold,
                    "TreatMissingData": alarm.treat_missing, "EvaluateLowSampleCountPercentile": ""},
    }
    subject = f'{new}: "{alarm.name}" in {region}'
    return subject[:100], json.dumps(message)
