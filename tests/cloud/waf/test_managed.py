"""The managed rule groups: documented rule names, order, actions and labels (WAF Developer Guide, "Baseline rule
groups" and "Use-case specific rule groups"; aws-facts WAFv2), and each rule firing on its documented example."""

from __future__ import annotations

import pytest

from labkit.cloud.wafv2 import MANAGED_GROUPS, WafRequest

from .helpers import UA, acl, managed, request

CRS, SQLI, KBI = "AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"

# Rule name → label, in the documented order, copied from the guide (not from managed.py).
DOCUMENTED = {
    CRS: [
        ("NoUserAgent_HEADER", "awswaf:managed:aws:core-rule-set:NoUserAgent_Header"),
        ("UserAgent_BadBots_HEADER", "awswaf:managed:aws:core-rule-set:BadBots_Header"),
        ("SizeRestrictions_QUERYSTRING", "awswaf:managed:aws:core-rule-set:SizeRestrictions_QueryString"),
        ("SizeRestrictions_Cookie_HEADER", "awswaf:managed:aws:core-rule-set:SizeRestrictions_Cookie_Header"),
        ("SizeRestrictions_BODY", "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"),
        ("SizeRestrictions_URIPATH", "awswaf:managed:aws:core-rule-set:SizeRestrictions_URIPath"),
        ("EC2MetaDataSSRF_BODY", "awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body"),
        ("EC2MetaDataSSRF_COOKIE", "awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Cookie"),
        ("EC2MetaDataSSRF_URIPATH", "awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_URIPath"),
        ("EC2MetaDataSSRF_QUERYARGUMENTS", "awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_QueryArguments"),
        ("GenericLFI_QUERYARGUMENTS", "awswaf:managed:aws:core-rule-set:GenericLFI_QueryArguments"),
        ("GenericLFI_URIPATH", "awswaf:managed:aws:core-rule-set:GenericLFI_URIPath"),
        ("GenericLFI_BODY", "awswaf:managed:aws:core-rule-set:GenericLFI_Body"),
        ("RestrictedExtensions_URIPATH", "awswaf:managed:aws:core-rule-set:RestrictedExtensions_URIPath"),
        ("RestrictedExtensions_QUERYARGUMENTS", "awswaf:managed:aws:core-rule-set:RestrictedExtensions_QueryArguments"),
        ("GenericRFI_QUERYARGUMENTS", "awswaf:managed:aws:core-rule-set:GenericRFI_QueryArguments"),
        ("GenericRFI_BODY", "awswaf:managed:aws:core-rule-set:GenericRFI_Body"),
        ("GenericRFI_URIPATH", "awswaf:managed:aws:core-rule-set:GenericRFI_URIPath"),
        ("CrossSiteScripting_COOKIE", "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Cookie"),
        ("CrossSiteScripting_QUERYARGUMENTS", "awswaf:managed:aws:core-rule-set:CrossSiteScripting_QueryArguments"),
        ("CrossSiteScripting_BODY", "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body"),
        ("CrossSiteScripting_URIPATH", "awswaf:managed:aws:core-rule-set:CrossSiteScripting_URIPath"),
    ],
    SQLI: [
        ("SQLi_QUERYARGUMENTS", "awswaf:managed:aws:sql-database:SQLi_QueryArguments"),
        ("SQLiExtendedPatterns_QUERYARGUMENTS", "awswaf:managed:aws:sql-database:SQLiExtendedPatterns_QueryArguments"),
        ("SQLi_BODY", "awswaf:managed:aws:sql-database:SQLi_Body"),
        ("SQLiExtendedPatterns_BODY", "awswaf:managed:aws:sql-database:SQLiExtendedPatterns_Body"),
        ("SQLi_COOKIE", "awswaf:managed:aws:sql-database:SQLi_Cookie"),
        ("SQLi_URIPATH", "awswaf:managed:aws:sql-database:SQLi_URIPath"),
    ],
    KBI: [
        ("JavaDeserializationRCE_HEADER", "awswaf:managed:aws:known-bad-inputs:JavaDeserializationRCE_Header"),
        ("JavaDeserializationRCE_BODY", "awswaf:managed:aws:known-bad-inputs:JavaDeserializationRCE_Body"),
        ("JavaDeserializationRCE_URIPATH", "awswaf:managed:aws:known-bad-inputs:JavaDeserializationRCE_URIPath"),
        ("JavaDeserializationRCE_QUERYSTRING",
         "awswaf:managed:aws:known-bad-inputs:JavaDeserializationRCE_QueryString"),
        ("Host_localhost_HEADER", "awswaf:managed:aws:known-bad-inputs:Host_Localhost_Header"),
        ("PROPFIND_METHOD", "awswaf:managed:aws:known-bad-inputs:Propfind_Method"),
        ("ExploitablePaths_URIPATH", "awswaf:managed:aws:known-bad-inputs:ExploitablePaths_URIPath"),
        ("Log4JRCE_HEADER", "awswaf:managed:aws:known-bad-inputs:Log4JRCE_Header"),
        ("Log4JRCE_QUERYSTRING", "awswaf:managed:aws:known-bad-inputs:Log4JRCE_QueryString"),
        ("Log4JRCE_BODY", "awswaf:managed:aws:known-bad-inputs:Log4JRCE_Body"),
        ("Log4JRCE_URIPATH", "awswaf:managed:aws:known-bad-inputs:Log4JRCE_URIPath"),
        ("ReactJSRCE_BODY", "awswaf:managed:aws:known-bad-inputs:ReactJSRCE_Body"),
    ],
}
CAPACITY = {CRS: 700, SQLI: 200, KBI: 200}  # "WCU" in each group's heading


