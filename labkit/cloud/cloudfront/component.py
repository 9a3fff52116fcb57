"""CdnComponent: CloudFront in the local cloud. It binds no port of its own: its distributions are sites on the edge.

    providers        DistributionProvider (distributions, invalidations) and CachePolicyProvider
    site_for(host)   the edge's resolver: <id>.cloudfront.localhost with the kit's certificate, and each alias of a
                     deployed distribution with its ISSUED us-east-1 ACM certificate, if that certificate covers it;
                     any other name gets no site (the edge then presents its default *.cloudfront.localhost
                     certificate, as CloudFront does its *.cloudfront.net one)
    plan_for(id)     the compiled Plan of the version a distribution serves now (None before its first deploy)
    deployer thread  wakes when a deploy or an invalidation completes and tells the cloud its state changed, so the
                     edge re-resolves names (a deployed distribution appears) and the snapshot is saved

Setting (read at start):
    LAB_CLOUDFRONT_DEPLOY_SECONDS   how long a distribution stays InProgress after Create/Update, and an invalidation
                                    before it is Completed (default 3; AWS takes minutes). Tests use about 1.
                                    Long enough for a learner to see the wait, short enough that the workshop's four
                                    waits (create, WAF attach, two invalidations) do not dominate it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from cryptography import x509

from ...errors import ConfigError
from ..acm import models as acm_models
from ..core import certs
from ..core.component import Component
from ..core.edge import Site, edge_of
from . import models
from .cache import Cache
from .cache_policies import CachePolicyProvider
from .distconfig import with_defaults
from .firewall import Firewall
from .plan import Plan, compile_plan
from .provider import DistributionProvider
from .responses import EdgeIdentity
from .site import DistributionSite
from .store import Distribution, Store, Version, new_etag
from .validation import covers

log = logging.getLogger("labkit.cloud.cloudfront")
DEFAULT_DEPLOY_SECONDS = 3.0


def deploy_seconds(environ: Any = os.environ) -> float:
    raw = environ.get("LAB_CLOUDFRONT_DEPLOY_SECONDS", "").strip()
    if not raw:
        return DEFAULT_DEPLOY_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise ConfigError(f"LAB_CLOUDFRONT_DEPLOY_SECONDS={raw!r} is not a number of seconds from 0 to 3600: "
                          f"unset it for the default ({DEFAULT_DEPLOY_SECONDS:g} s)")
    return value


class CdnComponent(Component):
    name = "cloudfront"

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self.deploy_seconds = deploy_seconds()
        self.store = Store()
        self.cache = Cache()
        self.identity = EdgeIdentity.for_state(getattr(cloud, "state_dir", ""))
        self.firewall = Firewall(cloud)
        self.policies = CachePolicyProvider(self)
        self.distributions = DistributionProvider(self)
        self._plans: dict[str, tuple[Version, int, Plan]] = {}
        self._policy_generation = 0
        self._sites: dict[str, DistributionSite] = {}
        self._leaves: dict[tuple[str, bytes], tuple[certs.Leaf, tuple[str, ...]]] = {}
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._edge: Any = None

    def providers(self) -> list[Any]:
        return [self.distributions, self.policies]

    # -- lifecycle -----------------------------------------------------------------------------------------------
    def bind(self) -> None:
        models.cloudfront_name_locally()

    def start(self) -> None:
        self._adopt()
        self._edge = edge_of(self.cloud)
        # A deploy completes with time: names are re-resolved the moment GetDistribution says Deployed, not when
        # the deployer thread gets round to it (a handshake in between would still be refused).
        self._edge.add_resolver(self.site_for, epoch=lambda: self.store.versions_live(time.time()))
        self._thread = threading.Thread(target=self._deployer, name="cloudfront-deployer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._edge is not None:
            self._edge.registry.remove_resolver(self.site_for)

    def alias_targets(self) -> set[str]:
        return models.cloudfront_domain_names()

    def certificate_users(self) -> dict[str, set[str]]:
        """Every distribution whose latest config names an ACM certificate (deploying or not, as ACM counts it)."""
        users: dict[str, set[str]] = {}
        for dist in list(self.store.distributions.values()):
            arn = (dist.config.get("ViewerCertificate") or {}).get("ACMCertificateArn")
            if arn:
                users.setdefault(str(arn), set()).add(dist.arn)
        return users

    def health(self) -> dict[str, Any]:
        now = time.time()
        distributions = list(self.store.distributions.values())
        return {"status": "ok", "distributions": len(distributions),
                "deployed": sum(1 for d in distributions if d.status(now) == "Deployed"),
                "deploy_seconds": self.deploy_seconds, "cache": self.cache.stats()}

    def snapshot(self) -> Any:
        return self.store.snapshot()

    def restore(self, state: Any) -> None:
        self.store.restore(state)

    def _adopt(self) -> None:
        """Take in distributions moto has and the store lacks (state saved before this component kept its own),
        served at once; forget those moto no longer has."""
        records = {r.id: r for r in models.cloudfront_records()}
        for record in records.values():
            if record.id not in self.store.distributions:
                config = with_defaults(models.cloudfront_config(record.account, record.id))
                self.store.put_distribution(Distribution(
                    account=record.account, id=record.id, arn=record.arn, domain_name=record.domain_name,
                    etag=new_etag(), config=config, last_modified=time.time(), versions=(Version(config, 0.0),)))
        for dist_id in [d for d in self.store.distributions if d not in records]:
            self.store.remove_distribution(dist_id)

    # -- timing ----------------------------------------------------------------------------------------------------
    def deploying(self) -> None:
        """A deploy or invalidation was scheduled: the deployer recomputes its next wake-up."""
        self._wake.set()

    def forget(self, dist_id: str) -> None:
        """A deleted distribution: drop its cached plan, site and cache entries."""
        self._plans.pop(dist_id, None)
        self._sites.pop(dist_id, None)
        self.cache.clear(dist_id)

    def policies_changed(self) -> None:
        self._policy_generation += 1

    def _deployer(self) -> None:
        fired = time.time()
        while not self._stopping.is_set():
            now = time.time()
            due = self.store.next_due(after=fired)
            if due is not None and due <= now:
                fired = now
                self.cloud.mark_changed()  # the edge re-resolves names; the new status is saved
                continue
            self._wake.wait(60.0 if due is None else min(60.0, due - now + 0.01))
            self._wake.clear()

    # -- serving ---------------------------------------------------------------------------------------------------
    def plan_for(self, dist_id: str) -> Plan | None:
        dist = self.store.distributions.get(dist_id)
        version = dist.live(time.time()) if dist is not None else None
        if version is None:
            return None
        cached = self._plans.get(dist_id)
        if cached is not None and cached[0] is version and cached[1] == self._policy_generation:
            return cached[2]
        plan = compile_plan(dist, version, lambda policy_id: self.policies.lookup(dist.account, policy_id),
                            lambda oac_id: models.cloudfront_origin_access_control(dist.account, oac_id))
        self._plans[dist_id] = (version, self._policy_generation, plan)
        return plan

    def https_url(self, host: str, target: str) -> str:
        return edge_of(self.cloud).url(host, target)

    def _site(self, dist_id: str) -> DistributionSite:
        site = self._sites.get(dist_id)
        if site is None:
            site = self._sites.setdefault(dist_id, DistributionSite(self, dist_id))
        return site

    def site_for(self, host: str) -> Site | None:
        if host.endswith(models.CLOUDFRONT_LOCAL_SUFFIX):
            for dist in self.store.distributions.values():
                if dist.domain_name == host:
                    plan = self.plan_for(dist.id)
                    return None if plan is None else Site(self._site(dist.id), self._edge.kit_certificate(),
                                                          plan.site_policy)
            return None
        for dist in self.store.distributions.values():
            plan = self.plan_for(dist.id)
            if plan is None or host not in plan.aliases:
                continue
            leaf = self._alias_leaf(plan.certificate_arn, host)
            if leaf is not None:
                return Site(self._site(dist.id), leaf, plan.site_policy)
        return None

    def _alias_leaf(self, arn: str, host: str) -> certs.Leaf | None:
        """The certificate's leaf if it is ISSUED in us-east-1 and covers ``host`` (aws-facts CloudFront)."""
        if not arn or arn.split(":")[3:4] != ["us-east-1"]:
            return None
        pems = acm_models.acm_certificate_pems(arn)
        if pems is None or pems[0] != "ISSUED":
            return None
        _, cert_pem, key_pem, chain_pem = pems
        cached = self._leaves.get((arn, cert_pem))
        if cached is None:
            try:
                names = x509.load_pem_x509_certificate(cert_pem).extensions.get_extension_for_class(
                    x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
            except (ValueError, x509.ExtensionNotFound):
                return None
            cached = self._leaves[(arn, cert_pem)] = (certs.Leaf(cert_pem, key_pem, chain_pem), tuple(names))
        leaf, names = cached
        return leaf if covers(names, host) else None
