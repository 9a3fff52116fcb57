"""Cache policies: the managed ones AWS publishes, the learner's own (CRUD moto lacks), and what a policy means to
the cache.

    MANAGED                 id → CachePolicyConfig of the managed policies (CloudFront developer guide, "Use managed
                            cache policies"; aws-facts CloudFront)
    KeyPolicy               what the cache needs of a policy: TTLs, Accept-Encoding normalisation, key parts
    key_policy(config)      KeyPolicy of a CachePolicyConfig
    legacy_key_policy(cb)   KeyPolicy of a cache behaviour without CachePolicyId (ForwardedValues, Min/Default/MaxTTL)
    CachePolicyProvider     Create/Get/GetConfig/List/Update/DeleteCachePolicy (moto answers 404: research §4)

Errors follow the botocore cloudfront model: NoSuchCachePolicy 404, CachePolicyAlreadyExists 409, CachePolicyInUse
409, InvalidIfMatchVersion 400, PreconditionFailed 412, IllegalUpdate/IllegalDelete 400 for managed policies,
InvalidArgument and InconsistentQuantities 400 for a bad config.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from typing import Any

from ..core.errors import AwsError
from ..core.providers import Context, Provider
from ..moto import LOCK
from .store import CachePolicy, new_etag

# "If you don't specify DefaultTTL/MaxTTL, the default is 86400 / 31536000 seconds" (CachePolicyConfig, API reference)
DEFAULT_TTL, MAX_TTL = 86400, 31536000
_NONE = {"HeadersConfig": {"HeaderBehavior": "none"}, "CookiesConfig": {"CookieBehavior": "none"},
         "QueryStringsConfig": {"QueryStringBehavior": "none"}}


def _managed(name: str, comment: str, ttls: tuple[int, int, int], *, gzip: bool, brotli: bool,
             headers: list[str] | None = None, cookies: str = "none", query: str = "none") -> dict[str, Any]:
    params: dict[str, Any] = {"EnableAcceptEncodingGzip": gzip, "EnableAcceptEncodingBrotli": brotli, **_NONE}
    if headers:
        params["HeadersConfig"] = {"HeaderBehavior": "whitelist",
                                   "Headers": {"Quantity": len(headers), "Items": headers}}
    params["CookiesConfig"] = {"CookieBehavior": cookies}
    params["QueryStringsConfig"] = {"QueryStringBehavior": query}
    return {"Comment": comment, "Name": name, "MinTTL": ttls[0], "DefaultTTL": ttls[1], "MaxTTL": ttls[2],
            "ParametersInCacheKeyAndForwardedToOrigin": params}


CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED_UNCOMPRESSED = "b2884449-e4de-46a7-ac36-70bc7f1ddd6d"
# Ids and settings from the developer guide's "Use managed cache policies" page (aws-facts CloudFront lists the
# first three with their TTLs).
MANAGED: dict[str, dict[str, Any]] = {
    CACHING_OPTIMIZED: _managed("Managed-CachingOptimized",
                                "Policy with caching enabled. Supports Gzip and Brotli compression.",
                                (1, 86400, 31536000), gzip=True, brotli=True),
    CACHING_DISABLED: _managed("Managed-CachingDisabled", "Policy with caching disabled", (0, 0, 0),
                               gzip=False, brotli=False),
    CACHING_OPTIMIZED_UNCOMPRESSED: _managed("Managed-CachingOptimizedForUncompressedObjects",
                                             "Default policy when compression is disabled",
                                             (1, 86400, 31536000), gzip=False, brotli=False),
    "2e54312d-136d-493c-8eb9-b001f22f67d2": _managed(
        "Managed-Amplify", "Policy for Amplify Origin", (2, 2, 600), gzip=True, brotli=True,
        headers=["Authorization", "CloudFront-Viewer-Country", "Host"], cookies="all", query="all"),
}
_MANAGED_TIME = 1_600_000_000.0  # a fixed LastModifiedTime: managed policies never change here


@dataclasses.dataclass(frozen=True)
class KeyPolicy:
    """A cache policy as the cache applies it. Names are lower case; a behaviour is none|whitelist|allExcept|all."""

    min_ttl: float
    default_ttl: float
    max_ttl: float
    gzip: bool
    brotli: bool
    headers: tuple[str, ...] = ()
    cookie_behavior: str = "none"
    cookies: tuple[str, ...] = ()
    query_behavior: str = "none"
    query: tuple[str, ...] = ()
    all_headers: bool = False  # legacy "forward all headers": CloudFront does not cache


def _names(config: dict[str, Any] | None, member: str, lower: bool = False) -> tuple[str, ...]:
    items = ((config or {}).get(member) or {}).get("Items") or []
    return tuple(str(i).lower() if lower else str(i) for i in items)


def key_policy(config: dict[str, Any]) -> KeyPolicy:
    params = config.get("ParametersInCacheKeyAndForwardedToOrigin") or {}
    headers = params.get("HeadersConfig") or {}
    cookies = params.get("CookiesConfig") or {}
    query = params.get("QueryStringsConfig") or {}
    return KeyPolicy(
        min_ttl=float(config.get("MinTTL") or 0), default_ttl=float(config.get("DefaultTTL", DEFAULT_TTL)),
        max_ttl=float(config.get("MaxTTL", MAX_TTL)), gzip=bool(params.get("EnableAcceptEncodingGzip")),
        brotli=bool(params.get("EnableAcceptEncodingBrotli")),
        headers=_names(headers, "Headers", lower=True) if headers.get("HeaderBehavior") == "whitelist" else (),
        cookie_behavior=cookies.get("CookieBehavior") or "none", cookies=_names(cookies, "Cookies"),
        query_behavior=query.get("QueryStringBehavior") or "none", query=_names(query, "QueryStrings"))


def legacy_key_policy(behaviour: dict[str, Any]) -> KeyPolicy:
    """Legacy cache settings: ForwardedValues decide the key, the behaviour's own TTLs apply; with Compress, gzip only
    ("You must use cache policies to use Brotli compression": developer guide, serving compressed files)."""
    forwarded = behaviour.get("ForwardedValues") or {}
    headers = _names(forwarded, "Headers", lower=True)
    cookies = forwarded.get("Cookies") or {}
    query_keys = _names(forwarded, "QueryStringCacheKeys")
    query_behavior = ("whitelist" if query_keys else "all") if forwarded.get("QueryString") else "none"
    cookie_behavior = {"whitelist": "whitelist", "all": "all"}.get(cookies.get("Forward", "none"), "none")
    return KeyPolicy(
        min_ttl=float(behaviour.get("MinTTL") or 0), default_ttl=float(behaviour.get("DefaultTTL", DEFAULT_TTL)),
        max_ttl=float(behaviour.get("MaxTTL", MAX_TTL)), gzip=bool(behaviour.get("Compress")), brotli=False,
        headers=tuple(h for h in headers if h != "*"), all_headers="*" in headers,
        cookie_behavior=cookie_behavior, cookies=_names(cookies, "WhitelistedNames"),
        query_behavior=query_behavior, query=query_keys)


def inconsistent_quantities(value: Any) -> bool:
    """Whether any {Quantity, Items} pair in a config disagrees (CloudFront's InconsistentQuantities)."""
    if isinstance(value, dict):
        if "Quantity" in value and int(value.get("Quantity") or 0) != len(value.get("Items") or []):
            return True
        return any(inconsistent_quantities(v) for v in value.values())
    if isinstance(value, list):
        return any(inconsistent_quantities(v) for v in value)
    return False


def check_config(config: dict[str, Any]) -> None:
    """AWS's checks of a CachePolicyConfig that boto3 does not make client-side."""
    if inconsistent_quantities(config):
        raise AwsError("InconsistentQuantities", "The value of Quantity and the size of Items don't match.", 400)
    name = str(config.get("Name") or "")
    if not name or len(name) > 128 or not all(c.isalnum() or c in "-_" for c in name):
        raise AwsError("InvalidArgument", "The cache policy name must be 1-128 characters of letters, digits, "
                       "hyphens and underscores.", 400)
    policy = key_policy(config)
    if not policy.min_ttl <= policy.default_ttl <= policy.max_ttl:
        raise AwsError("InvalidArgument", "The TTL values must satisfy MinTTL <= DefaultTTL <= MaxTTL.", 400)
    params = config.get("ParametersInCacheKeyAndForwardedToOrigin") or {}
    for member, behavior_key, items_key in (("HeadersConfig", "HeaderBehavior", "Headers"),
                                            ("CookiesConfig", "CookieBehavior", "Cookies"),
                                            ("QueryStringsConfig", "QueryStringBehavior", "QueryStrings")):
        part = params.get(member) or {}
        if part.get(behavior_key) in ("whitelist", "allExcept") and not (part.get(items_key) or {}).get("Items"):
            raise AwsError("InvalidArgument", f"{member}.{items_key} must list at least one name when "
                           f"{behavior_key} is {part.get(behavior_key)}.", 400)


def _summary(policy_id: str, config: dict[str, Any], modified: float) -> dict[str, Any]:
    return {"Id": policy_id, "LastModifiedTime": modified, "CachePolicyConfig": config}


class CachePolicyProvider(Provider):
    """The cache policy operations; custom policies are kept by the cdn component's store (and its snapshot)."""

    service = "cloudfront"
    name = "cloudfront-cache-policies"

    def __init__(self, cdn: Any) -> None:
        super().__init__(cdn.cloud)
        self.cdn = cdn

    # -- reading ---------------------------------------------------------------------------------------------
    def lookup(self, account: str, policy_id: str) -> dict[str, Any] | None:
        """A policy's config by id (managed, or this account's own), or None."""
        if policy_id in MANAGED:
            return MANAGED[policy_id]
        found = self.cdn.store.cache_policies.get(policy_id)
        return found.config if found is not None and found.account == account else None

    def _own(self, ctx: Context, policy_id: str) -> CachePolicy:
        found = self.cdn.store.cache_policies.get(policy_id)
        if found is None or found.account != ctx.account:
            raise AwsError("NoSuchCachePolicy", "The cache policy does not exist.", 404)
        return found

    def get_cache_policy(self, params: dict, ctx: Context) -> dict:
        policy_id = params["Id"]
        if policy_id in MANAGED:
            return {"CachePolicy": _summary(policy_id, MANAGED[policy_id], _MANAGED_TIME), "ETag": "E23ZP02F085DFQ"}
        found = self._own(ctx, policy_id)
        return {"CachePolicy": _summary(found.id, found.config, found.last_modified), "ETag": found.etag}

    def get_cache_policy_config(self, params: dict, ctx: Context) -> dict:
        answer = self.get_cache_policy(params, ctx)
        return {"CachePolicyConfig": answer["CachePolicy"]["CachePolicyConfig"], "ETag": answer["ETag"]}

    def list_cache_policies(self, params: dict, ctx: Context) -> dict:
        kind = params.get("Type") or "all"
        items = []
        if kind in ("managed", "all"):
            items += [{"Type": "managed", "CachePolicy": _summary(i, c, _MANAGED_TIME)} for i, c in MANAGED.items()]
        if kind in ("custom", "all"):
            own = sorted((p for p in self.cdn.store.cache_policies.values() if p.account == ctx.account),
                         key=lambda p: p.created)
            items += [{"Type": "custom", "CachePolicy": _summary(p.id, p.config, p.last_modified)} for p in own]
        start = int(params.get("Marker") or 0) if str(params.get("Marker") or "0").isdigit() else 0
        size = int(params.get("MaxItems") or 100)
        page = {"MaxItems": size, "Quantity": len(items[start:start + size]), "Items": items[start:start + size]}
        if start + size < len(items):
            page["NextMarker"] = str(start + size)
        return {"CachePolicyList": page}

    # -- changing --------------------------------------------------------------------------------------------
    def create_cache_policy(self, params: dict, ctx: Context) -> dict:
        config = _with_defaults(params["CachePolicyConfig"])
        check_config(config)
        with LOCK:
            self._check_name(ctx.account, config["Name"], except_id=None)
            now = time.time()
            policy = CachePolicy(id=str(uuid.uuid4()), account=ctx.account, config=config, etag=new_etag(),
                                 created=now, last_modified=now)
            self.cdn.store.put_cache_policy(policy)
        return {"CachePolicy": _summary(policy.id, config, now), "ETag": policy.etag,
                "Location": f"https://cloudfront.amazonaws.com/2020-05-31/cache-policy/{policy.id}"}

    def update_cache_policy(self, params: dict, ctx: Context) -> dict:
        policy_id = params["Id"]
        if policy_id in MANAGED:
            raise AwsError("IllegalUpdate", "Managed cache policies can't be updated.", 400)
        config = _with_defaults(params["CachePolicyConfig"])
        check_config(config)
        with LOCK:
            found = self._own(ctx, policy_id)
            check_if_match(params.get("IfMatch"), found.etag)
            self._check_name(ctx.account, config["Name"], except_id=policy_id)
            updated = dataclasses.replace(found, config=config, etag=new_etag(), last_modified=time.time())
            self.cdn.store.put_cache_policy(updated)
        self.cdn.policies_changed()
        return {"CachePolicy": _summary(updated.id, config, updated.last_modified), "ETag": updated.etag}

    def delete_cache_policy(self, params: dict, ctx: Context) -> dict:
        policy_id = params["Id"]
        if policy_id in MANAGED:
            raise AwsError("IllegalDelete", "Managed cache policies can't be deleted.", 400)
        with LOCK:
            found = self._own(ctx, policy_id)
            check_if_match(params.get("IfMatch"), found.etag)
            if self.cdn.store.policy_in_use(policy_id):
                raise AwsError("CachePolicyInUse", "Cannot delete cache policy because it is attached to one or "
                               "more cache behaviors.", 409)
            self.cdn.store.remove_cache_policy(policy_id)
        return {}

    def _check_name(self, account: str, name: str, except_id: str | None) -> None:
        for policy in self.cdn.store.cache_policies.values():
            if policy.account == account and policy.config.get("Name") == name and policy.id != except_id:
                raise AwsError("CachePolicyAlreadyExists", "A cache policy with this name already exists. You must "
                               "provide a unique name. To modify an existing cache policy, use UpdateCachePolicy.",
                               409)


def _with_defaults(config: dict[str, Any]) -> dict[str, Any]:
    filled = dict(config)
    filled.setdefault("DefaultTTL", max(DEFAULT_TTL, int(config.get("MinTTL") or 0)))
    filled.setdefault("MaxTTL", max(MAX_TTL, int(filled["DefaultTTL"])))
    filled.setdefault("Comment", "")
    return filled


def check_if_match(if_match: str | None, etag: str) -> None:
    """CloudFront's optimistic locking: the ETag of the last Get must come back as IfMatch."""
    if not if_match:
        raise AwsError("InvalidIfMatchVersion", "The If-Match version is missing or not valid for the resource.", 400)
    if if_match != etag:
        raise AwsError("PreconditionFailed", "The precondition given in one or more of the request-header fields "
                       "evaluated to false.", 412)

