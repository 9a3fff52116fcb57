"""Distributions served on the edge over real TLS (verified with the local CA) and plain HTTP: OAC, the default root
object, cache behaviours, the cache and its headers, TTL rules, revalidation, custom error responses, compression,
viewer protocol policies, methods and bad input. Facts: research/aws-facts.md, CloudFront."""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import time

import pytest

from .conftest import CACHING_DISABLED, behaviour, make_site, unique

PAGE = b"<!doctype html><title>contact</title>" + b"<p>Write to us.</p>" * 100  # > 1,000 bytes: compressible


@pytest.fixture(scope="module")
def site(cdn_cloud):
    return make_site(cdn_cloud, objects={"index.html": PAGE, "docs/index.html": b"<h1>docs</h1>"})


def poll(fetch, until, deadline: float = 8.0):
    """Repeat ``fetch`` until ``until(answer)``; the last answer (waiting on a condition, never on a clock)."""
    end = time.monotonic() + deadline
    while True:
        answer = fetch()
        if until(answer) or time.monotonic() > end:
            return answer
        time.sleep(0.2)


# -- origin access ----------------------------------------------------------------------------------------------------
def test_oac_without_bucket_policy_gets_403_from_s3_then_200_with_it(cdn_cloud):
    """aws-facts CloudFront: with OAC the bucket stays private; without a policy allowing cloudfront.amazonaws.com
    with AWS:SourceArn = the distribution, S3 answers 403 AccessDenied (Server AmazonS3, X-Cache Error); with it,
    the object. The cached 403 (ErrorCachingMinTTL 10 s) goes with an invalidation of /*."""
    site = make_site(cdn_cloud, objects={"index.html": PAGE}, allow=False)
    denied = site.get("/index.html")
    assert denied.status_code == 403
    assert "<Code>AccessDenied</Code>" in denied.text
    assert denied.headers["Server"] == "AmazonS3" and denied.headers["X-Cache"] == "Error from cloudfront"
    assert site.get("/index.html").headers["X-Cache"] == "Error from cloudfront"
    site.allow_cloudfront()
    site.invalidate("/*")
    allowed = site.get("/index.html")
    assert allowed.status_code == 200 and allowed.content == PAGE
    assert allowed.headers["Content-Type"] == "text/html" and allowed.headers["Server"] == "AmazonS3"


def test_policy_for_another_distribution_does_not_open_the_bucket(cdn_cloud):
    """The OAC condition names one distribution's ARN (aws-facts): another distribution's ARN does not match."""
    site = make_site(cdn_cloud, objects={"index.html": PAGE}, allow=False)
    other = site.arn[:-4] + "ZZZZ"
    from .conftest import oac_policy

    cdn_cloud.client("s3").put_bucket_policy(Bucket=site.bucket, Policy=oac_policy(site.bucket, other))
    assert site.get("/index.html").status_code == 403


def test_distribution_url_reaches_the_distribution(site):
    """labkit.distribution_url: the same learner cell on both targets; locally <id>.cloudfront.localhost on the
    edge's HTTPS port."""
    import labkit

    url = labkit.distribution_url(site.id, "/docs/index.html", cfg=site.cloud.cfg)
    assert url == site.url("/docs/index.html")
    assert labkit.distribution_url(site.domain, cfg=site.cloud.cfg) == site.url("/")
    assert site.session.get(url, verify=site.ca, timeout=10).content == b"<h1>docs</h1>"


def test_default_root_object_applies_to_the_root_only(site):
    """aws-facts: DefaultRootObject applies to / only, not to subdirectories (unlike S3 website index documents)."""
    root = site.get("/")
    assert root.status_code == 200 and root.content == PAGE
    subdirectory = site.get("/docs/")
    assert subdirectory.status_code == 403  # S3's answer for the missing key "docs/" (no ListBucket permission)
    assert site.get("/docs/index.html").content == b"<h1>docs</h1>"


