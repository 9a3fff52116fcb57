"""SNS delivery through the real local cloud: e-mail into the mailbox, signed HTTP POSTs to a server of the test's
own, confirmations by link and by token, filter policies, Lambda, failed deliveries, SQS left to moto, a restart.

Facts: research/aws-facts.md (SNS) and the Amazon SNS Developer Guide pages named in each test.
"""

from __future__ import annotations

import base64
import io
import json
import queue
import re
import threading
import uuid
import zipfile
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from labkit.cloud.sns import models as sns_models
from labkit.cloud.sns.queue import Job, saved_job
from labkit.waiting import NotYet, retry_until

# "Verifying the signatures of Amazon SNS messages": the fields signed, in this order, "Name\nValue\n" each.
SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}
LINK = re.compile(r"https?://\S+")


# -- helpers ---------------------------------------------------------------------------------------------------
class Endpoint:
    """A subscriber's HTTP server on 127.0.0.1: records each POST, answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status, self.received = status, queue.Queue()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                outer.received.put(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sns"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self) -> tuple[dict[str, str], str]:
        return self.received.get(timeout=20)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint():
    server = Endpoint()
    yield server
    server.close()


def topic(sns, **attributes) -> str:
    return sns.create_topic(Name=f"contact-{uuid.uuid4().hex[:8]}", Attributes=attributes)["TopicArn"]


def mails(cloud, to: str) -> list[dict]:
    """Oldest first, with the SMTP line endings (CRLF) read back as newlines."""
    url = f"{cloud.cfg.gateway_url}/_lab/mail/api/messages"
    found = list(reversed(requests.get(url, params={"to": to}, timeout=5).json()["messages"]))
    return [{**m, "text": m["text"].replace("\r\n", "\n")} for m in found]


def wait_mails(cloud, to: str, count: int) -> list[dict]:
    def attempt() -> list[dict]:
        found = mails(cloud, to)
        if len(found) < count:
            raise NotYet(f"{len(found)} of {count} mails")
        return found

    return retry_until(f"mail to {to}", attempt, deadline=30, backoff=0.05, max_interval=0.25, progress=False)


def delivery_stats(cloud) -> dict:
    return requests.get(f"{cloud.cfg.gateway_url}/_lab/health", timeout=5).json()["components"]["notify"]


def wait_idle(cloud) -> dict:
    """Until nothing is queued or being attempted: whatever was going to be delivered has been."""
    def attempt() -> dict:
        stats = delivery_stats(cloud)
        if stats["queued"] or stats["in_flight"]:
            raise NotYet(f"{stats['queued']} queued, {stats['in_flight']} in flight")
        return stats

    return retry_until("deliveries done", attempt, deadline=30, backoff=0.05, max_interval=0.25, progress=False)


def link(text: str, path: str) -> str:
    return next(url for url in LINK.findall(text) if f"/_lab/sns/{path}" in url)


def assert_signed(doc: dict, cert_pem: bytes | None = None) -> None:
    """Verify as a subscriber would: the certificate from SigningCertURL, the documented string to sign."""
    cert_pem = cert_pem or requests.get(doc["SigningCertURL"], timeout=5).content
    public_key = x509.load_pem_x509_certificate(cert_pem).public_key()
    text = "".join(f"{name}\n{doc[name]}\n" for name in SIGNED_FIELDS[doc["Type"]] if name in doc)
    algorithm = {"1": hashes.SHA1(), "2": hashes.SHA256()}[doc["SignatureVersion"]]
    public_key.verify(base64.b64decode(doc["Signature"]), text.encode(), padding.PKCS1v15(), algorithm)


def confirmation_of(endpoint: Endpoint) -> dict:
    headers, body = endpoint.next()
    assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    return json.loads(body)


def confirm_http(endpoint: Endpoint) -> str:
    """Visit the SubscribeURL of the endpoint's confirmation, as the subscriber's code does; the ARN it returns."""
    answer = requests.get(confirmation_of(endpoint)["SubscribeURL"], timeout=5)
    assert answer.status_code == 200
    return re.search(r"<SubscriptionArn>(.+?)</SubscriptionArn>", answer.text).group(1)


# -- e-mail ----------------------------------------------------------------------------------------------------
def test_email_subscription_is_pending_until_its_mailed_link_is_visited(cloud):
    """aws-facts.md SNS: e-mail subscriptions start PendingConfirmation; a confirmation message with a link is sent;
    only then does delivery begin. Subscribe returns "pending confirmation" (API Reference, Subscribe)."""
    sns, to = cloud.client("sns"), f"owner-{uuid.uuid4().hex[:8]}@example.com"
    arn = topic(sns, DisplayName="Contact site")
    assert sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=to)["SubscriptionArn"] == "pending confirmation"
    (listed,) = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    assert listed["SubscriptionArn"] == "PendingConfirmation" and listed["Endpoint"] == to
    sns.publish(TopicArn=arn, Message="sent while pending")

    (confirmation,) = wait_mails(cloud, to, 1)
    assert confirmation["subject"] == "AWS Notification - Subscription Confirmation"
    assert confirmation["headers"]["From"].startswith("Contact site <")  # the topic's DisplayName names the sender
    assert f"You have chosen to subscribe to the topic: \n{arn}" in confirmation["text"]
    assert "To confirm this subscription, click or visit the link below" in confirmation["text"]
    page = requests.get(link(confirmation["text"], "confirm"), timeout=5)
    assert page.status_code == 200 and "Subscription confirmed!" in page.text

    (listed,) = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    assert listed["SubscriptionArn"].startswith(arn + ":")
    attributes = sns.get_subscription_attributes(SubscriptionArn=listed["SubscriptionArn"])["Attributes"]
    assert attributes["PendingConfirmation"] == "false"

    sns.publish(TopicArn=arn, Message="Hello from the contact form", Subject="New message from Ada")
    sns.publish(TopicArn=arn, Message="No subject here")
    _, first, second = wait_mails(cloud, to, 3)
    by_subject = {first["subject"]: first, second["subject"]: second}
    # The default subject and the unsubscribe footer AWS appends to e-mail notifications.
    assert set(by_subject) == {"New message from Ada", "AWS Notification Message"}
    text = by_subject["New message from Ada"]["text"]
    assert text.startswith("Hello from the contact form\n")
    assert "If you wish to stop receiving notifications from this topic" in text
    wait_idle(cloud)
    assert not any("sent while pending" in m["text"] for m in mails(cloud, to))

    page = requests.get(link(text, "unsubscribe"), timeout=5)
    assert page.status_code == 200 and "Subscription removed!" in page.text
    assert sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"] == []


def test_confirm_subscription_checks_the_token(cloud):
    """API Reference, ConfirmSubscription: it verifies the token sent by Subscribe; a wrong one is InvalidParameter,
    an unknown topic NotFound. (moto accepts any token, research/moto-5.2.5.md §10.)"""
    sns, to = cloud.client("sns"), f"token-{uuid.uuid4().hex[:8]}@example.com"
    arn = topic(sns)
    sub_arn = sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=to, ReturnSubscriptionArn=True)["SubscriptionArn"]
    (confirmation,) = wait_mails(cloud, to, 1)
    token = re.search(r"Token=([0-9a-f]+)", confirmation["text"]).group(1)

    with pytest.raises(ClientError) as wrong:
        sns.confirm_subscription(TopicArn=arn, Token="0" * len(token))
    assert wrong.value.response["Error"]["Code"] == "InvalidParameter"
    with pytest.raises(ClientError) as elsewhere:
        sns.confirm_subscription(TopicArn=topic(sns), Token=token)  # a real token, another topic
    assert elsewhere.value.response["Error"]["Code"] == "InvalidParameter"
    with pytest.raises(ClientError) as missing:
        sns.confirm_subscription(TopicArn=arn + "-gone", Token=token)
    assert missing.value.response["Error"]["Code"] == "NotFound"
    page = requests.get(link(confirmation["text"], "confirm").replace(token, "f" * len(token)), timeout=5)
    assert page.status_code == 400 and "Invalid token" in page.text
    assert sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]["PendingConfirmation"] == "true"

    assert sns.confirm_subscription(TopicArn=arn, Token=token)["SubscriptionArn"] == sub_arn
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    assert attributes["PendingConfirmation"] == "false" and attributes["ConfirmationWasAuthenticated"] == "true"


def test_email_json_mails_are_the_json_documents(cloud):
    """Developer Guide, "Parsing message formats": email-json receives the same JSON documents as HTTP endpoints;
    MessageStructure=json sends each protocol its own entry (Publish)."""
    sns, to = cloud.client("sns"), f"json-{uuid.uuid4().hex[:8]}@example.com"
    arn = topic(sns)
    sns.subscribe(TopicArn=arn, Protocol="email-json", Endpoint=to)
    (confirmation,) = wait_mails(cloud, to, 1)
    doc = json.loads(confirmation["text"])
    assert doc["Type"] == "SubscriptionConfirmation" and doc["TopicArn"] == arn and doc["Token"]
    assert_signed(doc)
    answer = requests.get(doc["SubscribeURL"], timeout=5)
    assert answer.status_code == 200 and "<ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns" in answer.text

    sns.publish(TopicArn=arn, Message="plain",
                MessageAttributes={"kind": {"DataType": "String", "StringValue": "contact"}})
    sns.publish(TopicArn=arn, MessageStructure="json", Message=json.dumps({"default": "d", "email-json": "for json"}))
    _, first, second = wait_mails(cloud, to, 3)
    notes = {d["Message"]: d for d in (json.loads(first["text"]), json.loads(second["text"]))}
    assert set(notes) == {"plain", "for json"} and first["subject"] == "AWS Notification Message"
    plain = notes["plain"]
    assert plain["Type"] == "Notification" and plain["TopicArn"] == arn and "Subject" not in plain
    assert plain["MessageAttributes"] == {"kind": {"Type": "String", "Value": "contact"}}
    assert plain["UnsubscribeURL"].startswith(cloud.cfg.gateway_url)
    assert_signed(plain)


# -- HTTP ------------------------------------------------------------------------------------------------------
def test_http_endpoint_gets_a_signed_confirmation_then_notifications(cloud, endpoint):
    """Developer Guide, "Parsing message formats" and "Verifying the signatures": a SubscriptionConfirmation POST,
    then Notification POSTs, each with x-amz-sns-* headers, text/plain, SNS's User-Agent, and a signature over the
    documented string to sign (SignatureVersion 1 = SHA1withRSA by default, 2 = SHA256withRSA)."""
    sns = cloud.client("sns")
    arn = topic(sns)
    sub_arn = sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=endpoint.url,
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]["PendingConfirmation"] == "true"

    headers, body = endpoint.next()
    doc = json.loads(body)
    assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert headers["x-amz-sns-message-id"] == doc["MessageId"] and headers["x-amz-sns-topic-arn"] == arn
    assert headers["content-type"] == "text/plain; charset=UTF-8"
    assert headers["user-agent"] == "Amazon Simple Notification Service Agent"
    assert "x-amz-sns-subscription-arn" not in headers
    assert set(doc) == {"Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL", "Timestamp",
                        "SignatureVersion", "Signature", "SigningCertURL"}
    assert doc["SignatureVersion"] == "1" and doc["SigningCertURL"].startswith(cloud.cfg.gateway_url)
    assert_signed(doc)
    with pytest.raises(InvalidSignature):  # the check above can fail: a changed message does not verify
        assert_signed({**doc, "Message": doc["Message"] + "!"})
    sns.publish(TopicArn=arn, Message="sent while pending")

    answer = requests.get(doc["SubscribeURL"], timeout=5)
    assert answer.status_code == 200 and f"<SubscriptionArn>{sub_arn}</SubscriptionArn>" in answer.text
    sns.set_topic_attributes(TopicArn=arn, AttributeName="SignatureVersion", AttributeValue="2")
    message_id = sns.publish(TopicArn=arn, Message="Hello", Subject="New message",
                             MessageAttributes={"kind": {"DataType": "String", "StringValue": "contact"}})["MessageId"]

    headers, body = endpoint.next()
    note = json.loads(body)
    assert headers["x-amz-sns-message-type"] == "Notification" and headers["x-amz-sns-subscription-arn"] == sub_arn
    assert headers["x-amz-sns-message-id"] == message_id == note["MessageId"]
    assert (note["Type"], note["TopicArn"], note["Message"]) == ("Notification", arn, "Hello")
    assert note["Subject"] == "New message"
    assert note["MessageAttributes"] == {"kind": {"Type": "String", "Value": "contact"}}
    assert note["SignatureVersion"] == "2"
    assert_signed(note)

    answer = requests.get(note["UnsubscribeURL"], timeout=5)
    assert answer.status_code == 200 and "<UnsubscribeResponse" in answer.text
    headers, body = endpoint.next()  # AWS tells an HTTP endpoint it was unsubscribed
    farewell = json.loads(body)
    assert headers["x-amz-sns-message-type"] == farewell["Type"] == "UnsubscribeConfirmation"
    assert_signed(farewell)
    assert sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"] == []


def test_raw_message_delivery_posts_the_message_alone(cloud, endpoint):
    """Developer Guide, "Amazon SNS raw message delivery": HTTP/S endpoints get the body unchanged, with the header
    x-amz-sns-rawdelivery: true."""
    sns = cloud.client("sns")
    arn = topic(sns)
    sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=endpoint.url, Attributes={"RawMessageDelivery": "true"})
    confirm_http(endpoint)
    sns.publish(TopicArn=arn, Message='{"from": "ada"}')
    headers, body = endpoint.next()
    assert body == '{"from": "ada"}' and headers["x-amz-sns-rawdelivery"] == "true"


def test_filter_policies_apply_to_http_and_email(cloud, endpoint):
    """aws-facts.md SNS: filter policies apply per subscription; Developer Guide, "Subscription filter policy
    scope": MessageAttributes (the default) or MessageBody."""
    sns, to = cloud.client("sns"), f"filter-{uuid.uuid4().hex[:8]}@example.com"
    arn = topic(sns)
    sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=endpoint.url,
                  Attributes={"FilterPolicy": json.dumps({"kind": ["contact"]})})
    sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=to,
                  Attributes={"FilterPolicyScope": "MessageBody", "FilterPolicy": json.dumps({"priority": ["high"]})})
    confirm_http(endpoint)
    requests.get(link(wait_mails(cloud, to, 1)[0]["text"], "confirm"), timeout=5).raise_for_status()

    def attrs(kind: str) -> dict:
        return {"kind": {"DataType": "String", "StringValue": kind}}

    sns.publish(TopicArn=arn, Message='{"priority": "low"}', MessageAttributes=attrs("spam"))
    sns.publish(TopicArn=arn, Message='{"priority": "high"}', MessageAttributes=attrs("contact"))
    _, body = endpoint.next()
    assert json.loads(body)["Message"] == '{"priority": "high"}'
    _, mail = wait_mails(cloud, to, 2)
    assert mail["text"].startswith('{"priority": "high"}')
    wait_idle(cloud)
    assert endpoint.received.empty() and len(mails(cloud, to)) == 2  # the low/spam one went nowhere


