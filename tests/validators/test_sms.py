"""The optional SMS layer (notebook 14): green on the owner's phone as the notebook leaves it; the right hint for a
number not in the sandbox, one added and not verified, a topic without the owner's sms subscription or with another
number's, and no topic at all. A plain make check never runs it.

AWS facts: SNS developer guide, "Using the Amazon SNS SMS sandbox" ("you can only send SMS messages to verified
destination phone numbers"; CreateSMSSandboxPhoneNumber texts a one-time password, VerifySMSSandboxPhoneNumber takes
it); an sms subscription needs no confirmation.
"""

from __future__ import annotations

import dataclasses
import secrets
import time

import pytest

import validators
from labkit import names, phone
from validators.base import BLOCKED, FAIL, PASS

from .deployments import deploy_api, deploy_app, new_cfg


def with_phone(cfg):
    """The learner with a phone number of their own: the sandbox is the account's, shared by the tests."""
    return dataclasses.replace(cfg, owner_phone="+1555" + "".join(secrets.choice("0123456789") for _ in range(7)))


def add_to_sandbox(cloud, cfg, *, verify: bool = True) -> None:
    sns, since = cloud.client("sns"), time.time()
    sns.create_sms_sandbox_phone_number(PhoneNumber=cfg.owner_phone, LanguageCode="en-US")
    if verify:
        code = phone.code_for(cfg.owner_phone, since=since, cfg=cfg)
        sns.verify_sms_sandbox_phone_number(PhoneNumber=cfg.owner_phone, OneTimePassword=code)


def topic(cfg) -> str:
    return f"arn:aws:sns:{cfg.region}:123456789012:{names(cfg).topic}"


def subscribe(cloud, cfg, number: str | None = None) -> None:
    cloud.client("sns").subscribe(TopicArn=topic(cfg), Protocol="sms", Endpoint=number or cfg.owner_phone)


def results(cfg):
    return {r.check: r for r in validators.run(["sms"], cfg).results}


@pytest.fixture(scope="module")
def deployed(cloud):
    cfg = deploy_app(cloud)
    deploy_api(cloud, cfg)
    return cfg


@pytest.fixture
def learner(cloud, deployed):
    """The deployment with a phone number of its own; the topic's sms subscriptions are removed afterwards."""
    yield with_phone(deployed)
    sns = cloud.client("sns")
    for subscription in sns.list_subscriptions_by_topic(TopicArn=topic(deployed))["Subscriptions"]:
        if subscription["Protocol"] == "sms":
            sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])


def test_the_owners_phone_as_notebook_14_leaves_it_passes(cloud, learner):
    cfg = learner
    add_to_sandbox(cloud, cfg)
    subscribe(cloud, cfg)
    found = results(cfg)
    assert {c: r.status for c, r in found.items()} == {"sms.sandbox": PASS, "sms.subscription": PASS,
                                                         "sms.delivery": PASS}, found
    texts = phone.texts(cfg.owner_phone, cfg=cfg)
    assert any("validator text" in t["text"] and t["delivered"] for t in texts)  # the check's own text
    assert "characters" in found["sms.delivery"].observed


def test_a_number_not_in_the_sandbox_is_told_to_add_it_and_its_texts_go_nowhere(cloud, learner):
    cfg = learner
    subscribe(cloud, cfg)
    found = results(cfg)
    assert found["sms.sandbox"].status == FAIL and "create_sms_sandbox_phone_number" in found["sms.sandbox"].hint
    assert found["sms.subscription"].status == PASS  # an sms subscription needs no confirmation
    delivery = found["sms.delivery"]  # the text was sent, and kept as not delivered, with the sandbox's reason
    assert delivery.status == FAIL and "SMS sandbox" in delivery.observed and "verify" in delivery.hint, delivery


def test_a_number_added_and_not_verified_is_told_to_verify_it(cloud, learner):
    cfg = learner
    add_to_sandbox(cloud, cfg, verify=False)
    found = results(cfg)["sms.sandbox"]
    assert found.status == FAIL and found.observed == "Pending" and "verify_sms_sandbox_phone_number" in found.hint


def test_a_topic_without_the_owners_phone_blocks_the_delivery(cloud, learner):
    cfg = learner
    add_to_sandbox(cloud, cfg)
    found = results(cfg)
    assert found["sms.subscription"].status == FAIL and "Protocol='sms'" in found["sms.subscription"].hint
    assert found["sms.delivery"].status == BLOCKED and found["sms.delivery"].blocked_by == "sms.subscription"


def test_another_number_on_the_topic_is_named(cloud, learner):
    cfg = learner
    add_to_sandbox(cloud, cfg)
    other = with_phone(cfg).owner_phone
    subscribe(cloud, cfg, other)
    found = results(cfg)["sms.subscription"]
    assert found.status == FAIL and other in found.observed and "not another one" in found.hint


def test_without_a_topic_the_subscription_says_notebook_08_comes_first(cloud):
    cfg = with_phone(new_cfg(cloud))
    found = results(cfg)["sms.subscription"]
    assert found.status == FAIL and "notebook 08" in found.hint, found