@pytest.mark.parametrize("group", list(DOCUMENTED))
def test_documented_rules_labels_and_capacity(group):
    spec = MANAGED_GROUPS[("AWS", group)]
    assert [(rule["Name"], spec.label(rule)) for rule in spec.rules] == DOCUMENTED[group]
    assert all(rule["Action"] == {"Block": {}} for rule in spec.rules)  # "Rule action: Block" for every rule
    assert spec.capacity == CAPACITY[group]


LOG4J = "${jndi:ldap://example.com/}"  # the guide's example pattern
JAVA = '(java.lang.Runtime).getRuntime().exec("whoami")'  # the guide's example pattern
XSS = '<script>alert("hello")</script>'  # the guide's example pattern


def post(body: str | bytes, content_type: str = "application/x-www-form-urlencoded", **kwargs) -> WafRequest:
    data = body if isinstance(body, bytes) else body.encode()
    return request("/messages", method="POST", body=data, headers=[("Content-Type", content_type)], **kwargs)


def cookie(value: str) -> WafRequest:
    return request("/", headers=[("Cookie", f"session=abc; {value}")])


def q(text: str) -> str:
    from urllib.parse import quote
    return quote(text, safe="")


EXAMPLES = [
    (CRS, "NoUserAgent_HEADER", request("/", user_agent=False)),
    (CRS, "UserAgent_BadBots_HEADER", WafRequest.from_target("GET", "/", [("User-Agent", "Nessus SOAP")])),
    (CRS, "UserAgent_BadBots_HEADER", WafRequest.from_target("GET", "/", [(
        "User-Agent", "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)")])),
    (CRS, "SizeRestrictions_QUERYSTRING", request("/?q=" + "a" * 2047)),
    (CRS, "SizeRestrictions_Cookie_HEADER", request("/", headers=[("Cookie", "c=" + "a" * 10239)])),
    (CRS, "SizeRestrictions_BODY", post("a" * 8193)),
    (CRS, "SizeRestrictions_URIPATH", request("/" + "a" * 1024)),
    (CRS, "EC2MetaDataSSRF_BODY", post("url=http://169.254.169.254/latest/meta-data/")),
    (CRS, "EC2MetaDataSSRF_COOKIE", cookie("target=169.254.169.254")),
    (CRS, "EC2MetaDataSSRF_URIPATH", request("/fetch/169.254.169.254/latest/meta-data")),
    (CRS, "EC2MetaDataSSRF_QUERYARGUMENTS", request("/?u=" + q("http://[fd00:ec2::254]/latest/"))),
    (CRS, "GenericLFI_QUERYARGUMENTS", request("/?f=../../etc/passwd")),
    (CRS, "GenericLFI_URIPATH", request("/static/..%2F..%2F..%2Fetc/passwd")),
    (CRS, "GenericLFI_BODY", post("file=..%2f..%2f..%2fetc%2fshadow")),
    (CRS, "RestrictedExtensions_URIPATH", request("/logs/error.log")),
    (CRS, "RestrictedExtensions_QUERYARGUMENTS", request("/download?file=settings.ini")),
    (CRS, "GenericRFI_QUERYARGUMENTS", request("/?page=" + q("http://192.0.2.10/shell.txt"))),
    (CRS, "GenericRFI_BODY", post("page=ftp://192.0.2.10/x.txt")),
    (CRS, "GenericRFI_URIPATH", request("/include/file://192.0.2.10/x")),
    (CRS, "CrossSiteScripting_COOKIE", cookie("name=" + q(XSS))),
    (CRS, "CrossSiteScripting_QUERYARGUMENTS", request("/?q=" + q(XSS))),
    (CRS, "CrossSiteScripting_BODY", post("message=" + q(XSS))),
    (CRS, "CrossSiteScripting_URIPATH", request("/" + q(XSS))),
    (SQLI, "SQLi_QUERYARGUMENTS", request("/?id=" + q("1' OR '1'='1"))),
    (SQLI, "SQLiExtendedPatterns_QUERYARGUMENTS", request("/?q=" + q("name from information_schema.tables"))),
    (SQLI, "SQLi_BODY", post('{"id": "1\' OR \'1\'=\'1"}', "application/json")),
    (SQLI, "SQLiExtendedPatterns_BODY", post("cmd=" + q("xp_cmdshell('dir')"))),
    (SQLI, "SQLi_COOKIE", cookie("id=" + q("1' OR '1'='1"))),
    (SQLI, "SQLi_URIPATH", request("/SELECT-1e1FROM%60test%60")),  # from a published AWS WAF log (statements.py)
    (KBI, "JavaDeserializationRCE_HEADER", request("/", headers=[
        ("spring.cloud.function.routing-expression", "T(java.lang.Runtime).getRuntime().exec(\"whoami\")")])),
    (KBI, "JavaDeserializationRCE_BODY", post(JAVA, "text/plain")),
    (KBI, "JavaDeserializationRCE_URIPATH", request("/" + q(JAVA))),
    (KBI, "JavaDeserializationRCE_QUERYSTRING", request("/?x=" + q(JAVA))),
    (KBI, "JavaDeserializationRCE_BODY", post(b"rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA==", "application/octet-stream")),
    (KBI, "Host_localhost_HEADER", WafRequest.from_target("GET", "/", [("Host", "localhost"), UA])),
    (KBI, "Host_localhost_HEADER", WafRequest.from_target("GET", "/", [("Host", "LOCALHOST:8080"), UA])),
    (KBI, "PROPFIND_METHOD", request("/", method="PROPFIND")),
    (KBI, "ExploitablePaths_URIPATH", request("/WEB-INF/web.xml")),
    (KBI, "Log4JRCE_HEADER", request("/", headers=[("X-Api-Version", LOG4J)])),
    (KBI, "Log4JRCE_HEADER", WafRequest.from_target("GET", "/", [("User-Agent", "${${lower:j}ndi:ldap://x/a}")])),
    (KBI, "Log4JRCE_QUERYSTRING", request("/?x=" + q(LOG4J))),
    (KBI, "Log4JRCE_BODY", post("name=" + LOG4J)),
    (KBI, "Log4JRCE_URIPATH", request("/" + q("${${::-j}ndi:rmi://x/a}"))),
    (KBI, "ReactJSRCE_BODY", post('{"then":"$1:__proto__:then","status":"resolved_model"}', "text/plain")),
]


