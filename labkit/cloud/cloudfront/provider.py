"""The CloudFront distribution and invalidation operations, as AWS runs them (moto keeps only the record).

    DistributionProvider
        CreateDistribution(WithTags)  validated (validation.py), recorded by moto (id, ARN, DomainName, tags), the
                                      config kept here as sent (OriginAccessControlId and S3OriginConfig included),
                                      Status InProgress until the deploy delay passes
        GetDistribution(Config), ListDistributions
        UpdateDistribution            IfMatch checked (moto ignores it), a new ETag, InProgress again; the edge
                                      serves the previous version until the new one is deployed
        DeleteDistribution            only when disabled and deployed (DistributionNotDisabled), as on AWS
        CreateInvalidation, GetInvalidation, ListInvalidations
                                      matching cache entries are purged at once; Status InProgress, then Completed
                                      after the delay (moto: COMPLETED at once, in capitals)
        DeleteOriginAccessControl     refused while a distribution uses it (OriginAccessControlInUse)

A repeated CallerReference returns the existing distribution (or invalidation) when the request is the same, and
DistributionAlreadyExists otherwise (CreateDistribution API reference), so a notebook cell can run twice.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from ..core.errors import AwsError
from ..core.providers import Context, Provider
from ..moto import LOCK
from . import invalidations as paths
from . import models
from .cache_policies import check_if_match
from .distconfig import distribution_view, summary_view, with_defaults
from .store import Distribution, Invalidation, Version, new_etag, new_id
from .validation import Validator

API = "https://cloudfront.amazonaws.com/2020-05-31"


def _no_such_distribution() -> AwsError:
    return AwsError("NoSuchDistribution", "The specified distribution does not exist.", 404)


def _page(items: list[Any], params: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    marker = str(params.get("Marker") or "")
    start = int(marker) if marker.isdigit() else 0
    size = int(params.get("MaxItems") or 100)
    chosen = items[start:start + size]
    page: dict[str, Any] = {"Marker": marker, "MaxItems": size, "IsTruncated": start + size < len(items),
                            "Quantity": len(chosen)}
    if chosen:
        page["Items"] = chosen
    if page["IsTruncated"]:
        page["NextMarker"] = str(start + size)
    return chosen, page


class DistributionProvider(Provider):
    service = "cloudfront"
    name = "cloudfront-distributions"

    def __init__(self, cdn: Any) -> None:
        super().__init__(cdn.cloud)
        self.cdn = cdn
        self.validator = Validator(cdn)

    # -- helpers ---------------------------------------------------------------------------------------------
    def _get(self, ctx: Context, dist_id: str) -> Distribution:
        dist = self.cdn.store.distributions.get(dist_id)
        if dist is None or dist.account != ctx.account:
            raise _no_such_distribution()
        return dist

    def _view(self, dist: Distribution, now: float) -> dict[str, Any]:
        running = sum(1 for i in self.cdn.store.invalidations.get(dist.id, ()) if i.status(now) == "InProgress")
        return distribution_view(dist, now, running)

    # -- distributions ---------------------------------------------------------------------------------------
    def create_distribution(self, params: dict, ctx: Context) -> dict:
        return self._create(params["DistributionConfig"], [], ctx)

    def create_distribution_with_tags(self, params: dict, ctx: Context) -> dict:
        wrapped = params["DistributionConfigWithTags"]
        return self._create(wrapped["DistributionConfig"], (wrapped.get("Tags") or {}).get("Items") or [], ctx)

    def _create(self, config: dict[str, Any], tags: list[dict[str, str]], ctx: Context) -> dict:
        filled = with_defaults(config)
        existing = self._same_reference(ctx.account, filled)
        if existing is not None:
            return self._answer(existing, time.time(), created=True)
        self.validator.check(config, ctx.account)  # without LOCK: it may ask ACM to look at DNS
        with LOCK:
            existing = self._same_reference(ctx.account, filled)  # again: a twin request may have won meanwhile
            if existing is not None:
                return self._answer(existing, time.time(), created=True)
            self.validator.check_aliases_free(filled, None)
            record = models.cloudfront_create(ctx.account, filled, tags)
            now = time.time()
            dist = Distribution(account=ctx.account, id=record.id, arn=record.arn, domain_name=record.domain_name,
                                etag=new_etag(), config=filled, last_modified=now,
                                versions=(Version(filled, now + self.cdn.deploy_seconds),))
            self.cdn.store.put_distribution(dist)
        self.cdn.deploying()
        return self._answer(dist, now, created=True)

    def _same_reference(self, account: str, config: dict[str, Any]) -> Distribution | None:
        """The distribution created with this CallerReference: returned again for the same config, refused with
        DistributionAlreadyExists for another (CreateDistribution API reference)."""
        for existing in self.cdn.store.distributions.values():
            if existing.account == account and existing.config.get("CallerReference") == config.get("CallerReference"):
                if existing.config != config:
                    raise AwsError("DistributionAlreadyExists", "The caller reference that you are using to create "
                                   "a distribution is associated with another distribution. Already exists: "
                                   f"{existing.id}", 409)
                return existing
        return None

    def _answer(self, dist: Distribution, now: float, *, created: bool = False) -> dict:
        answer = {"Distribution": self._view(dist, now), "ETag": dist.etag}
        if created:
            answer["Location"] = f"{API}/distribution/{dist.id}"
        return answer

    def get_distribution(self, params: dict, ctx: Context) -> dict:
        return self._answer(self._get(ctx, params["Id"]), time.time())

    def get_distribution_config(self, params: dict, ctx: Context) -> dict:
        dist = self._get(ctx, params["Id"])
        return {"DistributionConfig": dist.config, "ETag": dist.etag}

    def list_distributions(self, params: dict, ctx: Context) -> dict:
        now = time.time()
        mine = sorted((d for d in self.cdn.store.distributions.values() if d.account == ctx.account),
                      key=lambda d: d.id)
        _, page = _page([summary_view(d, now) for d in mine], params)
        return {"DistributionList": page}

    def update_distribution(self, params: dict, ctx: Context) -> dict:
        config = params["DistributionConfig"]
        dist = self._get(ctx, params["Id"])
        check_if_match(params.get("IfMatch"), dist.etag)
        self.validator.check(config, ctx.account, dist.id)
        if config.get("CallerReference") != dist.config.get("CallerReference"):
            raise AwsError("IllegalUpdate", "The update contains modifications that are not allowed: "
                           "CallerReference cannot change.", 400)
        config = with_defaults(config)
        with LOCK:
            current = self._get(ctx, params["Id"])
            check_if_match(params.get("IfMatch"), current.etag)  # again: another update may have won meanwhile
            self.validator.check_aliases_free(config, current.id)
            models.cloudfront_update(ctx.account, current.id, config)
            now = time.time()
            updated = dataclasses.replace(current, config=config, etag=new_etag(), last_modified=now,
                                          versions=current.deploy(config, now, self.cdn.deploy_seconds))
            self.cdn.store.put_distribution(updated)
        self.cdn.deploying()
        return self._answer(updated, now)

    def delete_distribution(self, params: dict, ctx: Context) -> dict:
        with LOCK:
            dist = self._get(ctx, params["Id"])
            check_if_match(params.get("IfMatch"), dist.etag)
            if dist.config.get("Enabled") or dist.status(time.time()) != "Deployed":
                raise AwsError("DistributionNotDisabled", "The distribution you are trying to delete has not been "
                               "disabled.", 409)
            models.cloudfront_delete(ctx.account, dist.id)
            self.cdn.store.remove_distribution(dist.id)
        self.cdn.forget(dist.id)
        return {}

    # -- invalidations ---------------------------------------------------------------------------------------
    def create_invalidation(self, params: dict, ctx: Context) -> dict:
        dist = self._get(ctx, params["DistributionId"])
        batch = params["InvalidationBatch"]
        items = list((batch.get("Paths") or {}).get("Items") or [])
        paths.check_paths(items, (batch.get("Paths") or {}).get("Quantity"))
        reference = str(batch.get("CallerReference") or "")
        with LOCK:
            for earlier in self.cdn.store.invalidations.get(dist.id, ()):
                if earlier.caller_reference == reference and reference:
                    if earlier.paths != tuple(items):
                        raise AwsError("InvalidArgument", "The caller reference is already used by another "
                                       "invalidation batch of this distribution.", 400)
                    return self._invalidation_answer(earlier, created=True)
            now = time.time()
            invalidation = Invalidation(account=ctx.account, distribution_id=dist.id, id=new_id("I"),
                                        paths=tuple(items), caller_reference=reference, created=now,
                                        done_at=now + self.cdn.deploy_seconds)
            self.cdn.store.add_invalidation(invalidation)
        self.cdn.cache.purge(dist.id, paths.matcher(items))
        self.cdn.deploying()
        return self._invalidation_answer(invalidation, created=True)

    def _invalidation_answer(self, invalidation: Invalidation, *, created: bool = False) -> dict:
        answer: dict[str, Any] = {"Invalidation": {
            "Id": invalidation.id, "Status": invalidation.status(time.time()), "CreateTime": invalidation.created,
            "InvalidationBatch": {"Paths": {"Quantity": len(invalidation.paths), "Items": list(invalidation.paths)},
                                  "CallerReference": invalidation.caller_reference}}}
        if created:
            answer["Location"] = f"{API}/distribution/{invalidation.distribution_id}/invalidation/{invalidation.id}"
        return answer

    def get_invalidation(self, params: dict, ctx: Context) -> dict:
        dist = self._get(ctx, params["DistributionId"])
        for invalidation in self.cdn.store.invalidations.get(dist.id, ()):
            if invalidation.id == params["Id"]:
                return self._invalidation_answer(invalidation)
        raise AwsError("NoSuchInvalidation", "The specified invalidation does not exist.", 404)

    def list_invalidations(self, params: dict, ctx: Context) -> dict:
        dist = self._get(ctx, params["DistributionId"])
        now = time.time()
        newest_first = sorted(self.cdn.store.invalidations.get(dist.id, ()), key=lambda i: -i.created)
        summaries = [{"Id": i.id, "CreateTime": i.created, "Status": i.status(now)} for i in newest_first]
        _, page = _page(summaries, params)
        return {"InvalidationList": page}

    # -- origin access controls ------------------------------------------------------------------------------
    def delete_origin_access_control(self, params: dict, ctx: Context) -> dict:
        oac_id = params["Id"]
        with LOCK:
            for dist in self.cdn.store.distributions.values():
                if dist.account != ctx.account:
                    continue
                used = {o.get("OriginAccessControlId") for v in (dist.config, *(x.config for x in dist.versions))
                        for o in (v.get("Origins") or {}).get("Items") or []}
                if oac_id in used:
                    raise AwsError("OriginAccessControlInUse", "The origin access control is in use.", 409)
            models.cloudfront_delete_origin_access_control(ctx.account, oac_id)
        return {}
