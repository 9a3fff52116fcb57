"""The name of every resource the workshop creates, in one place: notebooks create them, validators find them.

    names(cfg)                 the Names of this learner's resources
    first(found, missing)      the first resource found, or a one-line LabError naming the notebook that makes it

Names start with LAB_PREFIX; the S3 bucket also carries the account and region, because bucket names are global
across all of AWS (research/moto-5.2.5.md §11: the namespace is shared on the local cloud too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from . import config as _config
from .config import Config
from .errors import LabError
from .target import caller_account


@dataclass(frozen=True)
class Names:
    prefix: str
    account: str
    region: str
    domain: str

    @property
    def site_bucket(self) -> str:
        return f"{self.prefix}-site-{self.account}-{self.region}"

    @property
    def table(self) -> str:
        return f"{self.prefix}-messages"

    @property
    def topic(self) -> str:
        return f"{self.prefix}-contact-messages"

    @property
    def user_pool(self) -> str:
        return f"{self.prefix}-visitors"

    @property
    def app_client(self) -> str:
        return f"{self.prefix}-site"

    @property
    def function(self) -> str:
        return f"{self.prefix}-contact-api"

    @property
    def function_role(self) -> str:
        return f"{self.prefix}-contact-api-role"

    @property
    def api(self) -> str:
        return f"{self.prefix}-contact-api"

    stage: str = "prod"

    @property
    def web_acl(self) -> str:
        return f"{self.prefix}-site-acl"

    @property
    def cache_policy(self) -> str:
        return f"{self.prefix}-site-cache"

    @property
    def origin_access_control(self) -> str:
        return f"{self.prefix}-site-oac"

    @property
    def distribution_comment(self) -> str:
        return f"{self.prefix} contact site"

    @property
    def budget(self) -> str:
        """The monthly cost alarm notebook 00 sets (AWS Budgets names are unique per account, not per region)."""
        return f"{self.prefix}-cost-guard"

    @property
    def alarm(self) -> str:
        """The CloudWatch alarm on the API's 4XX errors (optional notebook 13)."""
        return f"{self.prefix}-api-4xx"


def names(cfg: Config | None = None) -> Names:
    cfg = cfg or _config.load()
    return Names(prefix=cfg.prefix, account=caller_account(cfg), region=cfg.region, domain=cfg.domain)


T = TypeVar("T")


def first(found: Iterable[T], missing: str) -> T:
    """The first of ``found`` (what an earlier notebook made); when there is none, a LabError saying ``missing``:
    a learner who skipped a notebook reads what to run, not a StopIteration traceback."""
    for item in found:
        return item
    raise LabError(missing)
