"""The CloudFront rules that need no cloud: TTLs, cache keys, Accept-Encoding normalisation, invalidation matching,
path patterns, certificate coverage, origin domains, request ids. Each test names the fact it reproduces."""

from __future__ import annotations

import re

import pytest

from labkit.cloud.cloudfront.cache import cache_key, error_ttl, normalized_encoding, ttl_for
from labkit.cloud.cloudfront.cache_policies import MANAGED, KeyPolicy, key_policy, legacy_key_policy
from labkit.cloud.cloudfront.invalidations import check_paths, matcher
from labkit.cloud.cloudfront.plan import S3_DOMAIN, pattern_regex
from labkit.cloud.cloudfront.responses import compress_entry, new_request_id
from labkit.cloud.cloudfront.validation import covers
from labkit.cloud.core.errors import AwsError

POLICY = KeyPolicy(min_ttl=0, default_ttl=86400, max_ttl=31536000, gzip=True, brotli=True)
CLAMPED = KeyPolicy(min_ttl=60, default_ttl=600, max_ttl=3600, gzip=False, brotli=False)


@pytest.mark.parametrize("headers, policy, expected", [
    ({}, POLICY, 86400),                                                    # none → DefaultTTL
    ({}, KeyPolicy(900, 300, 1000, False, False), 900),                     # DefaultTTL, or MinTTL if larger
    ({"cache-control": "max-age=120"}, POLICY, 120),
    ({"cache-control": "max-age=120, s-maxage=30"}, POLICY, 30),            # s-maxage > max-age
    ({"cache-control": "max-age=5", "expires": "Thu, 01 Jan 2099 00:00:00 GMT"}, POLICY, 5),  # max-age > Expires
    ({"expires": "Thu, 01 Jan 2037 00:01:40 GMT", "date": "Thu, 01 Jan 2037 00:00:00 GMT"}, POLICY, 100),
    ({"expires": "0"}, POLICY, 0),                                          # invalid Expires: already expired
    ({"cache-control": "max-age=1"}, CLAMPED, 60),                          # clamped up to MinTTL
    ({"cache-control": "max-age=999999"}, CLAMPED, 3600),                   # clamped down to MaxTTL
    ({"cache-control": "no-store"}, POLICY, None),                          # not cached when MinTTL = 0
    ({"cache-control": "private, max-age=60"}, POLICY, None),
    ({"cache-control": "no-cache"}, POLICY, None),
    ({"cache-control": "no-store"}, CLAMPED, 60),                           # … cached MinTTL otherwise
    ({"cache-control": "max-age=600"}, key_policy(MANAGED["4135ea2d-6df8-44a3-9df3-4b5a84be39ad"]), None),
])
def test_ttl_rules(headers, policy, expected):
    """aws-facts CloudFront, TTL: s-maxage > max-age > Expires, clamped to [MinTTL, MaxTTL]; DefaultTTL (or MinTTL
    if larger) when the origin sends none; no-cache/no-store/private not cached when MinTTL = 0, else MinTTL;
    CachingDisabled (0/0/0) stores nothing."""
    assert ttl_for(headers, policy) == expected


def test_error_ttl_defaults_to_ten_seconds_for_cached_codes():
    """aws-facts CloudFront, custom error responses: ErrorCachingMinTTL default 10 s for the codes 400 403 404 405
    414 500 501 502 503 504; "CloudFront doesn't cache status code 416 responses" (developer guide)."""
    assert error_ttl(403, None) == 10 and error_ttl(404, 30) == 30
    assert error_ttl(412, None) is None and error_ttl(404, 0) is None and error_ttl(416, None) is None


