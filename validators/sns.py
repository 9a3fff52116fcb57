"""Layer 10 · SNS: the topic exists, the owner's e-mail subscription is confirmed, and a message sent through the
API (or, before notebook 09, straight to the function) reaches the owner: the local mailbox; on AWS a temporary SQS
subscription the validator adds and removes."""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from collections.abc import Callable, Iterator

from botocore.exceptions import ClientError

from labkit import StillPending, mailbox, names

from . import awslambda
from .base import Check, Context, Result, failed, passed
from .events import proxy_event


def _topic_arn(ctx: Context) -> str:
    account = ctx.client("sts").get_caller_identity()["Account"]
    return f"arn:aws:sns:{ctx.cfg.region}:{account}:{names(ctx.cfg).topic}"


def probe_topic(ctx: Context) -> Result:
    arn = _topic_arn(ctx)
    try:
        ctx.client("sns").get_topic_attributes(TopicArn=arn)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("NotFound", "NotFoundException"):
            return failed(f"no topic {names(ctx.cfg).topic}", "the topic exists", "run notebook 10's create-topic cell")
        raise
    ctx.facts["topic"] = arn
    return passed(arn)


def probe_subscription(ctx: Context) -> Result:
    owner = ctx.cfg.owner_email
    subs = ctx.client("sns").list_subscriptions_by_topic(TopicArn=ctx.facts["topic"])["Subscriptions"]
    mine = [s for s in subs if s["Protocol"] in ("email", "email-json") and s["Endpoint"].lower() == owner.lower()]
    if not mine:
        return failed(f"no e-mail subscription for {owner}", f"{owner} subscribed",
                      "subscribe the owner's address (LAB_OWNER_EMAIL) with protocol email")
    if all(s["SubscriptionArn"] == "PendingConfirmation" for s in mine):
        return failed("PendingConfirmation", "confirmed",
                      "e-mail subscription not confirmed: open the confirmation mail and follow its link")
    return passed(f"{owner} confirmed")


class NotSent(Exception):
    """The message did not get as far as SNS: ``observed`` says what answered, ``hint`` where to look."""

    def __init__(self, observed: str, hint: str) -> None:
        super().__init__(observed)
        self.observed, self.hint = observed, hint


DIRECT_SENDER = "validator@example.com"  # the sender of a message handed to the function without the API
PUBLISH_HINT = "the function could not publish: check its TOPIC_ARN and its role's sns:Publish on the topic"


def _send_through_function(ctx: Context, marker: str) -> None:
    """Send a message as a visitor would: through the API when it is deployed (notebook 09), else straight to the
    function with the event the API would build. Only a failure of the function itself points at its publishing:
    a 500 or 401 from API Gateway is the API's own problem, which its layer's checks explain."""
    from . import api

    if api.probe_api(ctx).status == "pass":
        answer, _ = api.post_as_visitor(ctx, marker)
        if answer.status_code == 201:
            return
        from_function = answer.status_code == 502 or "x-amzn-ErrorType" not in answer.headers
        raise NotSent(f"the API answered {answer.status_code} {answer.text[:200]}", PUBLISH_HINT if from_function
                      else "the API did not pass the message to the function: the api layer's checks say why "
                      "(validators.check('api'), notebook 09)")
    event = proxy_event("POST", email=DIRECT_SENDER, body={"name": "Validator", "message": marker})
    answer = ctx.client("lambda").invoke(FunctionName=names(ctx.cfg).function, Payload=json.dumps(event).encode())
    payload = json.loads(answer["Payload"].read() or b"{}")
    api.forget_message(ctx, DIRECT_SENDER, marker)
    if answer.get("FunctionError") or payload.get("statusCode") != 201:
        raise NotSent(f"the function answered {str(payload)[:200]}", _function_hint(ctx, str(payload)))


def _function_hint(ctx: Context, failure: str) -> str:
    """A refused Publish to another topic than the workshop's is the function's TOPIC_ARN, not its role."""
    topic, denied = ctx.facts.get("topic"), awslambda.refused(failure)
    if topic and denied and denied[0] == "SNS:Publish" and denied[1] != topic:
        return (f"the function publishes to another topic ({denied[1]}) than the workshop's ({topic}): "
                "set its TOPIC_ARN (notebook 08)")
    return awslambda.role_denial(failure) or PUBLISH_HINT


def probe_delivery(ctx: Context) -> Result:
    """A message sent through the contact function arrives where the owner reads it."""
    marker = f"validator message {secrets.token_hex(4)}"
    if not ctx.cfg.local:
        return _delivery_through_sqs(ctx, marker)
    since = time.time()
    try:
        _send_through_function(ctx, marker)
    except NotSent as exc:
        return failed(exc.observed, "201 Created", exc.hint)
    owner = ctx.cfg.owner_email
    try:
        mail = mailbox.wait_for(owner, since=since, subject="Validator", text=marker, cfg=ctx.cfg, progress=False,
                                deadline=MAIL_DEADLINE)
    except StillPending:
        others = [m for m in mailbox.messages(owner, since, ctx.cfg) if "Validator" in m["subject"]]
        if others:
            return failed(others[-1]["text"][:200], marker, "a notification arrived but does not carry the message: "
                          "the function must publish the visitor's message text")
        return failed(f"no mail to {owner} with the message within {MAIL_DEADLINE} s", "the notification mail",
                      "the topic has no confirmed e-mail subscription for the owner, or the function publishes to "
                      "another topic")
    return passed(f"mail to {owner}: {mail['subject']}")


MAIL_DEADLINE = 20  # seconds: the local cloud delivers in well under one
QUEUE_DEADLINE = 30  # seconds: SNS → SQS takes well under one on AWS


def _delivery_through_sqs(ctx: Context, marker: str) -> Result:
    """On AWS nobody can read the owner's inbox: subscribe a temporary queue, send, read it, remove both."""
    try:
        with temporary_subscriber(ctx, ctx.facts["topic"]) as received:
            _send_through_function(ctx, marker)
            if received(marker, QUEUE_DEADLINE):
                return passed("the notification reached a subscriber")
            return failed(f"nothing within {QUEUE_DEADLINE} s", "the notification",
                          "the function publishes to another topic")
    except NotSent as exc:
        return failed(exc.observed, "201 Created", exc.hint)


@contextlib.contextmanager
def temporary_subscriber(ctx: Context, topic_arn: str) -> Iterator[Callable[[str, float], bool]]:
    """A queue subscribed to the topic while the block runs (then both removed): ``received(marker, seconds)`` says
    whether a message holding ``marker`` arrived within that time. How a check sees a notification on AWS."""
    sqs, sns = ctx.client("sqs"), ctx.client("sns")
    queue = sqs.create_queue(QueueName=f"{ctx.cfg.prefix}-validator-{secrets.token_hex(3)}")["QueueUrl"]
    subscription = None

    def received(marker: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for message in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5).get("Messages", []):
                if marker in message["Body"]:
                    return True
        return False

    try:
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": json.dumps({"Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]})})
        subscription = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                                     ReturnSubscriptionArn=True)["SubscriptionArn"]
        yield received
    finally:
        if subscription:
            sns.unsubscribe(SubscriptionArn=subscription)
        sqs.delete_queue(QueueUrl=queue)


CHECKS = [
    Check("sns.topic", "the notification topic exists", probe_topic),
    Check("sns.subscription", "the owner's e-mail subscription is confirmed", probe_subscription,
          needs=("sns.topic",)),
    Check("sns.delivery", "a message sent through the API reaches the owner", probe_delivery,
          needs=("sns.subscription", "lambda.function", "api.signed_in")),
]
