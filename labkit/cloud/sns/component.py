"""SNS delivery: what moto leaves out (confirmations, e-mail, signed HTTP POSTs), off the request thread.

    NotifyComponent    subscriptions that wait for confirmation (tokens), the delivery worker, the SNS provider
                       (provider.py) and the pages behind the links SNS sends, under /_lab/sns/
    queue.py           DeliveryQueue (jobs by due time, retried after a back-off) and Job (one thing to deliver)

How a publish travels: moto's Publish (under LOCK) evaluates each subscription's filter policy and hands
http/https/email/email-json/lambda messages to ``_on_publish`` (models.sns_set_sink), which only queues them;
SQS stays with moto. A worker signs the document (messages.py) and POSTs it, mails it through the mailbox,
or invokes the Lambda runtime, with a timeout, never holding LOCK.

The links: e-mails carry /_lab/sns/confirm and /_lab/sns/unsubscribe (HTML pages); JSON documents carry
SubscribeURL and UnsubscribeURL as /_lab/sns/?Action=… answered in the API's XML, as AWS's sns.<region> URLs are;
the signing certificate is /_lab/sns/SimpleNotificationService-<hex>.pem.
"""

from __future__ import annotations

import html
import json
import logging
import secrets
import smtplib
import threading
import uuid
from dataclasses import asdict
from email.utils import formataddr
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from werkzeug.wrappers import Request, Response

from ..core.component import Component
from ..core.errors import AwsError
from ..core.mail import SENDER_DOMAIN, send_mail
from ..moto import LOCK, protocols
from . import messages, models
from .queue import DeliveryError, DeliveryQueue, Job, Token, now_iso, saved_job

log = logging.getLogger("labkit.cloud.sns")

CONFIRMED_BY_LINK = frozenset({"email", "email-json", "http", "https"})  # the protocols that start pending
TIMEOUT = 5.0  # seconds per attempt (connect and read)
USER_AGENT = "Amazon Simple Notification Service Agent"


