"""SNS subscriptions as AWS confirms them; moto makes every subscription active at once (research/moto-5.2.5.md §10).

    SnsSubscriptions    Subscribe, ConfirmSubscription, Unsubscribe, ListSubscriptions(ByTopic); the state and the
                        deliveries belong to the notify component (component.py), which mounts this provider

e-mail, email-json, http and https subscriptions start PendingConfirmation: Subscribe answers "pending
confirmation" (the ARN only with ReturnSubscriptionArn=true), the lists show "PendingConfirmation" in place of the
ARN, and ConfirmSubscription checks the token that was sent. Every other SNS operation is moto's; moto's
GetSubscriptionAttributes shows PendingConfirmation from the subscription's attributes, which notify keeps.
"""

from __future__ import annotations

import re
from typing import Any

from ..core.errors import AwsError
from ..core.providers import Context, Provider
from . import models

PENDING_ARN = "pending confirmation"  # what Subscribe returns (API Reference, Subscribe: SubscriptionArn)
PENDING_IN_LISTS = "PendingConfirmation"  # what ListSubscriptions shows
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class SnsSubscriptions(Provider):
    service = "sns"
    name = "sns-subscriptions"

    def __init__(self, notify: Any) -> None:
        super().__init__(notify.cloud)
        self.notify = notify

    def subscribe(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        protocol, endpoint = params.get("Protocol", ""), params.get("Endpoint", "")
        _check_endpoint(protocol, endpoint)
        sub = self.notify.subscribe(ctx.account, ctx.region, params.get("TopicArn", ""), protocol, endpoint,
                                    params.get("Attributes") or {})
        if sub.pending and not _true(params.get("ReturnSubscriptionArn")):
            return {"SubscriptionArn": PENDING_ARN}
        return {"SubscriptionArn": sub.arn}

    def confirm_subscription(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        # A signed API call is an authenticated confirmation (ConfirmationWasAuthenticated true); a link is not.
        sub = self.notify.confirm(params.get("TopicArn", ""), params.get("Token", ""), authenticated=True)
        return {"SubscriptionArn": sub.arn}

    def unsubscribe(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        self.notify.unsubscribe(params.get("SubscriptionArn", ""))
        return {}

    def list_subscriptions(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return _page(*models.sns_list(ctx.account, ctx.region, None, params.get("NextToken")))

    def list_subscriptions_by_topic(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return _page(*models.sns_list(ctx.account, ctx.region, params.get("TopicArn", ""), params.get("NextToken")))


def _page(subs: list[models.SnsSubscription], next_token: str | None) -> dict[str, Any]:
    page: dict[str, Any] = {"Subscriptions": [
        {"SubscriptionArn": PENDING_IN_LISTS if s.pending else s.arn, "Owner": s.owner, "Protocol": s.protocol,
         "Endpoint": s.endpoint, "TopicArn": s.topic_arn} for s in subs]}
    if next_token:
        page["NextToken"] = next_token
    return page


def _check_endpoint(protocol: str, endpoint: str) -> None:
    """The endpoint must fit the protocol (API Reference, Subscribe: Endpoint)."""
    if protocol in ("email", "email-json") and not _EMAIL.match(endpoint):
        raise AwsError("InvalidParameter", "Invalid parameter: Email address", 400)
    if protocol in ("http", "https") and not endpoint.lower().startswith(f"{protocol}://"):
        raise AwsError("InvalidParameter", "Invalid parameter: Endpoint must match the specified protocol", 400)


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
