"""Reading mail in notebooks and validators: the local cloud's mailbox (confirmation codes, SNS notifications).

    messages(to=…, since=…)          what the local mailbox received for your account, newest first
    wait_for(to, …)                  the first new message for an address, waiting with a progress bar
    code_in(message), links_in(…)    the 6-digit code / the links of a message
    url()                            the mailbox page, showing your account's mail

One local cloud may serve a class: each learner reads only the mail their own account's user pools and topics
sent, so two learners using the same address never read each other's codes.

On a real AWS account mail goes to real inboxes: these raise LabError saying to open the inbox instead.
"""

from __future__ import annotations

import re
import time
from typing import Any

import requests
import requests.adapters

from . import config as _config
from .config import Config
from .errors import CloudDown, LabError
from .waiting import NotYet, retry_until


# One session for every read: waiting for a code polls several times a second, and a class's grading waits for
# hundreds of mails at once; a new session per poll would open (and pool) a new connection each time.
_SESSION = requests.Session()
_SESSION.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=32))


def _require_local(cfg: Config) -> None:
    if not cfg.local:
        raise LabError("on AWS the mail goes to the real inbox of that address: open it there")


def messages(to: str | None = None, since: float = 0.0, cfg: Config | None = None) -> list[dict[str, Any]]:
    cfg = cfg or _config.load()
    _require_local(cfg)
    params: dict[str, Any] = {"since": since, "account": cfg.account}
    if to:
        params["to"] = to
    try:
        answer = _SESSION.get(f"{cfg.gateway_url}/_lab/mail/api/messages", params=params, timeout=5)
    except requests.ConnectionError:
        raise CloudDown() from None
    answer.raise_for_status()
    return answer.json()["messages"]


def wait_for(to: str, *, since: float, subject: str = "", deadline: float = 30.0, cfg: Config | None = None,
             progress: bool = True, text: str = "") -> dict[str, Any]:
    """The oldest message to ``to`` received after ``since`` (a time.time()) whose subject contains ``subject`` and
    whose text contains ``text`` (other mail to the same address may arrive meanwhile)."""
    cfg = cfg or _config.load()

    def arrived() -> dict[str, Any]:
        found = [m for m in messages(to, since, cfg) if subject in m["subject"] and text in m["text"]]
        if not found:
            raise NotYet(f"no mail to {to} yet")
        return found[-1]

    return retry_until(f"mail to {to}", arrived, deadline=deadline, backoff=0.2, max_interval=1.0, progress=progress)


def code_in(message: dict[str, Any]) -> str:
    found = re.search(r"\b(\d{6})\b", message["text"])
    if not found:
        raise LabError(f"no 6-digit code in the mail {message['subject']!r}")
    return found.group(1)


def links_in(message: dict[str, Any]) -> list[str]:
    return re.findall(r"https?://[^\s<>\"']+", message["text"])


def url(cfg: Config | None = None) -> str:
    """The mailbox page with your account's mail (on AWS, mail goes to real inboxes: LabError)."""
    cfg = cfg or _config.load()
    _require_local(cfg)
    return f"{cfg.gateway_url}/_lab/mail?account={cfg.account}"


def now() -> float:
    """A timestamp to pass as ``since`` before triggering a mail."""
    return time.time()


def code_for(address: str, *, since: float, cfg: Config | None = None) -> str:
    """The verification code mailed to ``address`` after ``since``: read from the local mailbox, or on AWS typed in
    by you from your real inbox."""
    cfg = cfg or _config.load()
    if not cfg.local:
        return input(f"The code Cognito mailed to {address}: ").strip()
    return code_in(wait_for(address, since=since, subject="", cfg=cfg))
