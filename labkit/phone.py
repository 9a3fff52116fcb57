"""Reading texts in notebooks and validators: the local cloud's phone outbox (/_lab/sms), as mailbox.py reads mail.

    texts(to=…, since=…)        what SNS texted from your account, newest first (delivered or not)
    wait_for(to, since=…, …)    the first new text to a number, waiting with a progress bar
    code_for(number, since=…)   the one-time password texted to a number (on AWS: typed in by you from your phone)
    url()                       the outbox page, showing your account's texts

On a real AWS account texts go to real phones: these raise LabError saying to look at the phone instead.
"""

from __future__ import annotations

from typing import Any

import requests

from . import config as _config
from .config import Config
from .errors import CloudDown, LabError
from .waiting import NotYet, retry_until

_SESSION = requests.Session()


def _require_local(cfg: Config) -> None:
    if not cfg.local:
        raise LabError("on AWS the texts go to the real phone of that number: look at it there")


def texts(to: str | None = None, since: float = 0.0, cfg: Config | None = None) -> list[dict[str, Any]]:
    cfg = cfg or _config.load()
    _require_local(cfg)
    params: dict[str, Any] = {"since": since, "account": cfg.account}
    if to:
        params["to"] = to
    try:
        answer = _SESSION.get(f"{cfg.gateway_url}/_lab/sms/api/messages", params=params, timeout=5)
    except requests.ConnectionError:
        raise CloudDown() from None
    answer.raise_for_status()
    return answer.json()["messages"]


def wait_for(to: str, *, since: float, text: str = "", deadline: float = 30.0, cfg: Config | None = None,
             progress: bool = True) -> dict[str, Any]:
    """The oldest text to ``to`` sent after ``since`` whose text contains ``text``, delivered or not (its
    "delivered" and "reason" say which)."""
    cfg = cfg or _config.load()

    def arrived() -> dict[str, Any]:
        found = [t for t in texts(to, since, cfg) if text in t["text"]]
        if not found:
            raise NotYet(f"no text to {to} yet")
        return found[-1]

    return retry_until(f"text to {to}", arrived, deadline=deadline, backoff=0.2, max_interval=1.0, progress=progress)


def code_for(number: str, *, since: float, cfg: Config | None = None) -> str:
    cfg = cfg or _config.load()
    if not cfg.local:
        return input(f"The code SNS texted to {number}: ").strip()
    found = wait_for(number, since=since, text="code", cfg=cfg)
    if not found.get("code"):
        raise LabError(f"no code in the text to {number}: {found['text'][:80]!r}")
    return found["code"]


def url(cfg: Config | None = None) -> str:
    cfg = cfg or _config.load()
    _require_local(cfg)
    return f"{cfg.gateway_url}/_lab/sms?account={cfg.account}"
