"""Match statements, each through a one-rule web ACL: does it match what the WAF Developer Guide says it matches,
and only that?"""

from __future__ import annotations

import pytest

from labkit.cloud.wafv2 import WafConfigurationError, WafEngine

from .conftest import IP6_SET_ARN, IP_SET_ARN, REGEX_SET_ARN
from .helpers import ARGS, METHOD, PATH, QUERY, acl, body, byte_match, header, regex, request, rule, size


def blocks(engine, statement, req) -> bool:
    return engine.evaluate(acl(rule("r", statement)), req, now=0.0).action == "BLOCK"


@pytest.mark.parametrize(("constraint", "path", "expected"), [
    ("EXACTLY", "/admin", True), ("EXACTLY", "/admin/", False),
    ("STARTS_WITH", "/admin/users", True), ("STARTS_WITH", "/x/admin", False),
    ("ENDS_WITH", "/x/admin", True), ("ENDS_WITH", "/admin/x", False),
    ("CONTAINS", "/x/admin/y", True), ("CONTAINS", "/adm/in", False),
])
def test_byte_match_positional_constraints(engine, constraint, path, expected):
    assert blocks(engine, byte_match("/admin", PATH, constraint), request(path)) is expected


@pytest.mark.parametrize(("value", "expected"), [
    ("BadBot", True), ("x;BadBot", True), ("BadBot;", True), ("-BadBot;", True),
    ("BadBots", False), ("my_BadBot", False), ("BadBot9", False)])
def test_byte_match_contains_word(engine, value, expected):
    """CONTAINS_WORD: SearchString preceded/followed by a non-alphanumeric, non-underscore character or the edge
    (examples ";BadBot", "BadBot;", "-BadBot;" from the guide)."""
    req = request(headers=[("X-Agent", value)])
    assert blocks(engine, byte_match("BadBot", header("x-agent"), "CONTAINS_WORD"), req) is expected


def test_byte_match_applies_transformations_to_the_request_not_the_search_string(engine):
    statement = byte_match("/admin", PATH, "STARTS_WITH", ("URL_DECODE", "LOWERCASE"))
    assert blocks(engine, statement, request("/%41dmin/x"))
    assert not blocks(engine, byte_match("/ADMIN", PATH, "STARTS_WITH", ("LOWERCASE",)), request("/admin"))


def test_search_string_bytes_and_utf8_text(engine):
    """boto3 returns SearchString as bytes; a str is taken as UTF-8 (what the SDK would send)."""
    req = request(method="POST", body="Grüße".encode())
    assert blocks(engine, byte_match("Grüße".encode(), body()), req)
    statement = byte_match(b"", body())
    statement["ByteMatchStatement"]["SearchString"] = "Grüße"
    assert blocks(engine, statement, req)


def test_regex_match(engine):
    statement = regex(r"^/api/v\d+/admin", PATH)
    assert blocks(engine, statement, request("/api/v2/admin/users"))
    assert not blocks(engine, statement, request("/api/vX/admin"))