# -- failures --------------------------------------------------------------------------------------------------
def test_dead_endpoint_does_not_hold_up_publish_and_is_counted(cloud, endpoint):
    """Developer Guide, "message delivery retries": a failed HTTP/S delivery is retried 3 times, then given up
    (logged and counted here); other subscriptions are delivered meanwhile."""
    sns = cloud.client("sns")
    arn = topic(sns)
    dead = Endpoint()
    sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=dead.url)
    confirm_http(dead)
    sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=endpoint.url)
    confirm_http(endpoint)
    dead.close()  # connections are refused from now on
    failed_before = wait_idle(cloud)["failed"]

    sns.publish(TopicArn=arn, Message="still delivered")  # returns at once: delivery is the worker's
    assert json.loads(endpoint.next()[1])["Message"] == "still delivered"

    def gave_up() -> dict:
        stats = delivery_stats(cloud)
        if stats["failed"] <= failed_before:
            raise NotYet("the dead endpoint is still being retried")
        return stats

    stats = retry_until("dead endpoint given up", gave_up, deadline=30, backoff=0.1, max_interval=0.5, progress=False)
    assert stats["last_failure"]["endpoint"] == dead.url and stats["last_failure"]["attempts"] == 4


def test_endpoint_refusing_with_4xx_is_not_retried(cloud, endpoint):
    """Developer Guide, "message delivery retries": the delivery policy retries server-side errors; an endpoint's
    4xx refusal is a failure at once."""
    sns = cloud.client("sns")
    arn = topic(sns)
    sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=endpoint.url)
    confirm_http(endpoint)
    failed_before = wait_idle(cloud)["failed"]
    endpoint.status = 403
    sns.publish(TopicArn=arn, Message="refused")
    endpoint.next()
    stats = wait_idle(cloud)
    assert stats["failed"] == failed_before + 1
    assert stats["last_failure"]["endpoint"] == endpoint.url and stats["last_failure"]["attempts"] == 1


