"""SNS as moto holds it, and its delivery taken over. moto delivers SNS messages inline in Subscription.publish:
a requests.post with no timeout for http/https, nothing for e-mail, its own Lambda call. The kit's delivery worker
(component.py) takes those protocols over; moto keeps the subscription's filter policy (its FilterPolicyMatcher),
MessageStructure, and SQS delivery (raw and envelope).

    SnsSubscription, SnsMessage              plain copies of what a delivery needs (no moto object leaves this module)
    sns_set_sink(sink)                       publishes to SNS_KIT_PROTOCOLS go to sink(SnsMessage); None: moto's own
    sns_set_sms_sink(sink)                   a Publish to a PhoneNumber also goes to sink(account, region, number,
                                             message, message id); moto keeps its record of it
    sns_subscribe(account, region, …)        Subscribe through moto's backend, the new subscription pending if asked
    sns_subscription(arn)                    a subscription, or None
    sns_find(topic_arn, protocol, endpoint)  the subscription of that endpoint, or None
    sns_topic_exists(topic_arn)              whether the topic exists
    sns_confirm(arn, authenticated)          PendingConfirmation false
    sns_unsubscribe(arn)                     remove; returns what was removed, or None
    sns_list(account, region, topic_arn, next_token)  a page of subscriptions (moto's paging)

Errors come out as AwsError (NotFound, InvalidParameter…) with moto's message.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Callable
from typing import Any

from ..core.errors import AwsError
from ..moto import LOCK
from ..moto.importhook import when_imported
from ..moto.protocols import service_model

SNS_KIT_PROTOCOLS = frozenset({"http", "https", "email", "email-json", "lambda", "sms"})
SmsSink = Callable[[str, str, str, str, str], None]


@dataclasses.dataclass(frozen=True)
class SnsSubscription:
    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    owner: str
    pending: bool
    raw: bool  # RawMessageDelivery
    display_name: str  # the topic's DisplayName (e-mail sender name)
    signature_version: str  # the topic's SignatureVersion: "1" (SHA1withRSA, AWS's default) or "2" (SHA256withRSA)


@dataclasses.dataclass(frozen=True)
class SnsMessage:
    subscription: SnsSubscription
    message_id: str
    message: str  # after MessageStructure=json picked this protocol's entry
    subject: str | None
    attributes: dict[str, Any]  # {"name": {"Type": "String", "Value": "…"}}, as SNS forwards them
    timestamp: str  # ISO 8601 with milliseconds, the publish time


_sns_sink: Callable[[SnsMessage], None] | None = None
_sms_sink: SmsSink | None = None


@contextlib.contextmanager
def _sns_errors() -> Any:
    from moto.core.exceptions import ServiceException

    try:
        yield
    except ServiceException as exc:
        statuses = {s.metadata["error"]["code"]: s.metadata["error"].get("httpStatusCode", 400)
                    for s in service_model("sns").error_shapes if "error" in s.metadata}
        raise AwsError(exc.code, exc.message, statuses.get(exc.code, 400)) from None


def _sns_data(sub: Any) -> SnsSubscription:
    return SnsSubscription(
        arn=sub.arn, topic_arn=sub.topic.arn, protocol=sub.protocol, endpoint=sub.endpoint,
        owner=str(sub.attributes.get("Owner", sub.owner)),
        pending=bool(sub.attributes.get("PendingConfirmation")),
        raw=str(sub.attributes.get("RawMessageDelivery", "")).lower() == "true",
        display_name=str(getattr(sub.topic, "display_name", "") or ""),
        signature_version=str(getattr(sub.topic, "signature_version", "1") or "1"),
    )


def _sns_backend_of(arn: str) -> Any:
    from moto.sns.models import sns_backends

    parts = arn.split(":")
    if len(parts) < 6 or parts[2] != "sns":
        return None
    try:
        return sns_backends[parts[4]][parts[3]]
    except KeyError:  # a region moto does not know
        return None


def _sns_publish(original: Callable) -> Callable:
    @functools.wraps(original)
    def publish(self: Any, message: str, message_id: str, subject: str | None = None,
                message_attributes: dict[str, Any] | None = None, group_id: str | None = None,
                deduplication_id: str | None = None, message_structure: str | None = None) -> None:
        sink = _sns_sink
        if sink is None or self.protocol not in SNS_KIT_PROTOCOLS:
            return original(self, message, message_id, subject=subject, message_attributes=message_attributes,
                            group_id=group_id, deduplication_id=deduplication_id,
                            message_structure=message_structure)
        # The same two steps moto's publish takes first, for every protocol.
        if self._filter_policy_matcher is not None and not self._filter_policy_matcher.matches(
                message_attributes, message):
            return None
        if message_structure == "json":
            message = self._parse_message_structure(message, self.protocol)
        from moto.core.utils import iso_8601_datetime_with_milliseconds

        sink(SnsMessage(_sns_data(self), message_id, message, subject, dict(message_attributes or {}),
                        iso_8601_datetime_with_milliseconds()))
        return None

    publish.__kit_sns__ = True  # type: ignore[attr-defined]
    return publish


def _sns_publish_sms(original: Callable) -> Callable:
    @functools.wraps(original)
    def publish(self: Any, message: str, arn: str | None = None, phone_number: str | None = None,
                **kwargs: Any) -> str:
        message_id = original(self, message, arn, phone_number, **kwargs)
        sink = _sms_sink
        if phone_number and sink is not None:
            sink(self.account_id, self.region_name, phone_number, message, message_id)
        return message_id

    publish.__kit_sns__ = True  # type: ignore[attr-defined]
    return publish


def _patch_sns(models: Any) -> None:
    if not getattr(models.Subscription.publish, "__kit_sns__", False):
        models.Subscription.publish = _sns_publish(models.Subscription.publish)
    if not getattr(models.SNSBackend.publish, "__kit_sns__", False):
        models.SNSBackend.publish = _sns_publish_sms(models.SNSBackend.publish)


def sns_set_sink(sink: Callable[[SnsMessage], None] | None) -> None:
    """Send publishes to SNS_KIT_PROTOCOLS subscriptions to ``sink`` (called with LOCK held: it must only queue);
    None gives them back to moto. Idempotent."""
    global _sns_sink
    with LOCK:
        _sns_sink = sink
    when_imported("moto.sns.models", _patch_sns)


def sns_set_sms_sink(sink: SmsSink | None) -> None:
    """Hand every Publish to a PhoneNumber to ``sink`` too (called with LOCK held: it must only queue)."""
    global _sms_sink
    with LOCK:
        _sms_sink = sink
    when_imported("moto.sns.models", _patch_sns)


def sns_subscribe(account: str, region: str, topic_arn: str, protocol: str, endpoint: str,
                  attributes: dict[str, str], *, pending: bool) -> tuple[SnsSubscription, bool]:
    """Subscribe as moto's API does (an existing subscription of the endpoint is returned; FilterPolicyScope is set
    before FilterPolicy); a new subscription starts PendingConfirmation if ``pending``. Returns (it, created)."""
    from moto.core.utils import ensure_boolean
    from moto.sns.models import sns_backends

    with LOCK, _sns_errors():
        backend = sns_backends[account][region]
        created = backend._find_subscription(topic_arn, endpoint, protocol) is None
        sub = backend.subscribe(topic_arn, endpoint, protocol)
        if created and pending:
            sub.attributes["PendingConfirmation"] = True
            sub.attributes["ConfirmationWasAuthenticated"] = False
        attributes = dict(attributes)
        if "FilterPolicyScope" in attributes:
            backend.set_subscription_attributes(sub.arn, "FilterPolicyScope", attributes.pop("FilterPolicyScope"))
        for name, value in attributes.items():
            if name == "RawMessageDelivery":
                value = ensure_boolean(value)
            backend.set_subscription_attributes(sub.arn, name, value)
        return _sns_data(sub), created


def sns_subscription(arn: str) -> SnsSubscription | None:
    with LOCK:
        backend = _sns_backend_of(arn)
        sub = backend.subscriptions.get(arn) if backend is not None else None
        return _sns_data(sub) if sub is not None else None


def sns_find(topic_arn: str, protocol: str, endpoint: str) -> SnsSubscription | None:
    with LOCK:
        backend = _sns_backend_of(topic_arn)
        sub = backend._find_subscription(topic_arn, endpoint, protocol) if backend is not None else None
        return _sns_data(sub) if sub is not None else None


def sns_topic_exists(topic_arn: str) -> bool:
    with LOCK:
        backend = _sns_backend_of(topic_arn)
        return backend is not None and topic_arn in backend.topics


def sns_topic_policy(topic_arn: str) -> str | None:
    """A topic's access policy (JSON), or None for a topic that does not exist."""
    with LOCK:
        backend = _sns_backend_of(topic_arn)
        topic = backend.topics.get(topic_arn) if backend is not None else None
        return topic.policy if topic is not None else None


