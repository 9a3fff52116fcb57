"""FieldToMatch: is each request component read the way AWS WAF reads it, with its inspection limits and
oversize handling (aws-facts WAFv2: body 16 KB by default for CloudFront and API Gateway, OversizeHandling
CONTINUE | MATCH | NO_MATCH; botocore wafv2 docs: headers and cookies up to 8 KB or 200 entries)?"""

from __future__ import annotations

import json

import pytest

from labkit.cloud.wafv2.fields import Limits, compile_field, extract
from labkit.cloud.wafv2.request import INVALID, WafRequest

from .helpers import request


def values(spec, req, limits=Limits()):
    return extract(compile_field(spec), req, limits)


def test_single_header_is_case_insensitive_and_absent_means_nothing():
    req = request(headers=[("X-Trace", "abc")])
    assert values({"SingleHeader": {"Name": "x-TRACE"}}, req).values == ["abc"]
    assert values({"SingleHeader": {"Name": "x-missing"}}, req).values == []


def test_query_arguments_are_raw_and_names_case_insensitive():
    """SingleQueryArgument: "The name ... isn't case sensitive"; values are inspected as sent (still encoded),
    which is why the managed rules URL-decode them."""
    req = request("/s?Q=a%20b&x=1&q=2")
    assert values({"SingleQueryArgument": {"Name": "q"}}, req).values == ["a%20b", "2"]
    assert values({"AllQueryArguments": {}}, req).values == ["a%20b", "1", "2"]
    assert values({"QueryString": {}}, req).values == ["Q=a%20b&x=1&q=2"]


def test_uri_path_and_method_are_as_on_the_wire():
    req = request("/a%2Fb/../c?x=1", method="PATCH")
    assert values({"UriPath": {}}, req).values == ["/a%2Fb/../c"]
    assert values({"Method": {}}, req).values == ["PATCH"]


@pytest.mark.parametrize(("handling", "forced"), [("CONTINUE", None), ("MATCH", True), ("NO_MATCH", False)])
def test_body_over_16_kb(handling, forced):
    """A body past the 16 KB default: CONTINUE inspects the first 16 KB, MATCH/NO_MATCH decide on their own."""
    req = request(method="POST", body=b"a" * (16 * 1024) + b"TAIL")
    extracted = values({"Body": {"OversizeHandling": handling}}, req)
    assert extracted.forced is forced
    if handling == "CONTINUE":
        assert extracted.values == ["a" * 16 * 1024]


def test_body_within_limit_is_whole():
    req = request(method="POST", body=b"x" * (16 * 1024))
    extracted = values({"Body": {"OversizeHandling": "MATCH"}}, req)
    assert extracted.forced is None and len(extracted.values[0]) == 16 * 1024


def test_body_limit_follows_association_config_and_resource_type():
    """AssociationConfig.RequestBody.<type>.DefaultSizeInspectionLimit raises the limit (to 64 KB); load
    balancers are fixed at 8 KB (WAF Developer Guide, body inspection size limits)."""
    acl = {"AssociationConfig": {"RequestBody": {"CLOUDFRONT": {"DefaultSizeInspectionLimit": "KB_32"}}}}
    assert Limits.for_resource(acl, "CLOUDFRONT").body == 32 * 1024
    assert Limits.for_resource(acl, "API_GATEWAY").body == 16 * 1024
    assert Limits.for_resource({}, "APPLICATION_LOAD_BALANCER").body == 8 * 1024


JSON_DOC = {"name": "Alex", "tags": ["a", "b"], "address": {"city": "Cork", "zip": 12}, "vip": True}


def json_field(scope="ALL", pattern=None, fallback=None):
    spec = {"MatchPattern": pattern or {"All": {}}, "MatchScope": scope, "OversizeHandling": "CONTINUE"}
    if fallback:
        spec["InvalidFallbackBehavior"] = fallback
    return {"JsonBody": spec}


def test_json_body_scopes():
    """MatchScope KEY, VALUE or ALL (keys and values, each its own string)."""
    req = request(method="POST", body=json.dumps(JSON_DOC).encode())
    assert values(json_field("KEY"), req).values == ["name", "tags", "address", "city", "zip", "vip"]
    assert values(json_field("VALUE"), req).values == ["Alex", "a", "b", "Cork", "12", "true"]
    assert set(values(json_field("ALL"), req).values) == {"name", "Alex", "tags", "a", "b", "address", "city",
                                                          "Cork", "zip", "12", "vip", "true"}