# -- Lambda ----------------------------------------------------------------------------------------------------
HANDLER = "import json\n\ndef handler(event, context):\n    print('SNS-EVENT ' + json.dumps(event))\n"


def test_lambda_subscription_invokes_the_function_with_the_sns_event(cloud):
    """Developer Guide, "Fanout to Lambda functions" and Lambda's "Using Lambda with Amazon SNS": the function is
    invoked asynchronously with {"Records": [{"EventSource": "aws:sns", "Sns": {…}}]}; a Lambda subscription needs
    no confirmation."""
    if "lambda" not in requests.get(f"{cloud.cfg.gateway_url}/_lab/health", timeout=5).json()["components"]:
        pytest.skip("this local cloud runs no Lambda runtime")
    sns, lam = cloud.client("sns"), cloud.client("lambda")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}
    name = f"sns-target-{uuid.uuid4().hex[:8]}"
    role = cloud.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    function_arn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                                       Code={"ZipFile": buffer.getvalue()})["FunctionArn"]
    arn = topic(sns)
    sub_arn = sns.subscribe(TopicArn=arn, Protocol="lambda", Endpoint=function_arn)["SubscriptionArn"]
    assert sub_arn.startswith(arn + ":")
    sns.publish(TopicArn=arn, Message="to the function", Subject="Hi",
                MessageAttributes={"kind": {"DataType": "String", "StringValue": "contact"}})

    def logged_event() -> dict:
        logs = cloud.client("logs")
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        except logs.exceptions.ResourceNotFoundException:
            raise NotYet("no log group yet") from None
        for event in events:
            if event["message"].startswith("SNS-EVENT "):
                return json.loads(event["message"][len("SNS-EVENT "):])
        raise NotYet("not invoked yet")

    (record,) = retry_until("the function's log", logged_event, deadline=30, backoff=0.1, max_interval=0.5,
                            progress=False)["Records"]
    assert record["EventSource"] == "aws:sns" and record["EventSubscriptionArn"] == sub_arn
    note = record["Sns"]
    assert (note["Type"], note["TopicArn"], note["Subject"], note["Message"]) == ("Notification", arn, "Hi",
                                                                                   "to the function")
    assert note["MessageAttributes"] == {"kind": {"Type": "String", "Value": "contact"}}
    assert_signed({**note, "SigningCertURL": note["SigningCertUrl"]})  # Lambda spells it SigningCertUrl


