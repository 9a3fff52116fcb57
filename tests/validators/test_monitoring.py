"""The optional monitoring layer (notebook 13): green on the alarm as the notebook makes it; the right hint for an
alarm that is missing, watches another metric or other dimensions, notifies no topic, or reaches an owner whose
subscription is not confirmed. A plain make check never runs it.

AWS facts: API Gateway developer guide, "Amazon API Gateway dimensions and metrics" (Count and 4XXError by ApiName
and ApiName+Stage); SetAlarmState API reference ("When the updated state differs from the previous value, the
action configured for the appropriate state is invoked").
"""

from __future__ import annotations

import pytest

import validators
from labkit import names
from validators.base import BLOCKED, FAIL, PASS

from .deployments import deploy_api, deploy_app


def put_alarm(cloud, cfg, **changes):
    """The alarm as notebook 13 makes it, with ``changes``."""
    n = names(cfg)
    alarm = dict(AlarmName=n.alarm, Namespace="AWS/ApiGateway", MetricName="4XXError", Statistic="Sum", Period=60,
                 EvaluationPeriods=1, Threshold=5, ComparisonOperator="GreaterThanOrEqualToThreshold",
                 TreatMissingData="notBreaching",
                 Dimensions=[{"Name": "ApiName", "Value": n.api}, {"Name": "Stage", "Value": n.stage}],
                 AlarmActions=[f"arn:aws:sns:us-east-1:123456789012:{n.topic}"])
    cloud.client("cloudwatch").put_metric_alarm(**{**alarm, **changes})


def results(cfg):
    return {r.check: r for r in validators.run(["monitoring"], cfg).results}


@pytest.fixture(scope="module")
def deployed(cloud):
    cfg = deploy_app(cloud)
    deploy_api(cloud, cfg)
    return cfg


def test_the_alarm_as_notebook_13_makes_it_passes(cloud, deployed):
    put_alarm(cloud, deployed)
    found = results(deployed)
    assert {r.status for r in found.values()} == {PASS}, {k: (r.observed, r.hint) for k, r in found.items()}
    assert 'ALARM: "' in found["monitoring.notifies"].observed


def test_a_missing_alarm_names_the_notebook(cloud, deployed):
    cloud.client("cloudwatch").delete_alarms(AlarmNames=[names(deployed).alarm])
    found = results(deployed)
    assert found["monitoring.alarm"].status == FAIL and "notebook 13" in found["monitoring.alarm"].hint
    assert found["monitoring.notifies"].status == BLOCKED
    assert found["monitoring.metrics"].status == PASS  # the API's metrics do not depend on the alarm


@pytest.mark.parametrize(("changes", "words"), [
    ({"MetricName": "5XXError"}, "4XX errors"),
    ({"Dimensions": [{"Name": "ApiName", "Value": "x"}]}, "exact set of dimensions"),
    ({"AlarmActions": []}, "must name the workshop's topic"),
    ({"ActionsEnabled": False}, "enable the alarm's actions"),
])
def test_a_wrong_alarm_gets_the_right_hint(cloud, deployed, changes, words):
    put_alarm(cloud, deployed, **changes)
    found = results(deployed)["monitoring.alarm"]
    assert found.status == FAIL and words in found.hint, (found.observed, found.hint)


def test_an_unconfirmed_owner_hears_nothing_and_is_told_why(cloud, monkeypatch):
    from validators import monitoring

    cfg = deploy_app(cloud, confirm=False)
    deploy_api(cloud, cfg)
    put_alarm(cloud, cfg)
    monkeypatch.setattr(monitoring, "NOTIFY_DEADLINE", 3)  # nothing will come
    found = {r.check: r for r in validators.run(["monitoring", "sns"], cfg).results}
    assert found["monitoring.notifies"].status == BLOCKED and found["monitoring.notifies"].blocked_by == \
        "sns.subscription"
    alone = results(cfg)["monitoring.notifies"]  # without the sns layer, the check runs and says where to look
    assert alone.status == FAIL and "subscription to the topic confirmed" in alone.hint, (alone.observed, alone.hint)


def test_a_plain_check_leaves_the_optional_layers_out(monkeypatch, deployed):
    ran: list[str] = []
    monkeypatch.setattr(validators, "run_layers", lambda layers, cfg: ran.extend(layers) or [])
    validators.run(None, deployed)
    assert ran == list(validators.LAYERS) and "monitoring" not in ran
    ran.clear()
    validators.run(["monitoring"], deployed)
    assert ran == ["monitoring"]