# -- cache headers -----------------------------------------------------------------------------------------------------
def test_miss_then_hit_with_age_and_the_edge_headers(site):
    """aws-facts CloudFront: X-Cache Miss then Hit; Via 1.1 <32 hex>.cloudfront.net (CloudFront), X-Amz-Cf-Pop in
    the SCL50-C1 style, X-Amz-Cf-Id 56 characters ending ==, different per request; Age on hits; Server from S3."""
    key = f"{unique('page')}.html"
    site.put(key, PAGE)
    first, second = site.get(f"/{key}"), site.get(f"/{key}")
    assert first.headers["X-Cache"] == "Miss from cloudfront" and "Age" not in first.headers
    assert second.headers["X-Cache"] == "Hit from cloudfront" and second.headers["Age"].isdigit()
    for answer in (first, second):
        assert re.fullmatch(r"1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)", answer.headers["Via"])
        assert re.fullmatch(r"[A-Z]{3}\d{1,2}-[CP]\d", answer.headers["X-Amz-Cf-Pop"])
        assert re.fullmatch(r"[A-Za-z0-9_-]{54}==", answer.headers["X-Amz-Cf-Id"])
        assert answer.headers["Server"] == "AmazonS3" and answer.content == PAGE
    assert first.headers["Via"] == second.headers["Via"]
    assert first.headers["X-Amz-Cf-Pop"] == second.headers["X-Amz-Cf-Pop"]
    assert first.headers["X-Amz-Cf-Id"] != second.headers["X-Amz-Cf-Id"]
    assert first.headers["ETag"] == second.headers["ETag"]


