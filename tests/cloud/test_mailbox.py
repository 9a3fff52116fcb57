"""The mailbox: mail sent over SMTP to the local cloud appears in /_lab/mail (HTML) and its JSON API, survives a
restart, and a taken SMTP port is reported like every other port."""

from __future__ import annotations

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
