"""Rate-based rules with a fake clock (aws-facts WAFv2: Limit per EvaluationWindowSec 60|120|300|600, default 300;
AggregateKeyType IP | FORWARDED_IP | CUSTOM_KEYS | CONSTANT; forwarded IP = first address of the header)."""

from __future__ import annotations

import pytest

from labkit.cloud.wafv2 import WafConfigurationError

from .helpers import PATH, acl, byte_match, request, rule


def rate(limit=10, window=None, key="IP", **extra):
    spec = {"Limit": limit, "AggregateKeyType": key, **extra}
    if window:
        spec["EvaluationWindowSec"] = window
    return {"RateBasedStatement": spec}


def send(engine, web_acl, n, *, at, **kwargs):
    """Send n requests at time ``at``; the actions, in order."""
    return [engine.evaluate(web_acl, request(**kwargs), now=at).action for _ in range(n)]


def test_limit_then_block_within_the_default_window(engine):
    """The request past Limit within the window is blocked; requests the rule blocks still count."""
    web_acl = acl(rule("per-ip", rate(limit=10)))
    assert send(engine, web_acl, 10, at=1000.0) == ["ALLOW"] * 10
    assert send(engine, web_acl, 2, at=1000.0) == ["BLOCK"] * 2
    assert send(engine, web_acl, 1, at=1299.0) == ["BLOCK"]  # default window: 300 s, 13 requests in it
    assert send(engine, web_acl, 9, at=1301.0) == ["ALLOW"] * 9  # the 12 at 1000 s left the window: 1 + 9 = 10
    assert send(engine, web_acl, 1, at=1301.0) == ["BLOCK"]


@pytest.mark.parametrize("window", [60, 120, 300, 600])
def test_evaluation_windows(engine, window):
    web_acl = acl(rule("per-ip", rate(limit=10, window=window)))
    send(engine, web_acl, 10, at=0.0)
    assert send(engine, web_acl, 1, at=window - 1.0) == ["BLOCK"]
    assert send(engine, web_acl, 1, at=2 * window + 1.0) == ["ALLOW"]


def test_invalid_window_is_refused(engine):
    with pytest.raises(WafConfigurationError):
        engine.evaluate(acl(rule("r", rate(window=30))), request())


def test_each_ip_has_its_own_count(engine):
    web_acl = acl(rule("per-ip", rate(limit=10)))
    assert send(engine, web_acl, 11, at=0.0, ip="198.51.100.1")[-1] == "BLOCK"
    assert send(engine, web_acl, 1, at=0.0, ip="198.51.100.2") == ["ALLOW"]


def test_counts_are_per_web_acl_and_rule(engine):
    first, second = acl(rule("per-ip", rate(limit=10))), acl(rule("per-ip", rate(limit=10)))
    send(engine, first, 11, at=0.0)
    assert send(engine, second, 1, at=0.0) == ["ALLOW"]


def test_forwarded_ip_uses_the_first_address(engine):
    """FORWARDED_IP: the first address of the header, not the connection's address."""
    web_acl = acl(rule("per-client", rate(limit=10, key="FORWARDED_IP", ForwardedIPConfig={
        "HeaderName": "X-Forwarded-For", "FallbackBehavior": "NO_MATCH"})))
    via_proxies = [("X-Forwarded-For", "203.0.113.50, 10.0.0.1")]
    for proxy in range(11):  # the same client through eleven different proxies
        action = send(engine, web_acl, 1, at=0.0, ip=f"10.0.1.{proxy}", headers=via_proxies)[0]
    assert action == "BLOCK"
    other = [("X-Forwarded-For", "203.0.113.51, 10.0.0.1")]
    assert send(engine, web_acl, 1, at=0.0, headers=other) == ["ALLOW"]


def test_forwarded_ip_missing_header_is_not_counted(engine):
    """Without the header the rule does not apply to the request (botocore wafv2 docs, ForwardedIPConfig)."""
    web_acl = acl(rule("per-client", rate(limit=10, key="FORWARDED_IP", ForwardedIPConfig={
        "HeaderName": "X-Forwarded-For", "FallbackBehavior": "MATCH"})))
    assert send(engine, web_acl, 20, at=0.0) == ["ALLOW"] * 20


def test_forwarded_ip_invalid_address_uses_the_fallback(engine):
    config = {"HeaderName": "X-Forwarded-For", "FallbackBehavior": "MATCH"}
    web_acl = acl(rule("per-client", rate(limit=10, key="FORWARDED_IP", ForwardedIPConfig=config)))
    assert send(engine, web_acl, 1, at=0.0, headers=[("X-Forwarded-For", "unknown")]) == ["BLOCK"]


def test_constant_key_counts_everyone_together(engine):
    web_acl = acl(rule("global", rate(limit=10, key="CONSTANT")))
    for client in range(10):
        assert send(engine, web_acl, 1, at=0.0, ip=f"198.51.100.{client}") == ["ALLOW"]
    assert send(engine, web_acl, 1, at=0.0, ip="203.0.113.1") == ["BLOCK"]


def test_custom_keys(engine):
    """CUSTOM_KEYS: the count is per combination; a request without a key component is not counted."""
    keys = [{"HTTPMethod": {}}, {"Header": {"Name": "x-api-key", "TextTransformations": [
        {"Priority": 0, "Type": "LOWERCASE"}]}}]
    web_acl = acl(rule("per-key", rate(limit=10, key="CUSTOM_KEYS", CustomKeys=keys)))
    assert send(engine, web_acl, 10, at=0.0, headers=[("X-Api-Key", "ABC")]) == ["ALLOW"] * 10
    assert send(engine, web_acl, 1, at=0.0, headers=[("X-Api-Key", "abc")]) == ["BLOCK"]  # LOWERCASE: same key
    assert send(engine, web_acl, 1, at=0.0, method="POST", headers=[("X-Api-Key", "abc")]) == ["ALLOW"]
    assert send(engine, web_acl, 20, at=0.0) == ["ALLOW"] * 20  # no key header: never counted


def test_scope_down_counts_only_matching_requests(engine):
    scope = byte_match("/login", PATH, "STARTS_WITH")
    web_acl = acl(rule("login", rate(limit=10, ScopeDownStatement=scope)))
    assert send(engine, web_acl, 30, at=0.0, target="/home") == ["ALLOW"] * 30
    assert send(engine, web_acl, 11, at=0.0, target="/login")[-1] == "BLOCK"
    assert send(engine, web_acl, 1, at=0.0, target="/home") == ["ALLOW"]


def test_custom_response_429(engine):
    """The usual lab setup: a rate rule answering 429 (research/moto-5.2.5.md §5 stores exactly this)."""
    action = {"Block": {"CustomResponse": {"ResponseCode": 429}}}
    web_acl = acl(rule("per-ip", rate(limit=10), action=action))
    send(engine, web_acl, 10, at=0.0)
    assert engine.evaluate(web_acl, request(), now=0.0).response.status == 429


def test_memory_stays_bounded(engine):
    """Only Limit+1 timestamps per key are kept, however many requests arrive."""
    web_acl = acl(rule("per-ip", rate(limit=10)))
    send(engine, web_acl, 500, at=0.0)
    assert max(len(times) for times in engine.rates._seen.values()) == 11
