"""The cdn and waf validators: green on a site as notebooks 01–04 build it; the right hint on a missing OAC bucket
policy and on a web ACL attached to nothing."""

from __future__ import annotations

import validators
from validators.base import FAIL, PASS

from .deployments import deploy_site


def results(cfg, layer):
    return {r.check: r for r in validators.run([layer], cfg).results}


def test_site_as_the_notebooks_build_it_passes(cloud):
    cfg, _ = deploy_site(cloud)
    found = results(cfg, "cdn")
    assert {r.status for r in found.values()} == {PASS}, {k: (r.observed, r.hint) for k, r in found.items()}


def test_missing_bucket_policy_for_oac_is_named(cloud):
    cfg, _ = deploy_site(cloud, bucket_policy=False)
    found = results(cfg, "cdn")["cdn.origin_access"]
    assert found.status == FAIL and "missing bucket policy for OAC" in found.hint


def test_web_acl_attached_to_nothing_is_named(cloud):
    from labkit import names

    cfg, _ = deploy_site(cloud)
    visibility = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "acl"}
    cloud.client("wafv2").create_web_acl(Name=names(cfg).web_acl, Scope="CLOUDFRONT", DefaultAction={"Allow": {}},
                                         Rules=[], VisibilityConfig=visibility)
    found = results(cfg, "waf")["waf.attached"]
    assert found.status == FAIL and "attached to nothing" in found.hint
