"""Mail to the local mailbox: what a service that sends e-mail (Cognito's codes, SNS's email protocol) calls.

    send_mail(port, to, subject, text, …)   one message over SMTP to the mailbox's port (cloud.ports["smtp"])
    SENDER_DOMAIN                           the domain the cloud's own messages come from
    ACCOUNT_HEADER                          the header naming the account whose resource sent a message

One local cloud serves a class, and two learners may well mail the same address (each their own owner@…): the
account header lets the mailbox, and a learner's notebook, tell their mail apart.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from ...config import HOST

SENDER_DOMAIN = "labcloud.localhost"
ACCOUNT_HEADER = "X-Lab-Account"


def send_mail(port: int, to: str | list[str], subject: str, text: str, sender: str = f"no-reply@{SENDER_DOMAIN}",
              headers: dict[str, str] | None = None, account: str | None = None) -> None:
    """Deliver one mail to the local mailbox over SMTP (what the cloud's Cognito and SNS call); ``account``: the
    account of the pool or topic that sends it."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join([to] if isinstance(to, str) else to)
    message["Subject"] = subject
    if account:
        message[ACCOUNT_HEADER] = account
    for key, value in (headers or {}).items():
        message[key] = value
    message.set_content(text)
    with smtplib.SMTP(HOST, port, timeout=10) as smtp:
        smtp.send_message(message)