def test_viewer_cache_control_is_ignored_and_viewer_revalidation_gets_304(site):
    """aws-facts: the viewer's Cache-Control and Pragma are ignored (still a Hit). A viewer If-None-Match with the
    current ETag gets 304 without a body."""
    key = f"{unique('page')}.html"
    site.put(key, PAGE)
    etag = site.get(f"/{key}").headers["ETag"]
    again = site.get(f"/{key}", Cache_Control="no-cache", Pragma="no-cache")
    assert again.headers["X-Cache"] == "Hit from cloudfront"
    not_modified = site.get(f"/{key}", If_None_Match=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""


# -- TTL rules ---------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ttl_site(cdn_cloud):
    """Behaviours by path pattern, each with its own policy: /min/* MinTTL 3600, /off/* CachingDisabled, default
    MinTTL 0 (CachingOptimized's MinTTL of 1 s would cache even no-store responses)."""
    cf = cdn_cloud.client("cloudfront")

    def policy(min_ttl: int) -> str:
        return cf.create_cache_policy(CachePolicyConfig={
            "Name": unique("ttl"), "MinTTL": min_ttl, "DefaultTTL": max(min_ttl, 86400), "MaxTTL": 31536000,
            "ParametersInCacheKeyAndForwardedToOrigin": {
                "EnableAcceptEncodingGzip": False, "HeadersConfig": {"HeaderBehavior": "none"},
                "CookiesConfig": {"CookieBehavior": "none"},
                "QueryStringsConfig": {"QueryStringBehavior": "none"}}})["CachePolicy"]["Id"]

    behaviours = [behaviour(policy=policy(3600), PathPattern="/min/*"),
                  behaviour(policy=CACHING_DISABLED, PathPattern="off/*")]
    return make_site(cdn_cloud, DefaultCacheBehavior=behaviour(policy=policy(0)),
                     CacheBehaviors={"Quantity": 2, "Items": behaviours})


@pytest.mark.parametrize("prefix, metadata, second", [
    ("", {"CacheControl": "max-age=3600"}, "Hit"),
    ("", {}, "Hit"),                                                        # none: DefaultTTL
    ("", {"CacheControl": "no-store"}, "Miss"),                             # MinTTL 0: not cached
    ("", {"CacheControl": "private, max-age=3600"}, "Miss"),
    ("", {"CacheControl": "no-cache"}, "Miss"),
    ("", {"CacheControl": "s-maxage=3600, max-age=0"}, "Hit"),              # s-maxage before max-age
    ("", {"CacheControl": "max-age=0"}, "RefreshHit"),                      # stored, revalidated every time
    ("", {"Expires": "Thu, 01 Jan 2099 00:00:00 GMT"}, "Hit"),
    ("", {"Expires": "Thu, 01 Jan 1998 00:00:00 GMT"}, "RefreshHit"),      # already expired
    ("min/", {"CacheControl": "no-store"}, "Hit"),                          # MinTTL > 0: cached MinTTL anyway
    ("min/", {"CacheControl": "max-age=0"}, "Hit"),                         # clamped up to MinTTL
    ("off/", {"CacheControl": "max-age=3600"}, "Miss"),                     # CachingDisabled: MaxTTL 0
])
def test_ttl_rules_by_origin_headers(ttl_site, prefix, metadata, second):
    """aws-facts CloudFront, TTL rules, with the origin's Cache-Control/Expires set as S3 object metadata, and cache
    behaviours chosen by path pattern (first match, else the default)."""
    import datetime
    from email.utils import parsedate_to_datetime

    extra = dict(metadata)
    if "Expires" in extra:
        extra["Expires"] = parsedate_to_datetime(extra["Expires"]).replace(tzinfo=datetime.timezone.utc)
    key = f"{prefix}{unique('ttl')}.html"
    ttl_site.put(key, b"<p>ttl</p>", **extra)
    assert ttl_site.get(f"/{key}").headers["X-Cache"] == "Miss from cloudfront"
    answer = ttl_site.get(f"/{key}")
    assert answer.headers["X-Cache"] == f"{second} from cloudfront"
    assert answer.content == b"<p>ttl</p>"


def test_refresh_hit_after_expiry_then_miss_when_the_object_changed(ttl_site):
    """aws-facts CloudFront: an expired object is revalidated with If-None-Match; the origin's 304 → RefreshHit and
    the object is fresh again (Hit); once the object changes, the next revalidation is a Miss with the new bytes."""
    key = f"{unique('refresh')}.html"
    ttl_site.put(key, b"<p>one</p>", CacheControl="max-age=1")
    assert ttl_site.get(f"/{key}").headers["X-Cache"] == "Miss from cloudfront"
    refreshed = poll(lambda: ttl_site.get(f"/{key}"), lambda a: a.headers["X-Cache"] != "Hit from cloudfront")
    assert refreshed.headers["X-Cache"] == "RefreshHit from cloudfront" and refreshed.content == b"<p>one</p>"
    assert ttl_site.get(f"/{key}").headers["X-Cache"] == "Hit from cloudfront"
    ttl_site.put(key, b"<p>two</p>", CacheControl="max-age=1")
    changed = poll(lambda: ttl_site.get(f"/{key}"), lambda a: a.headers["X-Cache"] != "Hit from cloudfront")
    assert changed.headers["X-Cache"] == "Miss from cloudfront" and changed.content == b"<p>two</p>"


# -- invalidations -----------------------------------------------------------------------------------------------------
def test_invalidation_wildcards_purge_what_they_match(site):
    """aws-facts CloudFront, invalidations: * only at the end matches zero or more characters, case-sensitive;
    /* is everything. Purged objects come back as Miss, the others stay Hit."""
    folder = unique("img")
    keys = [f"{folder}/a.html", f"{folder}/sub/b.html", f"{folder.upper()}/c.html", f"{folder}.html"]
    for key in keys:
        site.put(key, b"x")
        site.get(f"/{key}")
        assert site.get(f"/{key}").headers["X-Cache"] == "Hit from cloudfront"
    site.invalidate(f"/{folder}/*")
    states = [site.get(f"/{key}").headers["X-Cache"].split()[0] for key in keys]
    assert states == ["Miss", "Miss", "Hit", "Hit"]
    site.invalidate("/*")
    assert {site.get(f"/{key}").headers["X-Cache"].split()[0] for key in keys} == {"Miss"}


# -- custom error responses --------------------------------------------------------------------------------------------
def spa_errors(*codes: int) -> dict:
    return {"Quantity": len(codes), "Items": [
        {"ErrorCode": code, "ResponsePagePath": "/index.html", "ResponseCode": "200", "ErrorCachingMinTTL": 10}
        for code in codes]}


@pytest.mark.parametrize("list_bucket, origin_code", [(False, 403), (True, 404)])
def test_spa_pattern_serves_index_for_missing_routes(cdn_cloud, list_bucket, origin_code):
    """aws-facts CloudFront, custom error responses: the SPA pattern 403 and 404 → /index.html with 200. S3 answers
    403 for a missing key when CloudFront may not ListBucket (the usual OAC policy), 404 when it may."""
    site = make_site(cdn_cloud, objects={"index.html": PAGE}, list_bucket=list_bucket, wait=False,
                     CustomErrorResponses=spa_errors(403, 404))
    plain = make_site(cdn_cloud, objects={"index.html": PAGE}, list_bucket=list_bucket)
    site.wait()
    assert plain.get("/app/settings").status_code == origin_code
    routed = site.get("/app/settings")
    assert routed.status_code == 200 and routed.content == PAGE
    assert routed.headers["Content-Type"] == "text/html"
    assert routed.headers["X-Cache"] == "Error from cloudfront"


def test_error_page_with_its_own_code_and_a_missing_error_page(cdn_cloud):
    """A custom error response serves the page's body with its ResponseCode. "If … the custom error page isn't
    available, CloudFront returns to the viewer the status code that CloudFront received from the origin that
    contains the custom error pages" (developer guide, custom error pages): here S3's 404 for the page's key."""
    site = make_site(cdn_cloud, objects={"index.html": PAGE, "oops.html": b"<h1>Not here</h1>"}, list_bucket=True,
                     CustomErrorResponses={"Quantity": 1, "Items": [
                         {"ErrorCode": 404, "ResponsePagePath": "/oops.html", "ResponseCode": "404"}]})
    missing = site.get("/nothing.html")
    assert missing.status_code == 404 and missing.content == b"<h1>Not here</h1>"
    cdn_cloud.client("s3").delete_object(Bucket=site.bucket, Key="oops.html")
    site.invalidate("/*")
    without_page = site.get("/nothing.html")
    assert without_page.status_code == 404 and "<Key>oops.html</Key>" in without_page.text


# -- compression -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("accept, encoding", [("gzip, deflate", "gzip"), ("gzip, deflate, br", "br")])
def test_compression_for_viewers_that_accept_it(site, accept, encoding):
    """Developer guide, serving compressed files: Compress on the behaviour, a cache policy normalising gzip and br
    (CachingOptimized), a compressible type of 1,000 bytes or more → Content-Encoding, Brotli preferred, a weak
    ETag, Vary: Accept-Encoding; each encoding is its own cache entry."""
    key = f"{unique('zip')}.html"
    site.put(key, PAGE)
    plain = site.get(f"/{key}")
    packed = site.get(f"/{key}", Accept_Encoding=accept)
    assert packed.headers["X-Cache"] == "Miss from cloudfront"
    assert packed.headers["Content-Encoding"] == encoding
    assert packed.headers["Vary"] == "Accept-Encoding"
    assert packed.headers["ETag"] == "W/" + plain.headers["ETag"]
    assert int(packed.headers["Content-Length"]) < len(PAGE) / 5
    assert packed.content == PAGE  # requests decodes gzip and (with brotli installed) br
    assert site.get(f"/{key}", Accept_Encoding=accept).headers["X-Cache"] == "Hit from cloudfront"
    assert "Content-Encoding" not in plain.headers


def test_no_compression_for_small_or_binary_objects_or_without_compress(cdn_cloud, site):
    """Developer guide, serving compressed files: under 1,000 bytes, a type not on CloudFront's list (image/png), or
    a behaviour without Compress: served as stored."""
    small, binary = f"{unique('small')}.html", f"{unique('blob')}.png"
    site.put(small, b"<p>tiny</p>")
    site.put(binary, PAGE, content_type="image/png")
    assert "Content-Encoding" not in site.get(f"/{small}", Accept_Encoding="gzip").headers
    assert "Content-Encoding" not in site.get(f"/{binary}", Accept_Encoding="gzip").headers
    plain = make_site(cdn_cloud, objects={"index.html": PAGE}, DefaultCacheBehavior=behaviour(compress=False))
    assert "Content-Encoding" not in plain.get("/", Accept_Encoding="gzip, br").headers


# -- viewer protocol policies and methods ------------------------------------------------------------------------------
def test_http_redirects_to_https_when_the_policy_says_so(site):
    """redirect-to-https: CloudFront answers HTTP with 301 and the HTTPS URL."""
    answer = site.http_get("/docs/index.html?x=1")
    assert answer.status_code == 301
    assert answer.headers["Location"] == site.url("/docs/index.html?x=1")
    assert answer.headers["Server"] == "CloudFront"


def test_https_only_refuses_http_and_allow_all_serves_it(cdn_cloud):
    """https-only: 403 on HTTP (AWS knowledge center, bad request); allow-all serves HTTP. Behaviours with different
    policies on one distribution are applied per path."""
    site = make_site(cdn_cloud, objects={"index.html": PAGE, "open/a.html": b"open"},
                     DefaultCacheBehavior=behaviour(viewer="https-only"),
                     CacheBehaviors={"Quantity": 1, "Items": [behaviour(viewer="allow-all", PathPattern="/open/*")]})
    assert site.http_get("/index.html").status_code == 403
    opened = site.http_get("/open/a.html")
    assert opened.status_code == 200 and opened.content == b"open"
    assert site.get("/index.html").status_code == 200


def test_methods_outside_allowed_methods_get_cloudfronts_403(site):
    """AllowedMethods GET, HEAD (the default): other methods get CloudFront's own 403; HEAD has the headers of GET
    and no body."""
    refused = site.get("/index.html", method="DELETE")
    assert refused.status_code == 403 and refused.headers["Server"] == "CloudFront"
    assert "This distribution is not configured to allow the HTTP request method" in refused.text
    assert refused.headers["X-Cache"] == "Error from cloudfront"
    head = site.get("/index.html", method="HEAD")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == str(len(PAGE))


# -- bad input --------------------------------------------------------------------------------------------------------
def raw_get(site, target: str) -> tuple[int, http.client.HTTPMessage, bytes]:
    """GET with exactly this request target: requests would drop the dot segments of /../ and re-quote a bare %."""
    raw = socket.create_connection(("127.0.0.1", site.cloud.cfg.ports["https"]), timeout=10)
    connection = http.client.HTTPSConnection(site.domain, site.cloud.cfg.ports["https"], timeout=10)
    connection.sock = ssl.create_default_context(cafile=site.ca).wrap_socket(raw, server_hostname=site.domain)
    try:
        connection.putrequest("GET", target, skip_accept_encoding=True)
        connection.putheader("Accept-Encoding", "identity")
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("target, status", [
    # CloudFront matches behaviours on a normalised path but forwards the path as received; S3 takes it as the key,
    # dot segments and all (they are legal in keys), and "//index.html" is the key "/index.html". No such keys here,
    # and the OAC policy grants s3:GetObject without s3:ListBucket: S3 answers 403 AccessDenied (aws-facts,
    # CloudFront custom error responses; origin.py cites the S3 user guide).
    ("/../../etc/passwd", 403),
    ("//index.html", 403),
    ("/a%00b", 403),  # control characters are legal in keys ("might require special handling", S3 user guide)
    ("/" + "x" * 1024, 403),  # the longest key S3 allows (1,024 bytes); URLs over 8,192 bytes: 413 (test_edge)
    # The CachingOptimized policy neither keys on nor forwards the query string: S3 sees /index.html.
    ("/index.html?%zz=%%", 200),
])
def test_odd_paths_get_s3s_answer_and_the_site_keeps_serving(site, target, status):
    """Bad input gets the answer CloudFront and S3 would give; it never takes the distribution down or spoils the
    cache (the request target is sent as is)."""
    got, headers, body = raw_get(site, target)
    assert got == status, body[:300]
    assert headers["X-Amz-Cf-Id"].endswith("==")
    if status == 403:
        assert b"<Code>AccessDenied</Code>" in body and headers["Server"] == "AmazonS3"
    assert site.get("/").content == PAGE


@pytest.mark.parametrize("target", ["/%ff%fe%fd", "/%"])
def test_paths_s3_cannot_parse_are_400(site, target):
    """A path whose percent-decoding is not UTF-8, or that is no valid percent-encoding at all, names no key: S3
    answers 400 InvalidURI "Couldn't parse the specified URI." (S3 API error codes; ceph/s3-tests
    test_object_read_unreadable records it on AWS for %AE%8A-), not a missing key's 403."""
    got, _, body = raw_get(site, target)
    assert got == 400, body[:300]
    assert site.get("/").content == PAGE


def test_oversized_headers_get_413_from_the_edge(site):
    """CloudFront: a request over 20,480 bytes of headers gets 413 and the connection is closed (edge.py cites the
    developer guide)."""
    answer = site.get("/index.html", X_Big="y" * 21_000)
    assert answer.status_code == 413
    assert site.get("/index.html").status_code == 200


# -- names -------------------------------------------------------------------------------------------------------------
def test_not_served_before_the_first_deploy_and_previous_config_during_an_update(slow_deploy_cloud):
    """Status InProgress → Deployed: a new distribution's name is not served until deployed (the edge's default
    certificate covers <id>.cloudfront.localhost, and no site answers for it); during an update the edge keeps
    serving the previous config, then the new one."""
    cloud = slow_deploy_cloud
    cf = cloud.client("cloudfront")
    site = make_site(cloud, objects={"a.html": b"first", "b.html": b"second"}, wait=False,
                     DefaultRootObject="a.html", DefaultCacheBehavior=behaviour(policy=CACHING_DISABLED))
    early = site.get("/")
    assert early.status_code == 404 and f"No site answers for {site.domain}" in early.text
    assert cf.get_distribution(Id=site.id)["Distribution"]["Status"] == "InProgress"
    site.wait()
    assert site.get("/").content == b"first"
    current = cf.get_distribution_config(Id=site.id)
    cf.update_distribution(Id=site.id, IfMatch=current["ETag"],
                           DistributionConfig={**current["DistributionConfig"], "DefaultRootObject": "b.html"})
    assert site.get("/").content == b"first"
    assert cf.get_distribution(Id=site.id)["Distribution"]["Status"] == "InProgress"
    site.wait()
    assert site.get("/").content == b"second"
