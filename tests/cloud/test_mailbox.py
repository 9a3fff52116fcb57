"""The mailbox: mail sent over SMTP to the local cloud appears in /_lab/mail (HTML) and its JSON API, survives a
restart, and a taken SMTP port is reported like every other port."""

from __future__ import annotations

import os
import smtplib
import socket
import time
import uuid

import pytest
import requests

from labkit.cloud.core.mail import send_mail
from labkit.errors import LabError

from ..conftest import Cloud, cloud_env


def messages(cloud, **params):
    return requests.get(f"{cloud.cfg.gateway_url}/_lab/mail/api/messages", params=params, timeout=5).json()["messages"]


def test_mail_over_smtp_is_listed_and_viewable(fresh_cloud):
    port = int(fresh_cloud.env["LAB_SMTP_PORT"])
    send_mail(port, "owner@example.com", "New message from Ada", "Hello!\nConfirm: https://example.localhost/c?x=1")
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:  # a client other than ours
        smtp.sendmail("a@example.com", ["other@example.com"], b"Subject: plain\r\n\r\nraw body\r\n")
    (mail,) = messages(fresh_cloud, to="owner@example.com")
    assert mail["subject"] == "New message from Ada" and "Hello!" in mail["text"]
    assert [m["subject"] for m in messages(fresh_cloud)] == ["plain", "New message from Ada"]  # newest first
    listing = requests.get(f"{fresh_cloud.cfg.gateway_url}/_lab/mail", timeout=5)
    assert listing.headers["Content-Type"].startswith("text/html") and "New message from Ada" in listing.text
    page = requests.get(f"{fresh_cloud.cfg.gateway_url}/_lab/mail/{mail['id']}", timeout=5).text
    assert "<a href='https://example.localhost/c?x=1'>" in page  # links in mails are clickable (confirmation links)


def test_mail_survives_a_restart_and_can_be_cleared(fresh_cloud):
    send_mail(int(fresh_cloud.env["LAB_SMTP_PORT"]), "keep@example.com", "kept", "body")
    fresh_cloud.restart()
    assert [m["subject"] for m in messages(fresh_cloud)] == ["kept"]
    deleted = requests.delete(f"{fresh_cloud.cfg.gateway_url}/_lab/mail/api/messages", timeout=5).json()
    assert deleted == {"deleted": 1} and messages(fresh_cloud) == []


def test_since_that_is_not_a_number_is_a_400_naming_the_parameter(cloud):
    """Like the AWS APIs the kit emulates (aws-facts, API Gateway: errors are JSON {"message": …}), a bad query
    parameter is the caller's error: 400 saying what is wrong, not a 500."""
    url = f"{cloud.cfg.gateway_url}/_lab/mail/api/messages"
    for bad in ("abc", "nan", "inf"):
        answer = requests.get(url, params={"since": bad}, timeout=5)
        assert answer.status_code == 400, (bad, answer.text)
        assert "since must be a number" in answer.json()["message"] and repr(bad) in answer.json()["message"]
    assert requests.get(url, params={"since": time.time() + 3600}, timeout=5).json() == {"messages": []}


def test_mail_in_an_unknown_charset_is_kept(cloud):
    """A charset Python has no codec for must not make the SMTP handler refuse the mail (it would be lost, a
    confirmation code with it): it is stored, decoded as UTF-8 with replacement characters."""
    to = f"{uuid.uuid4().hex[:8]}@example.com"
    raw = (b"Subject: odd charset\r\nContent-Type: text/plain; charset=x-unknown\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\nYour code is 123456. caf\xe9\r\n")
    with smtplib.SMTP("127.0.0.1", int(cloud.env["LAB_SMTP_PORT"]), timeout=5) as smtp:
        assert smtp.sendmail("a@example.com", [to], raw) == {}  # accepted (a refusal raises SMTPDataError)
    (mail,) = messages(cloud, to=to)
    assert mail["subject"] == "odd charset"
    assert mail["text"].startswith("Your code is 123456. caf\ufffd")


def test_taken_smtp_port_is_named(tmp_path):
    env = cloud_env(tmp_path)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", int(env["LAB_SMTP_PORT"])))
        squatter.listen()
        with pytest.raises(LabError, match=r"\(smtp\) is already in use.*LAB_SMTP_PORT"):
            Cloud(env).up()


def _learner(cloud, name):
    from labkit import config

    return config.load({**os.environ, **cloud.env, "LAB_LEARNER": name})


def test_each_account_reads_its_own_mail_even_at_the_same_address(cloud):
    """One cloud serving a class: two learners sign up the same address in their own user pools, and each
    learner's notebook (labkit.mailbox) reads only the code its own pool sent, which confirms the sign-up there.
    SNS mail carries its topic's account too; mail that names no account (straight to the SMTP port) is
    everyone's, and clearing one account's mail keeps the others'."""
    from labkit import mailbox, target

    address = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    since = mailbox.now()
    learners = {name: _learner(cloud, name) for name in ("ada", "grace")}
    pools = {}
    for name, cfg in learners.items():
        idp = target.client("cognito-idp", cfg)
        pool_id = idp.create_user_pool(PoolName=f"p-{name}", UsernameAttributes=["email"],
                                       AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName="web",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
        idp.sign_up(ClientId=client_id, Username=address, Password="Corr3ct-horse!")
        pools[name] = (idp, pool_id, client_id)
    ada, grace = learners["ada"], learners["grace"]
    assert ada.account != grace.account
    (ada_mail,) = mailbox.messages(to=address, since=since, cfg=ada)
    (grace_mail,) = mailbox.messages(to=address, since=since, cfg=grace)
    assert ada_mail["account"] == ada.account and grace_mail["account"] == grace.account
    for name, cfg in learners.items():
        idp, pool_id, client_id = pools[name]
        code = mailbox.code_for(address, since=since, cfg=cfg)
        idp.confirm_sign_up(ClientId=client_id, Username=address, ConfirmationCode=code)
        assert idp.admin_get_user(UserPoolId=pool_id, Username=address)["UserStatus"] == "CONFIRMED"

    sns = target.client("sns", ada)
    topic = sns.create_topic(Name="contact-owner")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=address)
    confirmation = mailbox.wait_for(address, since=since, subject="Subscription Confirmation", cfg=ada,
                                    progress=False)
    assert confirmation["account"] == ada.account
    assert not [m for m in mailbox.messages(to=address, since=since, cfg=grace) if m["id"] == confirmation["id"]]

    send_mail(int(cloud.env["LAB_SMTP_PORT"]), address, "from a script", "no account named")
    for cfg in (ada, grace):
        assert "from a script" in [m["subject"] for m in mailbox.messages(to=address, since=since, cfg=cfg)]
    page = requests.get(mailbox.url(grace), timeout=5).text
    assert f"Account {grace.account}'s mail" in page and f"<option value='{ada.account}'" in page

    url = f"{cloud.cfg.gateway_url}/_lab/mail/api/messages"
    assert requests.delete(url, params={"account": ada.account}, timeout=5).json() == {"deleted": 2}
    left = {m["subject"] for m in messages(cloud, to=address)}
    assert "from a script" in left and len(mailbox.messages(to=address, since=since, cfg=grace)) == 2
    assert not [m for m in mailbox.messages(to=address, since=since, cfg=ada) if m["account"]]


def test_an_account_that_is_not_twelve_digits_is_a_400(cloud):
    answer = requests.get(f"{cloud.cfg.gateway_url}/_lab/mail/api/messages", params={"account": "ada"}, timeout=5)
    assert answer.status_code == 400 and "12-digit account id" in answer.json()["message"]
