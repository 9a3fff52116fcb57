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


# -- evaluation: the state an alarm's datapoints put it in ------------------------------------------------------------
# CloudWatch user guide, "Evaluating an alarm": ALARM when DatapointsToAlarm (M) of the last EvaluationPeriods (N)
# periods breach; "Configuring how CloudWatch alarms treat missing data": missing (the default) gives
# INSUFFICIENT_DATA when every period is missing, notBreaching / breaching count a missing period so, ignore keeps
# the state.

def _alarm(**changes):
    from labkit.cloud.cloudwatch.alarms import Alarm

    base = dict(account="000000000000", region="us-east-1", name="a", arn="arn:aws:cloudwatch:us-east-1:0:alarm:a",
                description=None, namespace="Lab/Test", metric="Errors", dimensions=(), statistic="Sum", period=60,
                evaluation_periods=1, datapoints_to_alarm=None, threshold=1.0,
                comparison="GreaterThanOrEqualToThreshold", treat_missing="missing", state="INSUFFICIENT_DATA",
                actions_enabled=True, actions={}, configuration_updated="2026-12-07T20:00:00.000+0000")
    return Alarm(**{**base, **changes})


NOW = 1_800_000_030.0  # 30 s into a minute


def test_a_breaching_sum_alarms_and_a_quiet_one_is_ok():
    from labkit.cloud.cloudwatch.alarms import evaluate

    state, reason, _ = evaluate(_alarm(), [(NOW - 20, 1), (NOW - 10, 1)], NOW)
    assert state == "ALARM"
    assert reason.startswith("Threshold Crossed: 1 out of the last 1 datapoints [2 (")
    assert "was greater than or equal to the threshold (1) (minimum 1 datapoint for OK -> ALARM transition)." in reason
    assert evaluate(_alarm(threshold=5), [(NOW - 20, 1)], NOW)[0] == "OK"
    assert evaluate(_alarm(statistic="Average", threshold=0.5), [(NOW - 20, 1), (NOW - 10, 0)], NOW)[0] == "ALARM"


def test_m_out_of_n_counts_breaching_periods():
    from labkit.cloud.cloudwatch.alarms import evaluate

    alarm = _alarm(evaluation_periods=3, datapoints_to_alarm=2)
    one = [(NOW - 60, 3), (NOW - 120, 0)]
    two = [(NOW - 60, 3), (NOW - 120, 3)]
    assert evaluate(alarm, one, NOW)[0] == "OK"
    assert evaluate(alarm, two, NOW)[0] == "ALARM"
    assert evaluate(alarm, [(NOW - 260, 9)], NOW)[0] == "INSUFFICIENT_DATA"  # older than the 3 ended periods


def test_missing_data_is_treated_as_the_alarm_says():
    from labkit.cloud.cloudwatch.alarms import evaluate

    state, reason, _ = evaluate(_alarm(), [], NOW)
    assert (state, reason) == ("INSUFFICIENT_DATA", "Insufficient Data: 1 datapoint was unknown.")
    assert evaluate(_alarm(treat_missing="notBreaching"), [], NOW)[0] == "OK"
    assert evaluate(_alarm(treat_missing="breaching"), [], NOW)[0] == "ALARM"
    assert evaluate(_alarm(treat_missing="ignore"), [], NOW) is None


# -- over the wire: an alarm watches its metric and notifies its topic ------------------------------------------------

def _topic_with_queue(cloud):
    sns, sqs = cloud.client("sns"), cloud.client("sqs")
    suffix = uuid.uuid4().hex[:8]
    topic = sns.create_topic(Name=f"alarms-{suffix}")["TopicArn"]
    queue_url = sqs.create_queue(QueueName=f"alarms-{suffix}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return topic, queue_url


def _notifications(cloud, queue_url, wanted, timeout=30):
    import json
    import time

    sqs, seen, deadline = cloud.client("sqs"), [], time.time() + timeout
    while len(seen) < wanted and time.time() < deadline:
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1).get("Messages", []):
            envelope = json.loads(message["Body"])
            seen.append((envelope["Subject"], json.loads(envelope["Message"])))
    return seen