@pytest.mark.parametrize(("group", "name", "req"), EXAMPLES, ids=[f"{g[14:]}-{n}-{i}" for i, (g, n, _) in
                                                                 enumerate(EXAMPLES)])
def test_rule_fires_on_its_documented_example(engine, group, name, req):
    """Does the rule the guide describes block its example, with its own label?"""
    decision = engine.evaluate(acl(managed(group)), req)
    assert decision.action == "BLOCK"
    assert decision.terminating_rule == f"{group}:{name}"
    assert dict(DOCUMENTED[group])[name] in decision.labels


@pytest.mark.parametrize(("req", "group"), [
    (request("/?q=" + "a" * 2046), CRS),  # query string of exactly 2,048 bytes: "over 2,048" only
    (request("/", headers=[("Cookie", "c=" + "a" * 10238)]), CRS),  # 10,240-byte cookie header
    (post("a" * 8192), CRS),  # an 8 KB body
    (request("/" + "a" * 1023), CRS),  # a 1,024-byte path
])
def test_size_limits_are_exclusive(engine, req, group):
    """The size rules inspect for components "over" the documented size: exactly that size passes."""
    assert engine.evaluate(acl(managed(group)), req).action == "ALLOW"


@pytest.mark.parametrize("host", ["www.contact.localhost", "contact.localhost:4443",
                                  "abc123.execute-api.localhost:4443", "d111.cloudfront.localhost"])
def test_lab_hostnames_are_not_localhost(engine, host):
    """Host_localhost_HEADER inspects for localhost; the lab's own *.localhost names are other hosts."""
    req = WafRequest.from_target("GET", "/", [("Host", host), UA])
    assert engine.evaluate(acl(managed(KBI)), req).action == "ALLOW"


def test_body_rules_continue_past_the_inspection_limit(engine):
    """The body rules use OversizeHandling CONTINUE (guide): an attack inside the first 16 KB of a large body is
    still found, and one past the limit is not."""
    padding = "a" * (16 * 1024)
    inside = post("x=" + q(LOG4J) + "&pad=" + padding)
    beyond = post("pad=" + padding + "&x=" + q(LOG4J))
    assert engine.evaluate(acl(managed(KBI)), inside).terminating_rule == f"{KBI}:Log4JRCE_BODY"
    assert engine.evaluate(acl(managed(KBI)), beyond).action == "ALLOW"


@pytest.mark.parametrize("req", [
    request("/search?q=select+a+plan&sort=union"),
    request("/?name=O%27Brien"),
    post("name=Conor+O%27Brien&message=It%27s+a+great+site+--+thanks%21"),
    post('{"message": "Which union should I select?", "email": "a@example.com"}', "application/json"),
    request("/assets/app.js", headers=[("Cookie", "_ga=GA1.1.123.456; theme=dark")]),
    request("/docs/config-guide.html"),
])
def test_ordinary_requests_pass_all_three_groups(engine, req):
    web_acl = acl(managed(CRS), managed(SQLI), managed(KBI))
    assert engine.evaluate(web_acl, req).action == "ALLOW"