def test_managed_policies_have_the_documented_ids_and_ttls():
    """aws-facts CloudFront, managed cache policies."""
    optimized = MANAGED["658327ea-f89d-4fab-a63d-7e88639e58f6"]
    assert (optimized["MinTTL"], optimized["DefaultTTL"], optimized["MaxTTL"]) == (1, 86400, 31536000)
    assert key_policy(optimized).gzip and key_policy(optimized).brotli
    disabled = MANAGED["4135ea2d-6df8-44a3-9df3-4b5a84be39ad"]
    assert (disabled["MinTTL"], disabled["DefaultTTL"], disabled["MaxTTL"]) == (0, 0, 0)
    uncompressed = key_policy(MANAGED["b2884449-e4de-46a7-ac36-70bc7f1ddd6d"])
    assert not uncompressed.gzip and not uncompressed.brotli


@pytest.mark.parametrize("accept, policy, expected", [
    ("gzip, deflate, br", POLICY, "br"),        # Brotli preferred when both are accepted
    ("gzip", POLICY, "gzip"),
    ("deflate", POLICY, ""),
    ("br;q=0, gzip", POLICY, "gzip"),           # q=0 refuses an encoding
    ("gzip, br", KeyPolicy(0, 0, 1, gzip=True, brotli=False), "gzip"),
    ("gzip, br", CLAMPED, ""),                  # the policy does not normalise: no encoding in the key
])
def test_accept_encoding_is_normalised(accept, policy, expected):
    """Developer guide, compression: CloudFront normalises Accept-Encoding to gzip/br when the cache policy enables
    them, and uses Brotli when the viewer supports both."""
    assert normalized_encoding(accept, policy) == expected


def test_cache_key_holds_only_what_the_policy_names():
    """Cache policies: query strings, headers and cookies are in the key only as the policy says (none by default;
    CachingOptimized: none)."""
    environ = {"HTTP_X_LANG": "fr", "HTTP_COOKIE": "session=1; theme=dark"}
    plain = cache_key("D", "/a", "v=1&utm=2", environ, POLICY, "")
    assert plain == ("D", "/a", "", (), (), "")
    chosen = KeyPolicy(0, 1, 2, False, False, headers=("x-lang",), cookie_behavior="whitelist",
                       cookies=("theme",), query_behavior="allExcept", query=("utm",))
    key = cache_key("D", "/a", "v=1&utm=2", environ, chosen, "")
    assert key == ("D", "/a", "v=1", (("x-lang", "fr"),), (("theme", "dark"),), "")
    assert cache_key("D", "/a", "utm=9&v=1", environ, chosen, "") == key  # order and excluded values do not matter


def test_legacy_settings_key_and_ttls():
    """Legacy cache settings (ForwardedValues, MinTTL/DefaultTTL/MaxTTL on the behaviour); Brotli needs a cache
    policy (developer guide, serving compressed files)."""
    policy = legacy_key_policy({"ForwardedValues": {"QueryString": True, "Cookies": {"Forward": "none"}},
                                "MinTTL": 5, "DefaultTTL": 50, "MaxTTL": 500, "Compress": True})
    assert (policy.min_ttl, policy.default_ttl, policy.max_ttl) == (5, 50, 500)
    assert policy.query_behavior == "all" and policy.gzip and not policy.brotli


def test_invalidation_paths_match_as_documented():
    """aws-facts CloudFront, invalidations: paths start with /, * only at the end (zero or more characters), /* is
    everything, case-sensitive; a path without * names exactly that object (and query string)."""
    images = matcher(["/images/*"])
    assert images("/images/a.png", "") and images("/images/", "") and images("/images/x/y.png", "v=2")
    assert not images("/Images/a.png", "") and not images("/img.png", "")
    everything = matcher(["/*"])
    assert everything("/", "") and everything("/a/b", "q=1")
    exact = matcher(["/index.html", "/caf%C3%A9.html"])
    assert exact("/index.html", "") and not exact("/index.html", "v=2") and not exact("/index.htm", "")
    assert exact("/café.html", "")  # URL-encoded paths compare decoded
    assert matcher(["/page*"])("/page", "lang=en")