class NotifyComponent(Component):
    name = "notify"

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self._signer: messages.Signer | None = None  # made on first use: an RSA key takes ~0.1 s to generate
        self._signer_lock = threading.Lock()
        self.tokens: dict[str, Token] = {}  # guarded by LOCK, like the subscriptions they confirm
        self.queue = DeliveryQueue(self._attempt)
        from .sandbox import SmsSandbox

        self.sandbox = SmsSandbox(self)  # the SMS sandbox: which numbers a text reaches (sandbox.py)

    # -- component ---------------------------------------------------------------------------------------------
    def providers(self) -> list[Any]:
        from .provider import SnsSubscriptions

        return [SnsSubscriptions(self), self.sandbox]

    def resource_policies(self) -> dict[str, Any]:
        def topic(arn: str) -> tuple[str, str | None] | None:
            policy = models.sns_topic_policy(arn)
            return None if policy is None else (arn.split(":")[4], policy)

        return {"sns": topic}

    def routes(self) -> dict[str, Any]:
        return {"sns": self._page}

    def bind(self) -> None:
        # Before any listener serves: from the first Publish on, moto hands these protocols to us.
        models.sns_set_sink(self._on_publish)
        models.sns_set_sms_sink(self._on_sms)

    def start(self) -> None:
        self.queue.start()

    def stop(self) -> None:
        self.queue.stop()

    def health(self) -> dict[str, Any]:
        # "starting" until the delivery workers run: make up waits for every component to say "ok".
        return {"status": "ok" if self.queue.started else "starting", **self.queue.stats(),
                "tokens": len(self.tokens),
                **({"signing_cert": self.cert_url} if self._signer else {})}

    def snapshot(self) -> Any:
        # Plain dicts and bytes only: a snapshot must stay readable when these classes change.
        return {"tokens": {t: asdict(r) for t, r in self.tokens.items()},
                "signer": (self._signer.key_pem, self._signer.cert_pem) if self._signer else None,
                "jobs": [asdict(job) for job in self.queue.jobs()]}  # undelivered: they go out after the restart

    def restore(self, state: Any) -> None:
        state = state or {}
        self.tokens = {t: Token(**r) for t, r in state.get("tokens", {}).items()}
        if state.get("signer"):
            self._signer = messages.Signer(*state["signer"])
        for saved in state.get("jobs", []):
            try:
                self.queue.submit(saved_job(saved))
            except (TypeError, KeyError) as exc:  # saved by another version of the kit: drop it, keep the rest
                log.warning("dropped an undelivered SNS message from the snapshot: %s", exc)

    @property
    def signer(self) -> messages.Signer:
        """The signing key and certificate, generated on the first signature (on a delivery worker)."""
        with self._signer_lock:
            if self._signer is None:
                self._signer = messages.Signer.generate()
                self.cloud.mark_changed()  # keep the key: SigningCertURLs already sent must stay valid
            return self._signer

    # -- URLs --------------------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"{self.cloud.cfg.gateway_url}/_lab/sns"

    @property
    def cert_url(self) -> str:
        return f"{self.base_url}/{self.signer.cert_name}"

    def _subscribe_url(self, topic_arn: str, token: str) -> str:
        return f"{self.base_url}/?" + urlencode({"Action": "ConfirmSubscription", "TopicArn": topic_arn,
                                                 "Token": token})

    def _unsubscribe_url(self, arn: str) -> str:
        return f"{self.base_url}/?" + urlencode({"Action": "Unsubscribe", "SubscriptionArn": arn})

    # -- subscriptions (the provider's operations) -------------------------------------------------------------
    def subscribe(self, account: str, region: str, topic_arn: str, protocol: str, endpoint: str,
                  attributes: dict[str, str]) -> models.SnsSubscription:
        """Subscribe; e-mail and HTTP/S subscriptions start pending and get a confirmation, sent again on each
        Subscribe while they stay pending."""
        with LOCK:
            sub, _ = models.sns_subscribe(account, region, topic_arn, protocol, endpoint, attributes,
                                          pending=protocol in CONFIRMED_BY_LINK)
            token = self._new_token(sub) if sub.pending else None
        if token:
            self.queue.submit(Job("SubscriptionConfirmation", sub, token=token))
        return sub

    def confirm(self, topic_arn: str, token: str, *, authenticated: bool) -> models.SnsSubscription:
        """Confirm the subscription a token was sent for; AwsError NotFound (no topic) or InvalidParameter."""
        with LOCK:
            if not models.sns_topic_exists(topic_arn):
                raise AwsError("NotFound", "Topic does not exist", 404)
            record = self.tokens.get(token)
            if record is None or record.topic_arn != topic_arn:
                raise AwsError("InvalidParameter", "Invalid token", 400)
            sub = models.sns_subscription(record.subscription_arn) or models.sns_find(
                topic_arn, record.protocol, record.endpoint)
            if sub is None:
                _, _, _, region, account, _ = topic_arn.split(":", 5)
                sub, _ = models.sns_subscribe(account, region, topic_arn, record.protocol, record.endpoint, {},
                                              pending=False)
            record.subscription_arn = sub.arn
            confirmed = models.sns_confirm(sub.arn, authenticated=authenticated)
        self.cloud.mark_changed()
        return confirmed

    def unsubscribe(self, arn: str) -> models.SnsSubscription | None:
        """Remove a subscription; a confirmed HTTP/S endpoint is told with an UnsubscribeConfirmation."""
        with LOCK:
            sub = models.sns_unsubscribe(arn)
            token = self._new_token(sub) if sub and not sub.pending and sub.protocol in ("http", "https") else None
        if token:
            self.queue.submit(Job("UnsubscribeConfirmation", sub, token=token))
        self.cloud.mark_changed()
        return sub

    def _new_token(self, sub: models.SnsSubscription) -> str:
        token = secrets.token_hex(64)  # AWS's tokens are long hex strings too
        self.tokens[token] = Token(sub.topic_arn, sub.protocol, sub.endpoint, sub.arn)
        return token

    def _on_publish(self, msg: models.SnsMessage) -> None:
        """Called by moto's Publish with LOCK held: queue only. Pending subscriptions get nothing."""
        if not msg.subscription.pending:
            self.queue.submit(Job("Notification", msg.subscription, message=msg))

    def _on_sms(self, account: str, region: str, number: str, message: str, message_id: str) -> None:
        """A Publish to a PhoneNumber (with LOCK held: the sandbox and the phone take locks of their own only)."""
        self.sandbox.send(account, region, number, message, "Publish", message_id)

    # -- delivery (worker threads) -----------------------------------------------------------------------------
    def _attempt(self, job: Job) -> None:
        protocol = job.subscription.protocol
        if protocol in ("http", "https"):
            self._post(job)
        elif protocol in ("email", "email-json"):
            self._mail(job)
        elif protocol == "lambda":
            self._invoke(job)
        elif protocol == "sms" and job.message is not None:
            topic = job.subscription.topic_arn
            self.sandbox.send(topic.split(":")[4], topic.split(":")[3], job.subscription.endpoint,
                              job.message.message, topic, job.message.message_id)

    def _document(self, job: Job) -> dict[str, Any]:
        if job.document is None:
            sub = job.subscription
            if job.kind == "Notification":
                doc = messages.notification(job.message, unsubscribe_url=self._unsubscribe_url(sub.arn))
            else:
                doc = messages.confirmation(
                    job.kind, topic_arn=sub.topic_arn, subscription_arn=sub.arn, token=job.token,
                    message_id=str(uuid.uuid4()), timestamp=now_iso(),
                    subscribe_url=self._subscribe_url(sub.topic_arn, job.token))
            job.document = self.signer.sign(doc, sub.signature_version, self.cert_url)
        return job.document

    def _post(self, job: Job) -> None:
        sub, doc = job.subscription, self._document(job)
        headers = {"x-amz-sns-message-type": job.kind, "x-amz-sns-message-id": doc["MessageId"],
                   "x-amz-sns-topic-arn": sub.topic_arn, "Content-Type": "text/plain; charset=UTF-8",
                   "User-Agent": USER_AGENT}
        if job.kind != "SubscriptionConfirmation":
            headers["x-amz-sns-subscription-arn"] = sub.arn
        body = messages.dumps(doc)
        if job.kind == "Notification" and sub.raw:  # RawMessageDelivery: the message alone
            body = job.message.message
            headers["x-amz-sns-rawdelivery"] = "true"
        try:
            response = requests.post(sub.endpoint, data=body.encode("utf-8"), headers=headers, timeout=TIMEOUT,
                                     verify=self._verify(sub.endpoint), allow_redirects=False)
        except requests.RequestException as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}", retry=True) from None
        status = response.status_code
        if not 200 <= status < 300:
            # The delivery policy retries server-side errors; 4xx (but 429) is the endpoint refusing.
            raise DeliveryError(f"HTTP {status}", retry=status == 429 or status >= 500)

    def _verify(self, url: str) -> Any:
        """The kit's own HTTPS names (*.localhost) are served with certificates of the local CA."""
        host = urlsplit(url).hostname or ""
        ca = self.cloud.state_dir / "ca" / "ca.pem"
        return str(ca) if (host == "localhost" or host.endswith(".localhost")) and ca.exists() else True

    def _mail(self, job: Job) -> None:
        sub = job.subscription
        if job.kind == "UnsubscribeConfirmation":
            return  # e-mail endpoints are not told
        mailbox = self._component("mailbox")
        if mailbox is None:
            raise DeliveryError("this local cloud has no mailbox", retry=False)
        if sub.protocol == "email-json":  # the JSON document is the mail's body
            subject = (messages.CONFIRMATION_SUBJECT if job.kind != "Notification"
                       else job.message.subject or messages.DEFAULT_SUBJECT)
            text = messages.dumps(self._document(job))
        elif job.kind == "SubscriptionConfirmation":
            link = f"{self.base_url}/confirm?" + urlencode({"TopicArn": sub.topic_arn, "Token": job.token,
                                                            "Endpoint": sub.endpoint})
            subject, text = messages.confirmation_mail(sub.topic_arn, link)
        else:
            link = f"{self.base_url}/unsubscribe?" + urlencode({"SubscriptionArn": sub.arn,
                                                                "Endpoint": sub.endpoint})
            subject, text = messages.notification_mail(job.message, link)
        sender = formataddr((sub.display_name or "AWS Notifications", f"no-reply@sns.{SENDER_DOMAIN}"))
        try:
            send_mail(mailbox.ports["smtp"], sub.endpoint, subject, text, sender=sender,
                      account=sub.topic_arn.split(":")[4])
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"mailbox: {exc}", retry=True) from None

    def _invoke(self, job: Job) -> None:
        runtime = self._component("lambda")
        if runtime is None:
            raise DeliveryError("this local cloud runs no Lambda runtime", retry=False)
        event = messages.lambda_event(self._document(job), job.subscription.arn)
        try:
            runtime.invoke(job.subscription.endpoint, json.dumps(event).encode(), invocation_type="Event")
        except AwsError as error:  # what Invoke refuses: a missing function is final, throttling is not
            raise DeliveryError(f"{error.code}: {error.message}", retry=error.status >= 500 or error.status == 429)
        except Exception as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}", retry=True) from None

    def _component(self, name: str) -> Any:
        return next((c for c in self.cloud.components if c.name == name), None)

    # -- pages -------------------------------------------------------------------------------------------------
    def _page(self, request: Request) -> Response:
        rest = request.path[len("/_lab/sns"):].strip("/")
        args = request.args
        if rest == "confirm":
            return self._confirm_page(args.get("TopicArn", ""), args.get("Token", ""))
        if rest == "unsubscribe":
            return self._unsubscribe_page(args.get("SubscriptionArn", ""))
        if rest == "" and args.get("Action") in ("ConfirmSubscription", "Unsubscribe"):
            return self._api_link(args)
        # No signer yet means no document names a certificate: nothing to serve.
        if self._signer is not None and rest == self._signer.cert_name:
            return Response(self._signer.cert_pem, mimetype="application/x-pem-file")
        return _html("Not found", "<p>No such page.</p>", 404)

    def _confirm_page(self, topic_arn: str, token: str) -> Response:
        try:
            sub = self.confirm(topic_arn, token, authenticated=False)
        except AwsError as error:
            return _html("Subscription not confirmed", f"<p>{html.escape(error.message)}</p>", error.status)
        return _html("Subscription confirmed!",
                     f"<p>You have successfully subscribed.</p><p>Your subscription's id is:<br>"
                     f"<code>{html.escape(sub.arn)}</code></p>")

    def _unsubscribe_page(self, arn: str) -> Response:
        sub = self.unsubscribe(arn)
        if sub is None:
            return _html("Subscription not found", "<p>There is no such subscription (already removed?).</p>", 404)
        return _html("Subscription removed!",
                     f"<p>Your subscription to the topic below has been deactivated for "
                     f"{html.escape(sub.endpoint)}.</p><p><code>{html.escape(sub.topic_arn)}</code></p>")

    def _api_link(self, args: Any) -> Response:
        """SubscribeURL / UnsubscribeURL: answered like the API call they name, in its XML."""
        operation = protocols.service_model("sns").operation_model(args["Action"])
        try:
            if args["Action"] == "ConfirmSubscription":
                sub = self.confirm(args.get("TopicArn", ""), args.get("Token", ""), authenticated=False)
                result: dict[str, Any] = {"SubscriptionArn": sub.arn}
            else:
                self.unsubscribe(args.get("SubscriptionArn", ""))
                result = {}
            response = protocols.serialize_result(operation, result)
        except AwsError as error:
            response = protocols.serialize_error(operation, error)
        return Response(response["body"], response["status_code"], headers=response["headers"])


def _html(title: str, body: str, status: int = 200) -> Response:
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            "<style>body{font-family:sans-serif;margin:2em}</style></head>"
            f"<body><h1>{html.escape(title)}</h1>{body}</body></html>")
    return Response(page, status, mimetype="text/html")
