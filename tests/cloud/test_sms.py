"""SMS through SNS into the local phone's outbox (/_lab/sms), with the SMS sandbox, over the wire with boto3.

AWS facts: SNS developer guide, "Using the Amazon SNS SMS sandbox": new accounts are in the sandbox; in it "you can
only send SMS messages to verified destination phone numbers", up to 10 of them, and a number can be deleted "only
after a minimum of 24 hours have passed since verification, or the last verification attempt". API reference:
CreateSMSSandboxPhoneNumber "sends a one-time password (OTP) to that phone number"; VerifySMSSandboxPhoneNumber
takes it (a wrong one: VerificationException); PhoneNumber matches ^(\\+[0-9]{8,}|[0-9]{0,9})$; an sms
subscription needs no confirmation.
"""

from __future__ import annotations

import secrets
import time

import pytest
import requests
from botocore.exceptions import ClientError

from labkit.waiting import NotYet, retry_until


def _number() -> str:
    return "+1555" + "".join(secrets.choice("0123456789") for _ in range(7))


def _texts(cloud, to: str, since: float, count: int = 1) -> list[dict]:
    def arrived() -> list[dict]:
        found = requests.get(f"{cloud.cfg.gateway_url}/_lab/sms/api/messages",
                             params={"to": to, "since": since}, timeout=5).json()["messages"]
        if len(found) < count:
            raise NotYet(f"{len(found)} text(s) to {to}")
        return found

    return retry_until(f"texts to {to}", arrived, deadline=20, progress=False)


def _verify(sns, cloud, number: str) -> None:
    since = time.time()
    sns.create_sms_sandbox_phone_number(PhoneNumber=number)
    otp = _texts(cloud, number, since)[0]
    assert otp["delivered"] and otp["code"] and otp["origin"] == "CreateSMSSandboxPhoneNumber"
    sns.verify_sms_sandbox_phone_number(PhoneNumber=number, OneTimePassword=otp["code"])


def test_the_account_is_in_the_sandbox_and_an_unverified_number_gets_nothing(cloud):
    sns = cloud.client("sns")
    assert sns.get_sms_sandbox_account_status()["IsInSandbox"] is True
    number, since = _number(), time.time()
    message_id = sns.publish(PhoneNumber=number, Message="hello, stranger")["MessageId"]
    [text] = _texts(cloud, number, since)
    assert text["message_id"] == message_id and not text["delivered"]
    assert "not a verified destination phone number" in text["reason"]


def test_a_verified_number_gets_direct_texts_and_its_topics(cloud):
    sns = cloud.client("sns")
    number = _number()
    _verify(sns, cloud, number)
    assert {"PhoneNumber": number, "Status": "Verified"} in sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"]
    since = time.time()
    sns.publish(PhoneNumber=number, Message="direct <b>hello</b>")
    topic = sns.create_topic(Name=f"texts-{secrets.token_hex(3)}")["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=number, ReturnSubscriptionArn=True)
    assert sub["SubscriptionArn"].startswith("arn:")  # no confirmation for sms
    stranger = _number()
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=stranger)
    sns.publish(TopicArn=topic, Message="through the topic")
    texts = _texts(cloud, number, since, 2)
    assert {t["text"] for t in texts} == {"direct <b>hello</b>", "through the topic"}
    assert all(t["delivered"] for t in texts)
    assert next(t for t in texts if t["origin"] == topic)["text"] == "through the topic"
    [refused] = _texts(cloud, stranger, since)
    assert not refused["delivered"] and refused["origin"] == topic
    page = requests.get(f"{cloud.cfg.gateway_url}/_lab/sms", timeout=5).text
    assert "direct &lt;b&gt;hello&lt;/b&gt;" in page and "<b>hello</b>" not in page and number in page


def test_a_wrong_password_is_refused_and_deleting_waits_24_hours(cloud):
    sns = cloud.client("sns")
    number = _number()
    sns.create_sms_sandbox_phone_number(PhoneNumber=number)
    with pytest.raises(ClientError) as wrong:
        sns.verify_sms_sandbox_phone_number(PhoneNumber=number, OneTimePassword="00000000")
    assert wrong.value.response["Error"]["Code"] == "VerificationException"
    assert {"PhoneNumber": number, "Status": "Pending"} in sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"]
    with pytest.raises(ClientError) as early:
        sns.delete_sms_sandbox_phone_number(PhoneNumber=number)
    assert early.value.response["Error"]["Code"] == "UserError" and "24 hours" in str(early.value)
    with pytest.raises(ClientError) as unknown:
        sns.verify_sms_sandbox_phone_number(PhoneNumber=_number(), OneTimePassword="123456")
    assert unknown.value.response["Error"]["Code"] == "ResourceNotFound"
    with pytest.raises(ClientError) as malformed:
        sns.create_sms_sandbox_phone_number(PhoneNumber="555-0100")
    assert malformed.value.response["Error"]["Code"] == "InvalidParameter"


def test_the_outbox_keeps_each_account_to_its_own_texts(cloud):
    sns = cloud.client("sns")
    number, since = _number(), time.time()
    sns.publish(PhoneNumber=number, Message="mine")
    _texts(cloud, number, since)
    url = f"{cloud.cfg.gateway_url}/_lab/sms/api/messages"
    assert requests.get(url, params={"to": number, "account": "111122223333"}, timeout=5).json()["messages"] == []
    mine = requests.get(url, params={"to": number, "account": cloud.cfg.account}, timeout=5).json()["messages"]
    assert [t["text"] for t in mine] == ["mine"]
    assert requests.get(url, params={"account": "nope"}, timeout=5).status_code == 400
