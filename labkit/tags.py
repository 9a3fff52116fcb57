"""The tags the kit stamps on everything it creates, so cleanup (notebook 12) can find it on a real account."""

from __future__ import annotations

from typing import Any

from . import config as _config
from .config import Config

WORKSHOP = "serverless-lab-kit"


def tags(cfg: Config | None = None, *, style: str = "list", **extra: str) -> Any:
    """``lab:workshop`` and ``lab:owner`` (plus ``extra``) in the shape the API at hand takes.

    style="list"  [{"Key": k, "Value": v}, …]   S3, ACM, DynamoDB, SNS, WAF, CloudFront (inside {"Items": …})
    style="dict"  {k: v, …}                     Lambda, API Gateway, Cognito (UserPoolTags), SQS
    """
    cfg = cfg or _config.load()
    pairs = {"lab:workshop": WORKSHOP, "lab:owner": cfg.owner, **extra}
    if style == "dict":
        return pairs
    if style == "list":
        return [{"Key": k, "Value": v} for k, v in pairs.items()]
    raise ValueError(f"style={style!r}: use 'list' or 'dict'")