def sns_confirm(arn: str, *, authenticated: bool) -> SnsSubscription | None:
    """Confirm a subscription (a no-op when it is confirmed already); None if it does not exist."""
    with LOCK:
        backend = _sns_backend_of(arn)
        sub = backend.subscriptions.get(arn) if backend is not None else None
        if sub is None:
            return None
        if sub.attributes.get("PendingConfirmation"):
            sub.attributes["PendingConfirmation"] = False
            sub.attributes["ConfirmationWasAuthenticated"] = authenticated
        sub.confirmed = True
        return _sns_data(sub)


def sns_unsubscribe(arn: str) -> SnsSubscription | None:
    with LOCK:
        backend = _sns_backend_of(arn)
        sub = backend.subscriptions.pop(arn, None) if backend is not None else None
        return _sns_data(sub) if sub is not None else None


def sns_list(account: str, region: str, topic_arn: str | None = None,
             next_token: str | None = None) -> tuple[list[SnsSubscription], str | None]:
    """A page of subscriptions (all, or a topic's), with moto's paging: 100 a page, NextToken an offset."""
    from moto.sns.models import sns_backends

    with LOCK, _sns_errors():
        backend = sns_backends[account][region]
        if topic_arn is None:
            subs, token = backend.list_subscriptions(next_token=next_token)
        else:
            subs, token = backend.list_subscriptions_by_topic(topic_arn, next_token=next_token)
        return [_sns_data(s) for s in subs], (str(token) if token is not None else None)


def sns_publish(topic_arn: str, message: str, subject: str | None = None) -> str | None:
    """Publish to a topic as a service of AWS's own does (a CloudWatch alarm's action): the message id, or None
    when the topic does not exist (AWS drops such an action; the alarm's history says so)."""
    with LOCK:
        backend = _sns_backend_of(topic_arn)
        if backend is None or topic_arn not in backend.topics:
            return None
        return backend.publish(message, arn=topic_arn, subject=subject)