# -- SQS stays moto's ------------------------------------------------------------------------------------------
def test_sqs_subscriptions_keep_moto_s_delivery_and_filters(cloud):
    """research/moto-5.2.5.md §10: moto delivers to SQS (raw and envelope) and evaluates filter policies; AWS
    confirms same-account SQS subscriptions at once (Subscribe returns the ARN)."""
    sns, sqs = cloud.client("sns"), cloud.client("sqs")
    arn = topic(sns)
    queues = {}
    for name, attributes in {"raw": {"RawMessageDelivery": "true"}, "envelope": {},
                             "filtered": {"RawMessageDelivery": "true",
                                          "FilterPolicy": json.dumps({"kind": ["contact"]})}}.items():
        url = sqs.create_queue(QueueName=f"q-{name}-{uuid.uuid4().hex[:6]}")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sub = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, Attributes=attributes)
        assert sub["SubscriptionArn"].startswith(arn + ":")
        queues[name] = url
    for kind in ("spam", "contact"):
        sns.publish(TopicArn=arn, Message=f"a {kind} message",
                    MessageAttributes={"kind": {"DataType": "String", "StringValue": kind}})

    def bodies(name: str) -> list[str]:
        got = sqs.receive_message(QueueUrl=queues[name], MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        return [m["Body"] for m in got.get("Messages", [])]

    assert sorted(bodies("raw")) == ["a contact message", "a spam message"]
    envelopes = [json.loads(b) for b in bodies("envelope")]
    assert sorted(e["Message"] for e in envelopes) == ["a contact message", "a spam message"]
    assert all(e["Type"] == "Notification" and e["TopicArn"] == arn for e in envelopes)
    assert bodies("filtered") == ["a contact message"]


# -- persistence -----------------------------------------------------------------------------------------------
def test_links_tokens_and_signing_key_survive_a_restart(fresh_cloud, endpoint):
    """DESIGN.md: state survives a restart. A confirmation mailed (or POSTed) before make down && make up still
    confirms after it, and the SigningCertURL of earlier messages still serves the same certificate."""
    sns, to = fresh_cloud.client("sns"), "owner@example.com"
    arn = topic(sns)
    sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=to)
    http_arn = sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=endpoint.url,
                             ReturnSubscriptionArn=True)["SubscriptionArn"]
    (confirmation,) = wait_mails(fresh_cloud, to, 1)
    http_confirmation = confirmation_of(endpoint)
    cert_before = requests.get(http_confirmation["SigningCertURL"], timeout=5).content

    fresh_cloud.restart()
    sns = fresh_cloud.client("sns")
    assert sns.get_subscription_attributes(SubscriptionArn=http_arn)["Attributes"]["PendingConfirmation"] == "true"
    assert requests.get(http_confirmation["SigningCertURL"], timeout=5).content == cert_before
    assert "Subscription confirmed!" in requests.get(link(confirmation["text"], "confirm"), timeout=5).text
    assert requests.get(http_confirmation["SubscribeURL"], timeout=5).status_code == 200

    sns.publish(TopicArn=arn, Message="after the restart")
    assert wait_mails(fresh_cloud, to, 2)[1]["text"].startswith("after the restart")
    note = json.loads(endpoint.next()[1])
    assert note["Message"] == "after the restart"
    assert_signed(note, cert_before)


def test_undelivered_jobs_are_saved_as_plain_data():
    """What the snapshot keeps of a queued delivery comes back as the same job (notify.py saves dicts, so a
    snapshot stays readable when the classes change)."""
    sub = sns_models.SnsSubscription("arn:aws:sns:us-east-1:123456789012:t:1", "arn:aws:sns:us-east-1:123456789012:t",
                                 "http", "http://127.0.0.1:9/", "123456789012", False, False, "", "1")
    message = sns_models.SnsMessage(sub, "id-1", "hello", None, {"k": {"Type": "String", "Value": "v"}},
                                "2026-01-01T00:00:00.000Z")
    job = Job("Notification", sub, message, attempt=2)
    assert saved_job(asdict(job)) == job
    confirmation = Job("SubscriptionConfirmation", sub, token="abc")
    assert saved_job(asdict(confirmation)) == confirmation