def test_regex_pattern_set_reference(engine):
    statement = {"RegexPatternSetReferenceStatement": {"ARN": REGEX_SET_ARN, "FieldToMatch": PATH,
                                                        "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}
    assert blocks(engine, statement, request("/admin/x"))
    assert blocks(engine, statement, request("/x/index.php"))
    assert not blocks(engine, statement, request("/index.html"))


def test_regex_pattern_set_that_does_not_exist(engine):
    statement = {"RegexPatternSetReferenceStatement": {"ARN": REGEX_SET_ARN + "-gone", "FieldToMatch": PATH,
                                                        "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}
    with pytest.raises(LookupError):
        blocks(engine, statement, request("/"))


def sqli(field, level=None, transforms=("URL_DECODE",)):
    spec = {"FieldToMatch": field,
            "TextTransformations": [{"Priority": i, "Type": t} for i, t in enumerate(transforms)]}
    if level:
        spec["SensitivityLevel"] = level
    return {"SqliMatchStatement": spec}


def test_sqli_match_low(engine):
    assert blocks(engine, sqli(ARGS), request("/?id=1%27%20OR%20%271%27%3D%271"))
    assert not blocks(engine, sqli(ARGS), request("/?name=O%27Brien"))


def test_sqli_needs_the_decoding_transformation(engine):
    """aws-facts WAFv2: libinjection alone misses URL-encoded payloads; the rule's transformations decode."""
    req = request("/?id=1%27%20OR%20%271%27%3D%271")
    assert not blocks(engine, sqli(QUERY, transforms=("NONE",)), req)
    assert blocks(engine, sqli(QUERY, transforms=("URL_DECODE",)), req)


def test_sqli_high_sensitivity_sees_more(engine):
    """SensitivityLevel HIGH "uses more signatures" (aws-facts WAFv2): a catalog probe LOW lets through."""
    req = request("/?q=name%20from%20information_schema.tables")
    assert not blocks(engine, sqli(ARGS, "LOW"), req)
    assert blocks(engine, sqli(ARGS, "HIGH"), req)


def test_xss_match(engine):
    statement = {"XssMatchStatement": {"FieldToMatch": body(), "TextTransformations": [
        {"Priority": 0, "Type": "URL_DECODE"}, {"Priority": 1, "Type": "HTML_ENTITY_DECODE"}]}}
    assert blocks(engine, statement, request(method="POST", body=b"msg=%3Csvg%20onload%3Dalert(1)%3E"))
    assert blocks(engine, statement, request(method="POST", body=b"msg=&lt;script&gt;alert(1)&lt;/script&gt;"))
    assert not blocks(engine, statement, request(method="POST", body=b"msg=I+%3C3+<b>bold</b>+text"))


@pytest.mark.parametrize(("op", "limit", "expected"), [
    ("GT", 5, True), ("GT", 6, False), ("GE", 6, True), ("LT", 7, True), ("LT", 6, False),
    ("LE", 6, True), ("EQ", 6, True), ("NE", 6, False)])
def test_size_constraint(engine, op, limit, expected):
    """Size of the component after transformations: "/abcde" is 6 bytes."""
    assert blocks(engine, size(PATH, op, limit), request("/abcde")) is expected


def test_size_constraint_counts_bytes_after_transformations(engine):
    assert not blocks(engine, size(PATH, "GT", 6, ("URL_DECODE",)), request("/%61bcde"))
    assert blocks(engine, size(PATH, "GT", 6), request("/%61bcde"))


def test_size_constraint_on_an_absent_header_does_not_match(engine):
    assert not blocks(engine, size(header("x-missing"), "LT", 10), request("/"))


def ip_set(arn, forwarded=None):
    spec = {"ARN": arn}
    if forwarded:
        spec["IPSetForwardedIPConfig"] = forwarded
    return {"IPSetReferenceStatement": spec}


def test_ip_set_client_address(engine):
    assert blocks(engine, ip_set(IP_SET_ARN), request(ip="192.0.2.77"))
    assert blocks(engine, ip_set(IP_SET_ARN), request(ip="198.51.100.99"))
    assert not blocks(engine, ip_set(IP_SET_ARN), request(ip="198.51.100.98"))
    assert blocks(engine, ip_set(IP6_SET_ARN), request(ip="2001:db8::1"))
    assert not blocks(engine, ip_set(IP6_SET_ARN), request(ip="192.0.2.77"))


def test_ip_set_forwarded_positions_and_fallback(engine):
    """IPSetForwardedIPConfig: Position FIRST | LAST | ANY; FallbackBehavior for an invalid address; a missing
    header means the rule does not apply (botocore wafv2 docs)."""
    xff = [("X-Forwarded-For", "192.0.2.5, 203.0.113.1")]

    def config(position, fallback="NO_MATCH"):
        return {"HeaderName": "X-Forwarded-For", "Position": position, "FallbackBehavior": fallback}

    assert blocks(engine, ip_set(IP_SET_ARN, config("FIRST")), request(headers=xff, ip="10.0.0.1"))
    assert not blocks(engine, ip_set(IP_SET_ARN, config("LAST")), request(headers=xff, ip="10.0.0.1"))
    reversed_xff = [("X-Forwarded-For", "203.0.113.1, 192.0.2.5")]
    assert blocks(engine, ip_set(IP_SET_ARN, config("ANY")), request(headers=reversed_xff))
    assert not blocks(engine, ip_set(IP_SET_ARN, config("FIRST")), request(ip="192.0.2.5"))  # no header
    garbage = [("X-Forwarded-For", "not-an-ip")]
    assert blocks(engine, ip_set(IP_SET_ARN, config("FIRST", "MATCH")), request(headers=garbage))
    assert not blocks(engine, ip_set(IP_SET_ARN, config("FIRST", "NO_MATCH")), request(headers=garbage))


def geo(countries, forwarded=None):
    spec = {"CountryCodes": countries}
    if forwarded:
        spec["ForwardedIPConfig"] = forwarded
    return {"GeoMatchStatement": spec}


def test_geo_match_never_matches_local_addresses(resources):
    """No geolocation database in the local cloud: loopback and private addresses have no country, whatever the
    geo function says (documented in statements.py)."""
    engine = WafEngine(resources, geo=lambda address: "FR")
    for address in ("127.0.0.1", "10.1.2.3", "192.168.0.5", "::1", "fd00::1"):
        assert not blocks(engine, geo(["FR"]), request(ip=address))


def test_geo_match_with_a_geo_function(resources):
    engine = WafEngine(resources, geo=lambda address: {"8.8.8.8": "US", "81.2.69.142": "GB"}.get(address))
    assert blocks(engine, geo(["GB", "FR"]), request(ip="81.2.69.142"))
    assert not blocks(engine, geo(["GB", "FR"]), request(ip="8.8.8.8"))
    xff = {"HeaderName": "X-Forwarded-For", "FallbackBehavior": "NO_MATCH"}
    assert blocks(engine, geo(["US"], xff), request(headers=[("X-Forwarded-For", "8.8.8.8")], ip="10.0.0.1"))
    decision = engine.evaluate(acl(rule("g", geo(["US"]), action="Count")), request(ip="8.8.8.8"))
    assert "awswaf:clientip:geo:country:US" in decision.labels


def test_geo_match_without_a_geo_function_never_matches(engine):
    assert not blocks(engine, geo(["US"]), request(ip="8.8.8.8"))


def test_and_or_not(engine):
    post = byte_match("POST", METHOD, "EXACTLY")
    api = byte_match("/api", PATH, "STARTS_WITH")
    both = {"AndStatement": {"Statements": [post, api]}}
    either = {"OrStatement": {"Statements": [post, api]}}
    neither = {"NotStatement": {"Statement": either}}
    assert blocks(engine, both, request("/api/x", method="POST"))
    assert not blocks(engine, both, request("/api/x"))
    assert blocks(engine, either, request("/api/x"))
    assert blocks(engine, either, request("/", method="POST"))
    assert not blocks(engine, either, request("/"))
    assert blocks(engine, neither, request("/"))
    assert not blocks(engine, neither, request("/api"))


@pytest.mark.parametrize("statement", [
    {"AndStatement": {"Statements": [byte_match("a", PATH)]}},  # needs two
    {"ByteMatchStatement": {"SearchString": b"a", "FieldToMatch": PATH}},  # no PositionalConstraint
    {"RegexMatchStatement": {"RegexString": "(", "FieldToMatch": PATH, "TextTransformations": []}},
    {"NotStatement": {"Statement": {"RateBasedStatement": {"Limit": 10}}}},  # rate-based only at the top
    {"MindReadingStatement": {}},
])
def test_malformed_statements_are_configuration_errors(engine, statement):
    with pytest.raises(WafConfigurationError):
        engine.evaluate(acl(rule("bad", statement)), request("/"))