def test_json_body_included_paths_are_json_pointers():
    req = request(method="POST", body=json.dumps(JSON_DOC).encode())
    picked = values(json_field("VALUE", {"IncludedPaths": ["/address", "/tags/1"]}), req).values
    assert picked == ["b", "Cork", "12"]


@pytest.mark.parametrize(("fallback", "forced", "inspected"), [
    ("MATCH", True, []), ("NO_MATCH", False, []), ("EVALUATE_AS_STRING", None, ['{"broken": ']), (None, None, [])])
def test_json_body_invalid_fallback(fallback, forced, inspected):
    """InvalidFallbackBehavior decides for unparseable JSON (botocore wafv2 docs, JsonBody)."""
    extracted = values(json_field(fallback=fallback), request(method="POST", body=b'{"broken": '))
    assert extracted.forced is forced and extracted.values == inspected


def test_headers_match_pattern_and_scope():
    req = request(headers=[("X-A", "1"), ("X-B", "2")])
    included = {"Headers": {"MatchPattern": {"IncludedHeaders": ["x-a"]}, "MatchScope": "VALUE",
                            "OversizeHandling": "CONTINUE"}}
    excluded = {"Headers": {"MatchPattern": {"ExcludedHeaders": ["Host", "User-Agent", "X-A"]}, "MatchScope": "ALL",
                            "OversizeHandling": "CONTINUE"}}
    assert values(included, req).values == ["1"]
    assert values(excluded, req).values == ["X-B", "2"]


@pytest.mark.parametrize(("handling", "forced"), [("CONTINUE", None), ("MATCH", True), ("NO_MATCH", False)])
def test_more_than_200_headers_is_oversize(handling, forced):
    req = request(headers=[(f"X-{i}", "v") for i in range(200)])
    extracted = values({"Headers": {"MatchPattern": {"All": {}}, "MatchScope": "KEY", "OversizeHandling": handling}},
                       req)
    assert extracted.forced is forced
    assert len(extracted.values) == 200  # CONTINUE inspects the first 200


def test_cookies_from_every_cookie_header():
    req = request(headers=[("Cookie", "a=1; b=2"), ("cookie", "c=3")])
    spec = {"Cookies": {"MatchPattern": {"ExcludedCookies": ["b"]}, "MatchScope": "ALL",
                        "OversizeHandling": "CONTINUE"}}
    assert values(spec, req).values == ["a", "1", "c", "3"]
    assert req.header("Cookie") == "a=1; b=2; c=3"  # HTTP/2 splits cookies; they join with "; "


def test_header_order_is_colon_separated_names():
    """HeaderOrder: "host:user-agent:accept:authorization:referer" (botocore wafv2 docs)."""
    req = WafRequest.from_target("GET", "/", [("Host", "h"), ("User-Agent", "u"), ("Accept", "*/*")], b"")
    assert values({"HeaderOrder": {"OversizeHandling": "CONTINUE"}}, req).values == ["host:user-agent:accept"]


def test_uri_fragment_and_its_fallback():
    assert values({"UriFragment": {"FallbackBehavior": "NO_MATCH"}}, request("/a#top")).values == ["top"]
    assert values({"UriFragment": {"FallbackBehavior": "MATCH"}}, request("/a")).forced is True
    assert values({"UriFragment": {"FallbackBehavior": "NO_MATCH"}}, request("/a")).forced is False


def test_unknown_field_is_refused():
    with pytest.raises(ValueError):
        compile_field({"Telepathy": {}})


def test_forwarded_ip_positions():
    """aws-facts WAFv2: the forwarded IP is the first address of the header (IP sets may ask for LAST or ANY)."""
    req = request(headers=[("X-Forwarded-For", "203.0.113.9, 10.0.0.1, bogus")])
    assert req.forwarded_ip("x-forwarded-for") == "203.0.113.9"
    assert req.forwarded_ip("X-Forwarded-For", "LAST") == INVALID
    assert req.forwarded_ip("X-Forwarded-For", "ANY") == ["203.0.113.9", "10.0.0.1"]
    assert req.forwarded_ip("X-Real-IP") is None
