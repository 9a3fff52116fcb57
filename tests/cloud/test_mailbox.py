"""The mailbox: mail sent over SMTP to the local cloud appears in /_lab/mail (HTML) and its JSON API, survives a
restart, and a taken SMTP port is reported like every other port."""

from __future__ import annotations

import smtplib
import socket

import pytest
import requests

from labkit.cloud.mailbox import send_mail
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


def test_taken_smtp_port_is_named(tmp_path):
    env = cloud_env(tmp_path)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", int(env["LAB_SMTP_PORT"])))
        squatter.listen()
        with pytest.raises(LabError, match=r"\(smtp\) is already in use.*LAB_SMTP_PORT"):
            Cloud(env).up()
