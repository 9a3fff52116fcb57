"""The AWS managed rule groups the local cloud knows, written as ordinary WAFv2 rules the engine evaluates.

    MANAGED_GROUPS     (vendor, name) → ManagedGroup: description, capacity (WCU), label namespace, rules in the
                       documented order, each with the documented name, action (Block) and label
    AWSManagedRulesCommonRuleSet (core rule set, CRS), AWSManagedRulesSQLiRuleSet,
    AWSManagedRulesKnownBadInputsRuleSet

Rule names, actions, labels, size limits and inspected components follow the AWS WAF Developer Guide pages
"Baseline rule groups" and "Use-case specific rule groups" (latest static versions). AWS does not publish the
signatures (aws-facts WAFv2), so each rule here is built from its one-line description, and errs towards
detecting less:
  - SQLi_* and CrossSiteScripting_* use libinjection (detect.py) after URL and HTML-entity decoding, as the guide
    says they use the SqliMatch/XssMatch statements (sensitivity LOW); SQLi_BODY also inspects JSON values one by
    one, since a whole JSON document hides an injection from libinjection.
  - SQLiExtendedPatterns_* use a small set of explicit SQL shapes (detect.EXTENDED_SQLI_PATTERN).
  - GenericLFI_* match directory traversal of two or more levels (the guide's ``../../``), or one level into a
    system directory, and a value (or form/JSON field) that starts with a well-known system file path; a path
    mentioned in prose ("my /etc/hosts file") is not a match.
  - GenericRFI_* match http(s)/ftp(s)/file URLs whose host is an IPv4 address, exactly as described.
  - EC2MetaDataSSRF_* match the instance metadata address in its usual spellings (dotted, decimal, hex, octal,
    IPv6 fd00:ec2::254).
  - RestrictedExtensions_*, UserAgent_BadBots_HEADER, ExploitablePaths_URIPATH: short lists around the documented
    examples (.log, .ini; nessus, nmap; web-inf).
  - Log4JRCE_*: ``${jndi:`` and the usual obfuscations of it (nested ``${${``, ``${lower:``, ``${::-``), not other
    lookups; JavaDeserializationRCE_*: Runtime/ProcessBuilder calls, the Spring4Shell class loader path and the
    serialized-object magic (raw or Base64 ``rO0AB``); ReactJSRCE_BODY: the ``$1:__proto__:``/``constructor``
    references of the React Server Components exploit (CVE-2025-55182).
  - Host_localhost_HEADER matches a Host of exactly ``localhost`` (optionally with a port): the lab's own names
    under ``*.localhost`` are not localhost and must not be blocked.
Headers (other than cookies) are inspected only by the rules whose names say HEADER.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .detect import EXTENDED_SQLI_PATTERN


@dataclass(frozen=True)
class ManagedGroup:
    vendor: str
    name: str
    description: str
    capacity: int
    label_namespace: str
    rules: list[dict[str, Any]] = field(default_factory=list)

    def label(self, rule: dict[str, Any]) -> str:
        return self.label_namespace + rule["RuleLabels"][0]["Name"]


# -- building blocks ---------------------------------------------------------------------------------------------
URI_PATH = {"UriPath": {}}
QUERY_STRING = {"QueryString": {}}
QUERY_ARGS = {"AllQueryArguments": {}}
BODY = {"Body": {"OversizeHandling": "CONTINUE"}}
JSON_VALUES = {"JsonBody": {"MatchPattern": {"All": {}}, "MatchScope": "VALUE", "InvalidFallbackBehavior": "NO_MATCH",
                            "OversizeHandling": "CONTINUE"}}
COOKIE_VALUES = {"Cookies": {"MatchPattern": {"All": {}}, "MatchScope": "VALUE", "OversizeHandling": "CONTINUE"}}
ALL_HEADERS = {"Headers": {"MatchPattern": {"All": {}}, "MatchScope": "ALL", "OversizeHandling": "CONTINUE"}}


def _header(name: str) -> dict[str, Any]:
    return {"SingleHeader": {"Name": name}}


def _tt(*types: str) -> list[dict[str, Any]]:
    return [{"Priority": priority, "Type": kind} for priority, kind in enumerate(types or ("NONE",))]


def _regex(field_to_match: dict[str, Any], pattern: str, *types: str) -> dict[str, Any]:
    return {"RegexMatchStatement": {"RegexString": pattern, "FieldToMatch": field_to_match,
                                    "TextTransformations": _tt(*types)}}


def _sqli(field_to_match: dict[str, Any], *types: str) -> dict[str, Any]:
    return {"SqliMatchStatement": {"FieldToMatch": field_to_match, "TextTransformations": _tt(*types),
                                   "SensitivityLevel": "LOW"}}


def _xss(field_to_match: dict[str, Any], *types: str) -> dict[str, Any]:
    return {"XssMatchStatement": {"FieldToMatch": field_to_match, "TextTransformations": _tt(*types)}}


def _size_over(field_to_match: dict[str, Any], size: int) -> dict[str, Any]:
    return {"SizeConstraintStatement": {"FieldToMatch": field_to_match, "ComparisonOperator": "GT", "Size": size,
                                        "TextTransformations": _tt()}}


def _any(*statements: dict[str, Any]) -> dict[str, Any]:
    return statements[0] if len(statements) == 1 else {"OrStatement": {"Statements": list(statements)}}


def _rule(name: str, label: str, statement: dict[str, Any]) -> dict[str, Any]:
    return {"Name": name, "Action": {"Block": {}}, "Statement": statement, "RuleLabels": [{"Name": label}],
            "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}}


# -- signatures --------------------------------------------------------------------------------------------------
DECODE = ("URL_DECODE", "HTML_ENTITY_DECODE")
DECODE_LOWER = ("URL_DECODE", "HTML_ENTITY_DECODE", "LOWERCASE")
XSS_DECODE = ("URL_DECODE", "JS_DECODE", "HTML_ENTITY_DECODE")
SQL_SHAPE = ("URL_DECODE", "HTML_ENTITY_DECODE", "REPLACE_COMMENTS", "COMPRESS_WHITE_SPACE", "LOWERCASE")
TRAVERSAL_DECODE = ("URL_DECODE_UNI", "URL_DECODE", "HTML_ENTITY_DECODE", "LOWERCASE")

BAD_BOTS = (r"\b(?:nessus|nmap|nikto|sqlmap|masscan|zmeu|w3af|acunetix|netsparker|openvas|dirbuster|wpscan|havij"
            r"|arachni|jorgee)\b")
METADATA = (r"169\.254\.169\.254|\[?fd00:ec2::254\]?|\b(?:2852039166|0xa9fea9fe|0xa9\.0xfe\.0xa9\.0xfe"
            r"|0251\.0376\.0251\.0376)\b")
TRAVERSAL = r"(?:\.\.[\\/]+){2,}|\.\.[\\/]+(?:etc|proc|windows|winnt|boot\.ini|usr|var|root|home)\b"
SYSTEM_FILE = (r"(?:^|[=\"'])[\\/]?(?:etc[\\/](?:passwd|shadow|group|hosts)|proc[\\/]self[\\/]\w+"
               r"|windows[\\/](?:win\.ini|system32))\b")
RESTRICTED_EXTENSION = (r"\.(?:log|ini|bak|backup|cfg|conf|config|sql|inc|old|orig|swp|htaccess|htpasswd|env"
                        r"|passwd|mdb|bat|ps1)$")
RFI = r"\b(?:https?|ftps?|file):/{2,}(?:[^/@\s]*@)?\d{1,3}(?:\.\d{1,3}){3}\b"
JAVA_RCE = (r"java\.lang\.(?:runtime|processbuilder)\b|\.getruntime\(\)\s*\.\s*exec\s*\(|class\.module\.classloader"
            r"|t\(java\.")
SERIALIZED_JAVA = r"rO0AB|\xac\xed\x00\x05"
LOG4J = r"\$\{\s*(?:jndi\s*:|\$\{|(?:lower|upper)\s*:|::-)"
REACT_RSC = r"\$@?\d+:(?:__proto__|constructor|prototype)\b"
LOCALHOST = r"^localhost(?::\d+)?$"
EXPLOITABLE_PATH = r"(?:^|/)(?:web-inf|meta-inf)(?:/|$)"


def _java(field_to_match: dict[str, Any]) -> dict[str, Any]:
    return _any(_regex(field_to_match, JAVA_RCE, *DECODE_LOWER), _regex(field_to_match, SERIALIZED_JAVA, "URL_DECODE"))


def _lfi(field_to_match: dict[str, Any]) -> dict[str, Any]:
    return _regex(field_to_match, f"{TRAVERSAL}|{SYSTEM_FILE}", *TRAVERSAL_DECODE)


CORE = ManagedGroup(
    vendor="AWS",
    name="AWSManagedRulesCommonRuleSet",
    description=("Contains rules that are generally applicable to web applications. This provides protection "
                 "against exploitation of a wide range of vulnerabilities, including those described in OWASP "
                 "publications."),
    capacity=700,
    label_namespace="awswaf:managed:aws:core-rule-set:",
    rules=[
        _rule("NoUserAgent_HEADER", "NoUserAgent_Header",
              {"NotStatement": {"Statement": _size_over(_header("user-agent"), 0)}}),
        _rule("UserAgent_BadBots_HEADER", "BadBots_Header", _regex(_header("user-agent"), BAD_BOTS, "LOWERCASE")),
        _rule("SizeRestrictions_QUERYSTRING", "SizeRestrictions_QueryString", _size_over(QUERY_STRING, 2048)),
        _rule("SizeRestrictions_Cookie_HEADER", "SizeRestrictions_Cookie_Header", _size_over(_header("cookie"), 10240)),
        _rule("SizeRestrictions_BODY", "SizeRestrictions_Body", _size_over(BODY, 8192)),
        _rule("SizeRestrictions_URIPATH", "SizeRestrictions_URIPath", _size_over(URI_PATH, 1024)),
        _rule("EC2MetaDataSSRF_BODY", "EC2MetaDataSSRF_Body", _regex(BODY, METADATA, *DECODE_LOWER)),
        _rule("EC2MetaDataSSRF_COOKIE", "EC2MetaDataSSRF_Cookie", _regex(COOKIE_VALUES, METADATA, *DECODE_LOWER)),
        _rule("EC2MetaDataSSRF_URIPATH", "EC2MetaDataSSRF_URIPath", _regex(URI_PATH, METADATA, *DECODE_LOWER)),
        _rule("EC2MetaDataSSRF_QUERYARGUMENTS", "EC2MetaDataSSRF_QueryArguments",
              _regex(QUERY_ARGS, METADATA, *DECODE_LOWER)),
        _rule("GenericLFI_QUERYARGUMENTS", "GenericLFI_QueryArguments", _lfi(QUERY_ARGS)),
        _rule("GenericLFI_URIPATH", "GenericLFI_URIPath", _lfi(URI_PATH)),
        _rule("GenericLFI_BODY", "GenericLFI_Body", _lfi(BODY)),
        _rule("RestrictedExtensions_URIPATH", "RestrictedExtensions_URIPath",
              _regex(URI_PATH, RESTRICTED_EXTENSION, "URL_DECODE", "LOWERCASE")),
        _rule("RestrictedExtensions_QUERYARGUMENTS", "RestrictedExtensions_QueryArguments",
              _regex(QUERY_ARGS, RESTRICTED_EXTENSION, "URL_DECODE", "LOWERCASE", "TRIM")),
        _rule("GenericRFI_QUERYARGUMENTS", "GenericRFI_QueryArguments", _regex(QUERY_ARGS, RFI, *DECODE_LOWER)),
        _rule("GenericRFI_BODY", "GenericRFI_Body", _regex(BODY, RFI, *DECODE_LOWER)),
        _rule("GenericRFI_URIPATH", "GenericRFI_URIPath", _regex(URI_PATH, RFI, *DECODE_LOWER)),
        _rule("CrossSiteScripting_COOKIE", "CrossSiteScripting_Cookie", _xss(COOKIE_VALUES, *XSS_DECODE)),
        _rule("CrossSiteScripting_QUERYARGUMENTS", "CrossSiteScripting_QueryArguments", _xss(QUERY_ARGS, *XSS_DECODE)),
        _rule("CrossSiteScripting_BODY", "CrossSiteScripting_Body", _xss(BODY, *XSS_DECODE)),
        _rule("CrossSiteScripting_URIPATH", "CrossSiteScripting_URIPath", _xss(URI_PATH, *XSS_DECODE)),
    ],
)

SQL_DATABASE = ManagedGroup(
    vendor="AWS",
    name="AWSManagedRulesSQLiRuleSet",
    description=("Contains rules that allow you to block request patterns associated with exploitation of SQL "
                 "databases, like SQL injection attacks. This can help prevent remote injection of unauthorized "
                 "queries."),
    capacity=200,
    label_namespace="awswaf:managed:aws:sql-database:",
    rules=[
        _rule("SQLi_QUERYARGUMENTS", "SQLi_QueryArguments", _sqli(QUERY_ARGS, *DECODE)),
        _rule("SQLiExtendedPatterns_QUERYARGUMENTS", "SQLiExtendedPatterns_QueryArguments",
              _regex(QUERY_ARGS, EXTENDED_SQLI_PATTERN, *SQL_SHAPE)),
        _rule("SQLi_BODY", "SQLi_Body", _any(_sqli(BODY, *DECODE), _sqli(JSON_VALUES, *DECODE))),
        _rule("SQLiExtendedPatterns_BODY", "SQLiExtendedPatterns_Body",
              _any(_regex(BODY, EXTENDED_SQLI_PATTERN, *SQL_SHAPE),
                   _regex(JSON_VALUES, EXTENDED_SQLI_PATTERN, *SQL_SHAPE))),
        _rule("SQLi_COOKIE", "SQLi_Cookie", _sqli(COOKIE_VALUES, *DECODE)),
        _rule("SQLi_URIPATH", "SQLi_URIPath", _sqli(URI_PATH, *DECODE)),
    ],
)

KNOWN_BAD_INPUTS = ManagedGroup(
    vendor="AWS",
    name="AWSManagedRulesKnownBadInputsRuleSet",
    description=("Contains rules that allow you to block request patterns that are known to be invalid and are "
                 "associated with exploitation or discovery of vulnerabilities. This can help reduce the risk of a "
                 "malicious actor discovering a vulnerable application."),
    capacity=200,
    label_namespace="awswaf:managed:aws:known-bad-inputs:",
    rules=[
        _rule("JavaDeserializationRCE_HEADER", "JavaDeserializationRCE_Header", _java(ALL_HEADERS)),
        _rule("JavaDeserializationRCE_BODY", "JavaDeserializationRCE_Body", _java(BODY)),
        _rule("JavaDeserializationRCE_URIPATH", "JavaDeserializationRCE_URIPath", _java(URI_PATH)),
        _rule("JavaDeserializationRCE_QUERYSTRING", "JavaDeserializationRCE_QueryString", _java(QUERY_STRING)),
        _rule("Host_localhost_HEADER", "Host_Localhost_Header",
              _regex(_header("host"), LOCALHOST, "LOWERCASE", "TRIM")),
        _rule("PROPFIND_METHOD", "Propfind_Method",
              {"ByteMatchStatement": {"SearchString": b"PROPFIND", "FieldToMatch": {"Method": {}},
                                      "PositionalConstraint": "EXACTLY", "TextTransformations": _tt()}}),
        _rule("ExploitablePaths_URIPATH", "ExploitablePaths_URIPath",
              _regex(URI_PATH, EXPLOITABLE_PATH, "URL_DECODE", "NORMALIZE_PATH", "LOWERCASE")),
        _rule("Log4JRCE_HEADER", "Log4JRCE_Header", _regex(ALL_HEADERS, LOG4J, *DECODE_LOWER)),
        _rule("Log4JRCE_QUERYSTRING", "Log4JRCE_QueryString", _regex(QUERY_STRING, LOG4J, *DECODE_LOWER)),
        _rule("Log4JRCE_BODY", "Log4JRCE_Body", _regex(BODY, LOG4J, *DECODE_LOWER)),
        _rule("Log4JRCE_URIPATH", "Log4JRCE_URIPath", _regex(URI_PATH, LOG4J, *DECODE_LOWER)),
        _rule("ReactJSRCE_BODY", "ReactJSRCE_Body", _regex(BODY, REACT_RSC, "URL_DECODE", "JS_DECODE")),
    ],
)

MANAGED_GROUPS: dict[tuple[str, str], ManagedGroup] = {
    (group.vendor, group.name): group for group in (CORE, SQL_DATABASE, KNOWN_BAD_INPUTS)
}


def find(vendor: str, name: str) -> ManagedGroup | None:
    return MANAGED_GROUPS.get((vendor, name))
