"""Fixtures for the WAF tests: an engine over plain dicts (no cloud needed)."""

from __future__ import annotations

import pytest

from labkit.cloud.wafv2 import StaticResources, WafEngine

IP_SET_ARN = "arn:aws:wafv2:us-east-1:123456789012:global/ipset/blocked/1"
IP6_SET_ARN = "arn:aws:wafv2:us-east-1:123456789012:global/ipset/blocked6/2"
REGEX_SET_ARN = "arn:aws:wafv2:us-east-1:123456789012:regional/regexpatternset/bad-words/3"
RULE_GROUP_ARN = "arn:aws:wafv2:us-east-1:123456789012:global/rulegroup/own-rules/4"


@pytest.fixture
def resources() -> StaticResources:
    return StaticResources(
        ip_sets={IP_SET_ARN: {"IPAddressVersion": "IPV4", "Addresses": ["192.0.2.0/24", "198.51.100.99/32"]},
                 IP6_SET_ARN: {"IPAddressVersion": "IPV6", "Addresses": ["2001:db8::/32"]}},
        regex_pattern_sets={REGEX_SET_ARN: {"RegularExpressionList": [{"RegexString": "^/admin"},
                                                                      {"RegexString": r"\.php$"}]}},
    )


@pytest.fixture
def engine(resources: StaticResources) -> WafEngine:
    return WafEngine(resources)
