"""The name of every resource the workshop creates, in one place: notebooks create them, validators find them.

Names start with LAB_PREFIX; the S3 bucket also carries the account and region, because bucket names are global
across all of AWS (research/moto-5.2.5.md §11: the namespace is shared on the local cloud too).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import config as _config
from .config import Config
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


def names(cfg: Config | None = None) -> Names:
    cfg = cfg or _config.load()
    return Names(prefix=cfg.prefix, account=caller_account(cfg), region=cfg.region, domain=cfg.domain)
