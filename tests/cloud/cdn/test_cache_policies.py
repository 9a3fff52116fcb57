"""Cache policies through the gateway (moto answers 404 for every cache-policy operation: research §4)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from .conftest import CACHING_DISABLED, CACHING_OPTIMIZED, behaviour, make_site, unique
from .test_api import error_of


def policy_config(name: str, **ttls: int) -> dict:
    return {"Name": name, "Comment": "", "MinTTL": ttls.get("MinTTL", 0),
            **{k: v for k, v in ttls.items() if k != "MinTTL"},
            "ParametersInCacheKeyAndForwardedToOrigin": {
                "EnableAcceptEncodingGzip": True, "EnableAcceptEncodingBrotli": False,
                "HeadersConfig": {"HeaderBehavior": "none"}, "CookiesConfig": {"CookieBehavior": "none"},
                "QueryStringsConfig": {"QueryStringBehavior": "whitelist",
                                       "QueryStrings": {"Quantity": 1, "Items": ["v"]}}}}


def test_managed_policies_are_listed_with_their_ids_and_ttls(cdn_cloud):
    """aws-facts CloudFront, managed cache policies: CachingOptimized 658327ea-… (1/86400/31536000), CachingDisabled
    4135ea2d-… (0/0/0), CachingOptimizedForUncompressedObjects b2884449-…; Type filters managed and custom."""
    cf = cdn_cloud.client("cloudfront")
    managed = cf.list_cache_policies(Type="managed")["CachePolicyList"]["Items"]
    by_id = {item["CachePolicy"]["Id"]: item["CachePolicy"]["CachePolicyConfig"] for item in managed}
    assert {item["Type"] for item in managed} == {"managed"}
    assert (by_id[CACHING_OPTIMIZED]["MinTTL"], by_id[CACHING_OPTIMIZED]["DefaultTTL"],
            by_id[CACHING_OPTIMIZED]["MaxTTL"]) == (1, 86400, 31536000)
    assert (by_id[CACHING_DISABLED]["MinTTL"], by_id[CACHING_DISABLED]["MaxTTL"]) == (0, 0)
    assert "b2884449-e4de-46a7-ac36-70bc7f1ddd6d" in by_id
    params = by_id[CACHING_OPTIMIZED]["ParametersInCacheKeyAndForwardedToOrigin"]
    assert params["EnableAcceptEncodingGzip"] and params["EnableAcceptEncodingBrotli"]
    got = cf.get_cache_policy(Id=CACHING_OPTIMIZED)["CachePolicy"]["CachePolicyConfig"]
    assert got["Name"] == "Managed-CachingOptimized"
    custom = cf.list_cache_policies(Type="custom")["CachePolicyList"].get("Items", [])
    assert all(item["Type"] == "custom" for item in custom)


def test_custom_policy_create_get_update_delete(cdn_cloud):
    """CreateCachePolicy (DefaultTTL/MaxTTL default to 86400/31536000), Get/GetConfig, Update with IfMatch (stale:
    PreconditionFailed; missing: InvalidIfMatchVersion), unique names (CachePolicyAlreadyExists), Delete; then
    NoSuchCachePolicy."""
    cf = cdn_cloud.client("cloudfront")
    name = unique("policy")
    created = cf.create_cache_policy(CachePolicyConfig=policy_config(name, MinTTL=5))
    policy_id, etag = created["CachePolicy"]["Id"], created["ETag"]
    config = cf.get_cache_policy_config(Id=policy_id)["CachePolicyConfig"]
    assert (config["Name"], config["MinTTL"], config["DefaultTTL"], config["MaxTTL"]) == (name, 5, 86400, 31536000)
    assert policy_id in [i["CachePolicy"]["Id"] for i in cf.list_cache_policies(Type="custom")["CachePolicyList"][
        "Items"]]
    with pytest.raises(ClientError) as caught:
        cf.create_cache_policy(CachePolicyConfig=policy_config(name))
    assert error_of(caught) == ("CachePolicyAlreadyExists", 409)
    updated = cf.update_cache_policy(Id=policy_id, IfMatch=etag, CachePolicyConfig=policy_config(name, MinTTL=7))
    assert updated["ETag"] != etag and updated["CachePolicy"]["CachePolicyConfig"]["MinTTL"] == 7
    with pytest.raises(ClientError) as caught:
        cf.update_cache_policy(Id=policy_id, IfMatch=etag, CachePolicyConfig=policy_config(name))
    assert error_of(caught) == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as caught:
        cf.delete_cache_policy(Id=policy_id)
    assert error_of(caught) == ("InvalidIfMatchVersion", 400)
    cf.delete_cache_policy(Id=policy_id, IfMatch=updated["ETag"])
    with pytest.raises(ClientError) as caught:
        cf.get_cache_policy(Id=policy_id)
    assert error_of(caught) == ("NoSuchCachePolicy", 404)


def test_policy_in_use_cannot_be_deleted_and_managed_ones_never(cdn_cloud):
    """DeleteCachePolicy: CachePolicyInUse while a cache behaviour names it; managed policies: IllegalDelete."""
    cf = cdn_cloud.client("cloudfront")
    created = cf.create_cache_policy(CachePolicyConfig=policy_config(unique("used")))
    make_site(cdn_cloud, wait=False, DefaultCacheBehavior=behaviour(policy=created["CachePolicy"]["Id"]))
    with pytest.raises(ClientError) as caught:
        cf.delete_cache_policy(Id=created["CachePolicy"]["Id"], IfMatch=created["ETag"])
    assert error_of(caught) == ("CachePolicyInUse", 409)
    with pytest.raises(ClientError) as caught:
        cf.delete_cache_policy(Id=CACHING_OPTIMIZED, IfMatch="x")
    assert error_of(caught) == ("IllegalDelete", 400)


def test_bad_policy_configs_are_invalid_arguments(cdn_cloud):
    """CachePolicyConfig checks of the API (CreateCachePolicy errors in the botocore model): TTLs must satisfy
    MinTTL <= DefaultTTL <= MaxTTL (InvalidArgument); a Quantity must match its Items (InconsistentQuantities)."""
    cf = cdn_cloud.client("cloudfront")
    with pytest.raises(ClientError) as caught:
        cf.create_cache_policy(CachePolicyConfig=policy_config(unique("ttl"), MinTTL=100, DefaultTTL=10))
    assert error_of(caught) == ("InvalidArgument", 400)
    bad = policy_config(unique("quantity"))
    bad["ParametersInCacheKeyAndForwardedToOrigin"]["QueryStringsConfig"]["QueryStrings"]["Quantity"] = 3
    with pytest.raises(ClientError) as caught:
        cf.create_cache_policy(CachePolicyConfig=bad)
    assert error_of(caught) == ("InconsistentQuantities", 400)
