"""What the CloudFront data plane keeps itself (moto keeps the distribution's id, ARN, DomainName and tags).

    Version          one configuration of a distribution and the time it is (or was) deployed
    Distribution     a distribution: the latest config as the API shows it, its ETag, the versions being served
    Invalidation     an invalidation batch, InProgress until its completion time
    CachePolicy      a custom cache policy
    Store            all of them, by id; saved in the component's snapshot
    new_etag(), new_id(prefix)   identifiers shaped as CloudFront's

Records are immutable and the store's dicts are replaced, never changed in place (copy on write, under
LOCK): the edge reads them on every request without a lock, and snapshot() (called with LOCK held)
sees a consistent state.

Status is a function of time: a Version becomes live at ``live_at`` (creation + the deploy delay), an Invalidation
completes at ``done_at``. Nothing needs to run at those moments except telling the edge that its answers changed
(component.py does, with one timer thread).
"""

from __future__ import annotations

import dataclasses
import secrets
import string
from typing import Any

from ..moto import LOCK

_ID_CHARS = string.ascii_uppercase + string.digits


def new_id(prefix: str, length: int = 14) -> str:
    """``E2QWRUHAPOMQZL`` (ETags), ``I2J0I21PCUYOIK`` (invalidations): a letter and upper-case alphanumerics."""
    return prefix + "".join(secrets.choice(_ID_CHARS) for _ in range(length - len(prefix)))


def new_etag() -> str:
    return new_id("E")


@dataclasses.dataclass(frozen=True)
class Version:
    config: dict[str, Any]  # DistributionConfig with AWS's defaults filled in; never changed after creation
    live_at: float  # epoch seconds: from then on the edge serves this version


@dataclasses.dataclass(frozen=True)
class Distribution:
    account: str
    id: str
    arn: str
    domain_name: str
    etag: str
    config: dict[str, Any]  # the latest config (Get/GetConfig/List show it)
    last_modified: float
    versions: tuple[Version, ...]  # oldest first: the version being served, then at most one being deployed

    def status(self, now: float) -> str:
        return "InProgress" if any(v.live_at > now for v in self.versions) else "Deployed"

    def live(self, now: float) -> Version | None:
        """The version the edge serves now: the newest one already deployed (None before the first deploy)."""
        served = None
        for version in self.versions:
            if version.live_at <= now:
                served = version
        return served

    def deploy(self, config: dict[str, Any], now: float, delay: float) -> tuple[Version, ...]:
        """Versions after an update: the one served now keeps serving until the new one is deployed."""
        live = self.live(now)
        return ((live,) if live is not None else ()) + (Version(config, now + delay),)


@dataclasses.dataclass(frozen=True)
class Invalidation:
    account: str
    distribution_id: str
    id: str
    paths: tuple[str, ...]
    caller_reference: str
    created: float
    done_at: float

    def status(self, now: float) -> str:
        return "Completed" if now >= self.done_at else "InProgress"


@dataclasses.dataclass(frozen=True)
class CachePolicy:
    id: str
    account: str
    config: dict[str, Any]
    etag: str
    created: float
    last_modified: float


class Store:
    def __init__(self) -> None:
        self.distributions: dict[str, Distribution] = {}
        self.invalidations: dict[str, tuple[Invalidation, ...]] = {}  # distribution id → oldest first
        self.cache_policies: dict[str, CachePolicy] = {}

    # -- writes (copy on write, under LOCK) -------------------------------------------------------------
    def put_distribution(self, dist: Distribution) -> None:
        with LOCK:
            self.distributions = {**self.distributions, dist.id: dist}

    def remove_distribution(self, dist_id: str) -> None:
        with LOCK:
            self.distributions = {k: v for k, v in self.distributions.items() if k != dist_id}
            self.invalidations = {k: v for k, v in self.invalidations.items() if k != dist_id}

    def add_invalidation(self, invalidation: Invalidation) -> None:
        with LOCK:
            batches = self.invalidations.get(invalidation.distribution_id, ()) + (invalidation,)
            self.invalidations = {**self.invalidations, invalidation.distribution_id: batches}

    def put_cache_policy(self, policy: CachePolicy) -> None:
        with LOCK:
            self.cache_policies = {**self.cache_policies, policy.id: policy}

    def remove_cache_policy(self, policy_id: str) -> None:
        with LOCK:
            self.cache_policies = {k: v for k, v in self.cache_policies.items() if k != policy_id}

    # -- reads ---------------------------------------------------------------------------------------------------
    def policy_in_use(self, policy_id: str) -> bool:
        """Whether any version of any distribution (served, deploying or latest) names the cache policy."""
        for dist in self.distributions.values():
            for config in [dist.config, *(v.config for v in dist.versions)]:
                if policy_id in cache_policy_ids(config):
                    return True
        return False

    def versions_live(self, now: float) -> int:
        """How many distribution versions are deployed at ``now``: it changes whenever a deploy completes."""
        return sum(1 for d in self.distributions.values() for v in d.versions if v.live_at <= now)

    def next_due(self, after: float) -> float | None:
        """The earliest deploy or invalidation completion later than ``after``."""
        times = [v.live_at for d in self.distributions.values() for v in d.versions]
        times += [i.done_at for batch in self.invalidations.values() for i in batch]
        later = [t for t in times if t > after]
        return min(later) if later else None

    # -- persistence -----------------------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        # Called with LOCK held: the dicts cannot change meanwhile, and records are never mutated.
        return {
            "distributions": [dataclasses.asdict(d) for d in self.distributions.values()],
            "invalidations": [dataclasses.asdict(i) for batch in self.invalidations.values() for i in batch],
            "cache_policies": [dataclasses.asdict(p) for p in self.cache_policies.values()],
        }

    def restore(self, state: dict[str, Any]) -> None:
        distributions = {}
        for saved in state.get("distributions", []):
            versions = tuple(_load(Version, v) for v in saved["versions"])
            distributions[saved["id"]] = _load(Distribution, {**saved, "versions": versions})
        invalidations: dict[str, tuple[Invalidation, ...]] = {}
        for saved in state.get("invalidations", []):
            item = _load(Invalidation, {**saved, "paths": tuple(saved["paths"])})
            invalidations[item.distribution_id] = invalidations.get(item.distribution_id, ()) + (item,)
        with LOCK:
            self.distributions = distributions
            self.invalidations = invalidations
            self.cache_policies = {p["id"]: _load(CachePolicy, p) for p in state.get("cache_policies", [])}


def _load(cls: Any, saved: dict[str, Any]) -> Any:
    """A record from its saved fields; fields a later version dropped are ignored."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in saved.items() if k in names})


def behaviours(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The cache behaviours in matching order: path patterns first, as listed, then the default."""
    return [*((config.get("CacheBehaviors") or {}).get("Items") or []), config.get("DefaultCacheBehavior") or {}]


def cache_policy_ids(config: dict[str, Any]) -> set[str]:
    return {b["CachePolicyId"] for b in behaviours(config) if b.get("CachePolicyId")}
