"""CloudFront for the local cloud: the control plane moto lacks or gets wrong, and the data plane on the edge.

    models.py          moto's distribution records and origin access controls, as plain data
    component.py       CdnComponent: providers, the edge resolver, the deploy timer, snapshot
    provider.py        distributions and invalidations (moto keeps the record: id, ARN, DomainName, tags)
    validation.py      what CloudFront rejects and moto accepts (certificate region, aliases, ids…)
    distconfig.py      configs with AWS's defaults; Distribution and DistributionSummary views
    cache_policies.py  managed and custom cache policies, and KeyPolicy (what a policy means to the cache)
    store.py           distributions, versions, invalidations, custom policies: the component's saved state
    plan.py            a deployed config compiled for serving (behaviours, origins, error responses)
    site.py            DistributionSite: the request pipeline (viewer policy → WAF → cache → origin → errors)
    firewall.py        the distribution's web ACL through the waf component's engine
    cache.py           cache keys, TTL rules, the LRU of entries
    origin.py          S3 through Origin Access Control (or OAI, or anonymously), as S3 answers CloudFront
    responses.py       X-Cache, Via, X-Amz-Cf-Pop, X-Amz-Cf-Id, CloudFront's pages, compression
    invalidations.py   invalidation paths: validation and matching

Facts reproduced are in shared research aws-facts.md (CloudFront section); moto's gaps in moto-5.2.5.md §4.
"""

from .component import CdnComponent

__all__ = ["CdnComponent"]
