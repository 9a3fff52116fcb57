"""Optional layer 13 · Monitoring: the API's requests are counted in CloudWatch, an alarm watches its 4XX errors
and notifies the workshop's topic, and the alarm in ALARM mails the owner (on AWS a temporary SQS subscription sees
the notification). Checked when asked: validators.check("monitoring") or make check LAYER=monitoring, never by a
plain make check."""

from __future__ import annotations

import datetime
import secrets

from labkit import NotYet, StillPending, mailbox, names

from . import api, sns
from .base import Check, Context, Result, failed, passed

NAMESPACE, METRIC = "AWS/ApiGateway", "4XXError"
METRIC_WAIT = 20  # seconds: the local cloud counts a request within one; on AWS it takes a minute or two
NOTIFY_DEADLINE = 30  # seconds: SetAlarmState's notification arrives within a second or two


def _dimensions(ctx: Context) -> list[dict[str, str]]:
    n = names(ctx.cfg)
    return [{"Name": "ApiName", "Value": n.api}, {"Name": "Stage", "Value": n.stage}]


def probe_metrics(ctx: Context) -> Result:
    """A request without a token (a 401) is counted in the stage's Count, read back with GetMetricData."""
    if "url" not in ctx.facts:
        deployed = api.probe_api(ctx)
        if deployed.status != "pass":
            return deployed
    if "knocked" not in ctx.facts:  # once: this probe is retried while the datapoint is on its way
        ctx.facts["knocked"] = api.call(ctx, "GET").status_code
    now = datetime.datetime.now(datetime.timezone.utc)
    query = {"Id": "requests", "MetricStat": {"Metric": {"Namespace": NAMESPACE, "MetricName": "Count",
             "Dimensions": _dimensions(ctx)}, "Period": 60, "Stat": "Sum"}}
    results = ctx.client("cloudwatch").get_metric_data(MetricDataQueries=[query], StartTime=now - datetime.timedelta(
        minutes=15), EndTime=now + datetime.timedelta(minutes=1))["MetricDataResults"]
    total = sum(sum(r["Values"]) for r in results)
    if total < 1:
        raise NotYet(f"no Count datapoint for ApiName={names(ctx.cfg).api}, Stage={names(ctx.cfg).stage} yet "
                     "(on AWS a request takes a minute or two to be counted)")
    return passed(f"{total:.0f} request(s) in the last 15 minutes")


def probe_alarm(ctx: Context) -> Result:
    n = names(ctx.cfg)
    found = ctx.client("cloudwatch").describe_alarms(AlarmNames=[n.alarm], AlarmTypes=["MetricAlarm"])
    alarm = next(iter(found["MetricAlarms"]), None)
    if alarm is None:
        return failed(f"no alarm named {n.alarm}", "the alarm exists", "run notebook 13's put_metric_alarm cell")
    watched = f"{alarm.get('Namespace', '?')} {alarm.get('MetricName', '?')}"
    if watched != f"{NAMESPACE} {METRIC}":
        return failed(f"it watches {watched}", f"{NAMESPACE} {METRIC}",
                      f"the alarm must watch the API's 4XX errors: Namespace={NAMESPACE}, MetricName={METRIC}")
    dimensions = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
    wanted = {d["Name"]: d["Value"] for d in _dimensions(ctx)}
    if dimensions != wanted:
        return failed(f"dimensions {dimensions or 'none'}", str(wanted), "a metric is its exact set of dimensions: "
                      f"with other ones the alarm watches no datapoint of the API; give it ApiName={n.api} and "
                      f"Stage={n.stage}")
    topic = sns._topic_arn(ctx)
    if topic not in alarm.get("AlarmActions", []):
        return failed(f"AlarmActions {alarm.get('AlarmActions') or 'none'}", topic,
                      "the alarm's AlarmActions must name the workshop's topic, or nobody hears of it")
    if not alarm.get("ActionsEnabled", True):
        return failed("ActionsEnabled is false", "true", "enable the alarm's actions (put_metric_alarm with "
                      "ActionsEnabled=True, or enable_alarm_actions)")
    ctx.facts["topic"] = topic
    return passed(f"{alarm['StateValue']}: {alarm['Statistic']} {alarm['ComparisonOperator']} "
                  f"{alarm['Threshold']:g} over {alarm['EvaluationPeriods']} × {alarm['Period']} s")


def probe_notifies(ctx: Context) -> Result:
    """SetAlarmState ALARM runs the alarm's actions "when the updated state differs from the previous value" (the
    SetAlarmState API reference): from OK to ALARM. The next evaluation puts the alarm back where its metric says."""
    name = names(ctx.cfg).alarm
    marker = f"validator test {secrets.token_hex(4)}"  # the notification's NewStateReason carries it

    def raise_alarm() -> None:
        watch = ctx.client("cloudwatch")
        watch.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="validator: reset before the test")
        watch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason=marker)

    if not ctx.cfg.local:
        with sns.temporary_subscriber(ctx, ctx.facts["topic"]) as received:
            raise_alarm()
            if received(marker, NOTIFY_DEADLINE):
                return passed("the ALARM notification reached a subscriber of the topic")
        return failed(f"nothing within {NOTIFY_DEADLINE} s", "the ALARM notification", _silent_hint(ctx))
    since = mailbox.now()
    raise_alarm()
    owner, subject = ctx.cfg.owner_email, f'ALARM: "{name}"'
    try:
        mail = mailbox.wait_for(owner, since=since, subject=subject, text=marker, cfg=ctx.cfg, progress=False,
                                deadline=NOTIFY_DEADLINE)
    except StillPending:
        return failed(f"no mail to {owner} with the subject {subject} within {NOTIFY_DEADLINE} s",
                      "the ALARM notification", _silent_hint(ctx))
    return passed(f"mail to {owner}: {mail['subject']}")


def _silent_hint(ctx: Context) -> str:
    return (f"the alarm changed state but the owner heard nothing: is {ctx.cfg.owner_email}'s subscription to the "
            "topic confirmed (notebook 10)? validators.check('sns') says")


CHECKS = [
    Check("monitoring.metrics", "the API's requests are counted in CloudWatch", probe_metrics,
          wait=METRIC_WAIT, needs=("api.deployed",)),
    Check("monitoring.alarm", "an alarm watches the API's 4XX errors and notifies the topic", probe_alarm),
    Check("monitoring.notifies", "the alarm, in ALARM, mails the owner", probe_notifies,
          needs=("monitoring.alarm", "sns.subscription")),
]
