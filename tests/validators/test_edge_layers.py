"""The cdn and waf validators: green on a site as notebooks 01–05 build it; the right hint on a missing OAC bucket
policy, a stale object kept in the cache, a web ACL attached to nothing, managed groups left counting, and WAF
blocks rewritten by a 403 custom error response."""

from __future__ import annotations

import validators
from labkit import names
from validators.base import FAIL, PASS
from validators.probes import flood, http_request

from .deployments import deploy_site, deploy_web_acl, wait_deployed


def results(cfg, layer):
    return {r.check: r for r in validators.run([layer], cfg).results}


def get(cfg, path, **kwargs):
    url = f"https://{cfg.domain}:{cfg.ports['https']}{path}"
    return http_request("GET", url, cafile=str(cfg.state_dir / "ca" / "ca.pem"), **kwargs)


def test_site_as_the_notebooks_build_it_passes(cloud):
    """aws-facts CloudFront: X-Cache Miss then Hit, Age on hits. /style.css is cached before the check runs: the
    check makes its key fresh itself (an invalidation, on the local cloud), so it still sees the Miss first."""
    cfg, dist = deploy_site(cloud)
    wait_deployed(cloud, dist)
    get(cfg, "/style.css"), get(cfg, "/style.css")
    found = results(cfg, "cdn")
    assert {r.status for r in found.values()} == {PASS}, {k: (r.observed, r.hint) for k, r in found.items()}
    assert found["cdn.cache"].observed.startswith("X-Cache Miss then Hit, Age: ")


def test_missing_bucket_policy_for_oac_is_named(cloud):
    cfg, _ = deploy_site(cloud, bucket_policy=False)
    found = results(cfg, "cdn")["cdn.origin_access"]
    assert found.status == FAIL and "missing bucket policy for OAC" in found.hint


def test_stale_object_served_from_cache_is_named(cloud):
    """A visitor's browser cached index.html at the edge (its br copy: the key holds the normalized Accept-Encoding,
    aws-facts CachingOptimized); the learner then uploads a new one without an invalidation: the site serves the old
    bytes until the TTL ends, and the check names the invalidation."""
    cfg, dist = deploy_site(cloud)
    wait_deployed(cloud, dist)
    first = get(cfg, "/index.html", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert first.status_code == 200 and first.headers["X-Cache"] == "Miss from cloudfront"
    cloud.client("s3").put_object(Bucket=names(cfg).site_bucket, Key="index.html", ContentType="text/html",
                                  Body=first.content.replace(b"</body>", b"<p>new opening hours</p></body>"))
    found = results(cfg, "cdn")
    assert found["cdn.origin_access"].status == PASS
    assert found["cdn.fresh"].status == FAIL and "(br)" in found["cdn.fresh"].observed
    assert "stale object served from cache" in found["cdn.fresh"].hint and "invalidation" in found["cdn.fresh"].hint


def test_web_acl_attached_to_nothing_is_named(cloud):
    cfg, _ = deploy_site(cloud)
    visibility = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "acl"}
    cloud.client("wafv2").create_web_acl(Name=names(cfg).web_acl, Scope="CLOUDFRONT", DefaultAction={"Allow": {}},
                                         Rules=[], VisibilityConfig=visibility)
    found = results(cfg, "waf")["waf.attached"]
    assert found.status == FAIL and "attached to nothing" in found.hint


def test_site_with_notebook_05_web_acl_passes(cloud):
    """The three managed groups block the attack probes with CloudFront's 403 (aws-facts: WAF block at CloudFront),
    ordinary requests pass, and the rate-based rule (Limit 100) refuses a flood."""
    cfg, dist = deploy_site(cloud)
    deploy_web_acl(cloud, cfg, dist)
    found = results(cfg, "waf")
    assert {r.status for r in found.values()} == {PASS}, {k: (r.observed, r.hint) for k, r in found.items()}


def test_pipelined_and_sequential_floods_see_the_same_limit(cloud):
    """The rate-based rule counts each request once however it arrives (the local counter is exact,
    wafv2/ratelimit.py): 105 GETs from one address give 100 answers and 5 refusals, pipelined over two connections
    as waf.rate_limit sends them locally, and one at a time over eight as it sends them on AWS."""
    cfg, dist = deploy_site(cloud)
    deploy_web_acl(cloud, cfg, dist)
    url, ca = f"https://{cfg.domain}:{cfg.ports['https']}/app.js", str(cfg.state_dir / "ca" / "ca.pem")
    pipelined = flood(url, 105, cafile=ca, source_address="127.0.0.61", connections=2, pipelined=True)
    sequential = flood(url, 105, cafile=ca, source_address="127.0.0.62")
    for statuses in (pipelined, sequential):
        assert len(statuses) == 105 and statuses.count(200) == 100, statuses
        assert len([s for s in statuses if s in (403, 429)]) == 5, statuses


def test_managed_groups_left_counting_is_named(cloud):
    """aws-facts WAFv2: Count does not terminate; a group referenced with OverrideAction Count only labels requests,
    so every attack probe reaches the origin."""
    cfg, dist = deploy_site(cloud)
    deploy_web_acl(cloud, cfg, dist, override="Count")
    found = results(cfg, "waf")
    assert found["waf.attached"].status == PASS
    assert found["waf.attacks"].status == FAIL and "not blocked: SQL injection" in found["waf.attacks"].observed
    assert "OverrideAction None (not Count)" in found["waf.attacks"].hint


def test_blocks_rewritten_by_a_403_custom_error_response_are_named(cloud):
    """aws-facts CloudFront: the SPA pattern with 403 and 404 → /index.html (200) also rewrites WAF 403 blocks
    (precedence: WAF custom response > distribution custom error > default 403): the attacks are blocked, but the
    visitor gets 200 with X-Cache Error from cloudfront."""
    cfg, dist = deploy_site(cloud, error_codes=(403, 404))
    deploy_web_acl(cloud, cfg, dist)
    found = results(cfg, "waf")
    assert found["waf.attacks"].status == FAIL and "answered 200" in found["waf.attacks"].observed
    assert "403 custom error response rewrites WAF blocks" in found["waf.attacks"].hint
