"""CloudFront state survives a restart of the local cloud (DESIGN: state survives a restart): custom cache policies,
distributions with their OAC ids, ETags, statuses and invalidations, and the edge serves them again."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cloud, cloud_env

from .conftest import behaviour, make_site, unique

PAGE = b"<h1>still here</h1>"


def test_state_survives_a_restart(tmp_path: Path):
    cloud = Cloud(cloud_env(tmp_path / "state"))
    cloud.up()
    try:
        cf = cloud.client("cloudfront")
        policy = cf.create_cache_policy(CachePolicyConfig={
            "Name": unique("kept"), "MinTTL": 0, "ParametersInCacheKeyAndForwardedToOrigin": {
                "EnableAcceptEncodingGzip": True, "HeadersConfig": {"HeaderBehavior": "none"},
                "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}})
        site = make_site(cloud, objects={"index.html": PAGE},
                         DefaultCacheBehavior=behaviour(policy=policy["CachePolicy"]["Id"]))
        invalidation = site.invalidate("/*")["Invalidation"]["Id"]
        before = cf.get_distribution(Id=site.id)
        assert site.get("/").content == PAGE
        site.session.close()  # no keep-alive connection for the edge to wait on while it stops

        cloud.restart()

        cf = cloud.client("cloudfront")
        after = cf.get_distribution(Id=site.id)
        assert after["ETag"] == before["ETag"]
        assert after["Distribution"]["Status"] == "Deployed"
        assert after["Distribution"]["DomainName"] == site.domain
        (origin,) = after["Distribution"]["DistributionConfig"]["Origins"]["Items"]
        assert origin["OriginAccessControlId"] == site.oac_id
        kept = cf.get_cache_policy(Id=policy["CachePolicy"]["Id"])
        assert kept["ETag"] == policy["ETag"]
        assert cf.get_invalidation(DistributionId=site.id, Id=invalidation)["Invalidation"]["Id"] == invalidation
        served = site.get("/")
        assert served.status_code == 200 and served.content == PAGE
        assert served.headers["X-Cache"] == "Miss from cloudfront"  # the cache itself starts empty, as after a reboot
    finally:
        cloud.down()