@pytest.mark.parametrize("paths", [["images/a.png"], ["/a*b"], ["/*/index.html"], []])
def test_invalid_invalidation_paths_are_rejected(paths):
    with pytest.raises(AwsError) as caught:
        check_paths(paths, len(paths))
    assert caught.value.code == "InvalidArgument"


def test_inconsistent_quantity_and_too_many_paths():
    with pytest.raises(AwsError) as caught:
        check_paths(["/a"], 2)
    assert caught.value.code == "InconsistentQuantities"
    with pytest.raises(AwsError) as caught:
        check_paths([f"/{i}" for i in range(3001)], 3001)
    assert (caught.value.code, caught.value.status) == ("BatchTooLarge", 413)


@pytest.mark.parametrize("pattern, path, matches", [
    ("images/*.jpg", "/images/cat.jpg", True),   # the leading / is optional
    ("/images/*.jpg", "/images/a/b.jpg", True),  # * crosses /
    ("/images/*.jpg", "/Images/cat.jpg", False),  # case-sensitive
    ("/a?c", "/abc", True),
    ("/a?c", "/ac", False),
    ("/api/[x]", "/api/[x]", True),              # brackets are literal, not a character class
    ("/api/[x]", "/api/x", False),
])
def test_path_patterns(pattern, path, matches):
    """Developer guide, cache behaviour path pattern: * is zero or more characters, ? exactly one; case-sensitive."""
    assert (pattern_regex(pattern).fullmatch(path) is not None) is matches


@pytest.mark.parametrize("names, host, expected", [
    (["www.example.com"], "www.example.com", True),
    (["*.example.com"], "www.example.com", True),
    (["*.example.com"], "example.com", False),        # a wildcard stands for exactly one label
    (["*.example.com"], "a.b.example.com", False),
    (["example.com", "*.example.com"], "EXAMPLE.com.", True),
    (["www.example.com"], "api.example.com", False),
])
def test_certificate_coverage(names, host, expected):
    """Alternate domain names must be covered by the certificate: exactly, or by a wildcard for one label (developer
    guide, alternate domain name requirements)."""
    assert covers(names, host) is expected


@pytest.mark.parametrize("domain, bucket", [
    ("site.s3.amazonaws.com", "site"),
    ("my.site.s3.us-east-1.amazonaws.com", "my.site"),
    ("site.s3-eu-west-1.amazonaws.com", "site"),
    ("site.s3-website-us-east-1.amazonaws.com", None),   # a website endpoint is a custom origin
    ("api.example.com", None),
])
def test_s3_rest_origins_are_recognised(domain, bucket):
    found = S3_DOMAIN.match(domain)
    assert (found.group("bucket") if found else None) == bucket


def test_request_id_shape():
    """aws-facts CloudFront: X-Amz-Cf-Id is 56 characters of URL-safe Base64 ending ==."""
    ids = {new_request_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{54}==", i) for i in ids)


def test_compression_conditions():
    """Developer guide, serving compressed files: compressible type, 1,000–10,000,000 bytes, not already encoded,
    status 200/403/404; a strong ETag becomes weak."""
    html = (("Content-Type", "text/html; charset=utf-8"), ("ETag", '"abc"'))
    headers, body = compress_entry(200, html, b"x" * 2000, "gzip")
    assert ("Content-Encoding", "gzip") in headers and ("ETag", 'W/"abc"') in headers and len(body) < 2000
    assert compress_entry(200, html, b"x" * 999, "gzip")[1] == b"x" * 999
    assert compress_entry(200, (("Content-Type", "image/png"),), b"x" * 2000, "br")[1] == b"x" * 2000
    assert compress_entry(200, html + (("Content-Encoding", "gzip"),), b"x" * 2000, "br")[1] == b"x" * 2000
    assert compress_entry(500, html, b"x" * 2000, "gzip")[1] == b"x" * 2000
    assert compress_entry(404, html, b"x" * 2000, "br")[1] != b"x" * 2000
