"""CloudWatch alarms start as on AWS: "When you create an alarm, its initial state is INSUFFICIENT_DATA" (CloudWatch
user guide, alarm states), StateReason "Unchecked: Initial alarm creation"; "If you update an existing alarm, its
state is left unchanged" (PutMetricAlarm API reference). moto starts every alarm, new or updated, OK."""

from __future__ import annotations

import uuid


def put_alarm(cloudwatch, name: str, threshold: float = 1) -> None:
    cloudwatch.put_metric_alarm(AlarmName=name, Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum",
                                Period=60, EvaluationPeriods=1, Threshold=threshold,
                                ComparisonOperator="GreaterThanOrEqualToThreshold")


def test_a_new_alarm_has_insufficient_data_and_an_update_keeps_its_state(cloud):
    cloudwatch, name = cloud.client("cloudwatch"), f"errors-{uuid.uuid4().hex[:8]}"
    put_alarm(cloudwatch, name)
    alarm = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert alarm["StateReason"] == "Unchecked: Initial alarm creation"
    waiting = cloudwatch.describe_alarms(StateValue="INSUFFICIENT_DATA")["MetricAlarms"]
    assert name in [a["AlarmName"] for a in waiting]
    cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="tested")
    put_alarm(cloudwatch, name, threshold=5)
    alarm = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
    assert (alarm["StateValue"], alarm["StateReason"], alarm["Threshold"]) == ("ALARM", "tested", 5.0)
    cloudwatch.delete_alarms(AlarmNames=[name])