def test_an_alarm_goes_to_alarm_on_its_metric_and_notifies_its_topic(cloud):
    import time

    cloudwatch, name = cloud.client("cloudwatch"), f"errors-{uuid.uuid4().hex[:8]}"
    topic, queue_url = _topic_with_queue(cloud)
    dimension = [{"Name": "FunctionName", "Value": name}]
    cloudwatch.put_metric_alarm(AlarmName=name, Namespace="Lab/Test", MetricName="Errors", Dimensions=dimension,
                                Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1,
                                ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic],
                                AlarmDescription="errors in the contact function")
    cloudwatch.put_metric_data(Namespace="Lab/Test", MetricData=[  # another metric (other dimensions): not watched
        {"MetricName": "Errors", "Value": 5, "Dimensions": [{"Name": "FunctionName", "Value": "other"}]}])
    cloudwatch.put_metric_data(Namespace="Lab/Test", MetricData=[
        {"MetricName": "Errors", "Value": 2, "Dimensions": dimension}])
    [(subject, message)] = _notifications(cloud, queue_url, 1)
    assert subject == f'ALARM: "{name}" in US East (N. Virginia)'
    assert (message["AlarmName"], message["OldStateValue"], message["NewStateValue"]) == (
        name, "INSUFFICIENT_DATA", "ALARM")
    assert message["AlarmDescription"] == "errors in the contact function"
    assert "1 out of the last 1 datapoints [2 (" in message["NewStateReason"]
    assert message["Trigger"]["Dimensions"] == [{"value": name, "name": "FunctionName"}]
    assert message["AlarmActions"] == [topic]
    alarm = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
    assert alarm["StateValue"] == "ALARM"
    time.sleep(1)
    assert _notifications(cloud, queue_url, 1, timeout=3) == []  # no change, no second notification
    cloudwatch.delete_alarms(AlarmNames=[name])


def test_set_alarm_state_runs_the_actions_and_evaluation_sets_it_back(cloud):
    """SetAlarmState API reference: the alarm's actions run for the state set; "the alarm ... returns to its actual
    state" at its next evaluation."""
    cloudwatch, name = cloud.client("cloudwatch"), f"quiet-{uuid.uuid4().hex[:8]}"
    topic, queue_url = _topic_with_queue(cloud)
    cloudwatch.put_metric_alarm(AlarmName=name, Namespace="Lab/Test", MetricName="Quiet", Statistic="Sum",
                                Period=60, EvaluationPeriods=1, Threshold=1, TreatMissingData="notBreaching",
                                ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic],
                                OKActions=[topic])
    first = _notifications(cloud, queue_url, 1)  # evaluated: no data, notBreaching → OK
    assert [m["NewStateValue"] for _, m in first] == ["OK"]
    cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="testing the notification")
    seen = _notifications(cloud, queue_url, 2)
    assert [(m["NewStateValue"], m["NewStateReason"]) for _, m in seen][0] == ("ALARM", "testing the notification")
    assert [m["NewStateValue"] for _, m in seen] == ["ALARM", "OK"]
    cloudwatch.delete_alarms(AlarmNames=[name])


def test_a_datapoint_of_the_period_just_ended_is_still_evaluated():
    """A datapoint put in the last seconds of a minute is evaluated after the minute ends (AWS evaluates ended
    periods), not lost because the evaluation came after the period it fell in."""
    from labkit.cloud.cloudwatch.alarms import evaluate

    assert evaluate(_alarm(), [(NOW - 31, 2)], NOW)[0] == "ALARM"  # 59 s into the previous minute
    assert evaluate(_alarm(), [(NOW - 31, 2), (NOW - 5, 0)], NOW)[0] == "OK"  # the current minute has data: it counts
