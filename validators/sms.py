"""Optional layer 14 · SMS: the owner's phone number (LAB_OWNER_PHONE) is verified in the SMS sandbox, it is
subscribed to the workshop's topic with protocol sms, and a message sent through the API is texted to it (read in
the local cloud's phone outbox; on AWS the text goes to a real phone, which no validator can read). Checked when
asked: validators.check("sms") or make check LAYER=sms, never by a plain make check."""

from __future__ import annotations

import secrets
import time

from botocore.exceptions import ClientError

from labkit import StillPending, phone

from . import sns
from .base import Check, Context, Result, failed, passed, skipped

TEXT_DEADLINE = 20  # seconds: the local cloud delivers in well under one


def probe_sandbox(ctx: Context) -> Result:
    """In the sandbox, SNS texts only verified destination numbers (SNS developer guide, "Using the Amazon SNS SMS
    sandbox"); an account moved out of it texts any number."""
    client, number = ctx.client("sns"), ctx.cfg.owner_phone
    if not client.get_sms_sandbox_account_status()["IsInSandbox"]:
        return passed("the account is out of the SMS sandbox: it texts any number")
    listed = client.list_sms_sandbox_phone_numbers()["PhoneNumbers"]
    status = next((n["Status"] for n in listed if n["PhoneNumber"] == number), None)
    if status is None:
        return failed(f"{number} is not in the SMS sandbox", "Verified",
                      "add the owner's number (LAB_OWNER_PHONE) to the sandbox with create_sms_sandbox_phone_number, "
                      "then verify it: notebook 14, section 1")
    if status != "Verified":
        return failed(status, "Verified", "the number is added but not verified: verify_sms_sandbox_phone_number "
                      "with the one-time password texted to it (notebook 14, section 1; a new code: run the cell again)")
    return passed(f"{number} verified")


def probe_subscription(ctx: Context) -> Result:
    number, topic = ctx.cfg.owner_phone, sns._topic_arn(ctx)
    try:
        subscriptions = ctx.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("NotFound", "NotFoundException"):
            return failed(f"no topic {topic}", "the workshop's topic", "the topic comes first: notebook 08 creates it")
        raise
    texted = [s["Endpoint"] for s in subscriptions if s["Protocol"] == "sms"]
    if number in texted:
        ctx.facts["topic"] = topic
        return passed(f"{number} subscribed with protocol sms")
    if texted:
        return failed(f"the topic texts {', '.join(texted)}", number, "subscribe the owner's number "
                      "(LAB_OWNER_PHONE, in E.164 as +15555550100), not another one, with protocol sms")
    return failed("no sms subscription", f"{number} subscribed", "subscribe the owner's phone to the topic: "
                  "sns.subscribe with Protocol='sms' and Endpoint=LAB_OWNER_PHONE (notebook 14, section 3)")


def probe_delivery(ctx: Context) -> Result:
    """A message sent as a visitor through the API (or straight to the function before notebook 09) is texted to
    the owner: the topic's sms subscription, from the sandbox's verified number."""
    if not ctx.cfg.local:
        return skipped("on AWS the text goes to the owner's real phone, which no validator can read: look at it")
    marker = f"validator text {secrets.token_hex(4)}"
    since = time.time()
    try:
        sns._send_through_function(ctx, marker)
    except sns.NotSent as exc:
        return failed(exc.observed, "201 Created", exc.hint)
    number = ctx.cfg.owner_phone
    try:
        text = phone.wait_for(number, since=since, text=marker, cfg=ctx.cfg, progress=False, deadline=TEXT_DEADLINE)
    except StillPending:
        return failed(f"no text to {number} within {TEXT_DEADLINE} s", "the message, texted",
                      "the function publishes to another topic than the one the phone is subscribed to: its "
                      "TOPIC_ARN (notebook 08) and the subscription (notebook 14) must name the same topic")
    if not text["delivered"]:
        return failed(text["reason"][:160], "delivered", "the text was sent but not delivered: verify the owner's "
                      "number in the SMS sandbox (notebook 14, section 1)")
    return passed(f"text to {number} with the message ({len(text['text'])} characters)")


CHECKS = [
    Check("sms.sandbox", "the owner's phone number is verified in the SMS sandbox", probe_sandbox),
    Check("sms.subscription", "the owner's phone is subscribed to the topic", probe_subscription),
    Check("sms.delivery", "a message sent through the API is texted to the owner", probe_delivery,
          needs=("sms.subscription", "lambda.function", "api.signed_in")),
]
