"""Web ACL evaluation (aws-facts WAFv2): priorities, terminating and non-terminating actions, labels, rule-group
overrides, scope-down statements, custom responses and inserted request headers."""

from __future__ import annotations

import pytest

from labkit.cloud.wafv2 import StaticResources, WafConfigurationError, WafEngine

from .conftest import RULE_GROUP_ARN
from .helpers import ACCOUNT, PATH, acl, byte_match, label_match, managed, request, rule

SQLI = "AWSManagedRulesSQLiRuleSet"
ADMIN = byte_match("/admin", PATH, "STARTS_WITH")
ANY_PATH = byte_match("/", PATH, "STARTS_WITH")


def test_rules_run_by_ascending_priority_not_list_order(engine):
    """aws-facts WAFv2: "Rules run by ascending Priority"."""
    web_acl = acl(rule("block-admin", ADMIN, priority=20), rule("allow-admin", ADMIN, action="Allow", priority=10))
    decision = engine.evaluate(web_acl, request("/admin"))
    assert (decision.action, decision.terminating_rule) == ("ALLOW", "allow-admin")


def test_allow_terminates(engine):
    web_acl = acl(rule("allow-all", ANY_PATH, action="Allow"), rule("block-admin", ADMIN))
    decision = engine.evaluate(web_acl, request("/admin"))
    assert decision.action == "ALLOW" and [m.rule for m in decision.matches] == ["allow-all"]


def test_count_adds_labels_and_continues(engine):
    """Count does not terminate; it adds the rule's labels, which later rules can match (LabelMatchStatement)."""
    web_acl = acl(rule("tag-admin", ADMIN, action="Count", labels=("lab:admin",)),
                  rule("block-tagged", label_match("lab:admin")))
    decision = engine.evaluate(web_acl, request("/admin/users"))
    assert decision.action == "BLOCK" and decision.terminating_rule == "block-tagged"
    assert decision.labels == [f"awswaf:{ACCOUNT}:webacl:lab-acl:lab:admin"]
    assert [(m.rule, m.action) for m in decision.matches] == [("tag-admin", "COUNT"), ("block-tagged", "BLOCK")]
    assert engine.evaluate(web_acl, request("/public")).action == "ALLOW"


def test_label_match_sees_only_earlier_rules(engine):
    web_acl = acl(rule("block-tagged", label_match("lab:admin"), priority=1),
                  rule("tag-admin", ADMIN, action="Count", labels=("lab:admin",), priority=2))
    decision = engine.evaluate(web_acl, request("/admin"))
    assert decision.action == "ALLOW" and decision.labels == [f"awswaf:{ACCOUNT}:webacl:lab-acl:lab:admin"]


@pytest.mark.parametrize(("key", "scope", "expected"), [
    ("admin", "LABEL", True), ("lab:admin", "LABEL", True),
    (f"awswaf:{ACCOUNT}:webacl:lab-acl:lab:admin", "LABEL", True),
    ("lab:adm", "LABEL", False), ("lab:", "NAMESPACE", True), ("webacl:lab-acl:", "NAMESPACE", True),
    ("admin:", "NAMESPACE", False), ("Lab:admin", "LABEL", False)])
def test_label_match_keys_and_scopes(engine, key, scope, expected):
    """LABEL: the name with any number of its namespaces; NAMESPACE: contiguous namespaces; case-sensitive."""
    web_acl = acl(rule("tag", ADMIN, action="Count", labels=("lab:admin",)), rule("match", label_match(key, scope)))
    assert (engine.evaluate(web_acl, request("/admin")).action == "BLOCK") is expected


def test_default_action(engine):
    """DefaultAction applies if nothing terminates."""
    allowed = engine.evaluate(acl(rule("block-admin", ADMIN)), request("/home"))
    assert (allowed.action, allowed.terminating_rule, allowed.terminating_rule_id) == ("ALLOW", None, "Default_Action")
    blocked = engine.evaluate(acl(rule("allow-admin", ADMIN, action="Allow"), default={"Block": {}}), request("/home"))
    assert (blocked.action, blocked.response) == ("BLOCK", None)


def test_block_without_custom_response_leaves_the_page_to_the_caller(engine):
    """Block: bare 403 by default (aws-facts WAFv2); None tells the data plane to render its own page."""
    decision = engine.evaluate(acl(rule("block-admin", ADMIN)), request("/admin"))
    assert decision.action == "BLOCK" and decision.blocked and decision.response is None


def test_custom_response(engine):
    """Block.CustomResponse {ResponseCode, CustomResponseBodyKey, ResponseHeaders} with the web ACL's
    CustomResponseBodies {ContentType TEXT_PLAIN|TEXT_HTML|APPLICATION_JSON, Content} (aws-facts WAFv2)."""
    action = {"Block": {"CustomResponse": {"ResponseCode": 429, "CustomResponseBodyKey": "slow-down",
                                           "ResponseHeaders": [{"Name": "Retry-After", "Value": "60"}]}}}
    bodies = {"slow-down": {"ContentType": "APPLICATION_JSON", "Content": '{"error":"slow"}'}}
    web_acl = acl(rule("limit", ADMIN, action=action), CustomResponseBodies=bodies)
    response = engine.evaluate(web_acl, request("/admin")).response
    assert response.status == 429 and response.body == b'{"error":"slow"}'
    assert response.headers == [("Retry-After", "60"), ("Content-Type", "application/json")]


def test_custom_response_status_only(engine):
    action = {"Block": {"CustomResponse": {"ResponseCode": 404}}}
    response = engine.evaluate(acl(rule("hide", ADMIN, action=action)), request("/admin")).response
    assert (response.status, response.headers, response.body) == (404, [], b"")


def test_default_block_with_custom_html_body(engine):
    default = {"Block": {"CustomResponse": {"ResponseCode": 403, "CustomResponseBodyKey": "page"}}}
    web_acl = acl(default=default, CustomResponseBodies={"page": {"ContentType": "TEXT_HTML", "Content": "<p>No</p>"}})
    response = engine.evaluate(web_acl, request("/")).response
    assert response.body == b"<p>No</p>" and ("Content-Type", "text/html") in response.headers


def test_inserted_request_headers_are_prefixed(engine):
    """Allow/Count CustomRequestHandling: "Inserted request headers get the x-amzn-waf- prefix" (aws-facts)."""
    count = {"Count": {"CustomRequestHandling": {"InsertHeaders": [{"Name": "seen-admin", "Value": "yes"}]}}}
    default = {"Allow": {"CustomRequestHandling": {"InsertHeaders": [{"Name": "checked", "Value": "1"}]}}}
    web_acl = acl(rule("mark", ADMIN, action=count), default=default)
    decision = engine.evaluate(web_acl, request("/admin"))
    assert decision.action == "ALLOW"
    assert decision.request_headers == [("x-amzn-waf-seen-admin", "yes"), ("x-amzn-waf-checked", "1")]


def test_blocked_requests_insert_nothing(engine):
    count = {"Count": {"CustomRequestHandling": {"InsertHeaders": [{"Name": "seen", "Value": "yes"}]}}}
    decision = engine.evaluate(acl(rule("mark", ADMIN, action=count), rule("block", ADMIN)), request("/admin"))
    assert decision.action == "BLOCK" and decision.request_headers == []


@pytest.mark.parametrize(("action", "status"), [("Captcha", 405), ("Challenge", 202)])
def test_captcha_and_challenge_without_a_token(engine, action, status):
    """No token can be presented to the local cloud: CAPTCHA and CHALLENGE end the evaluation with AWS's
    interstitial status and x-amzn-waf-action header (documented in engine.py)."""
    decision = engine.evaluate(acl(rule("check", ADMIN, action=action)), request("/admin"))
    assert decision.action == action.upper() and decision.response.status == status
    assert ("x-amzn-waf-action", action.lower()) in decision.response.headers


def test_managed_group_blocks_with_its_rule_name_and_label(engine):
    decision = engine.evaluate(acl(managed(SQLI)), request("/?u=admin%27--"))
    assert decision.action == "BLOCK"
    assert decision.terminating_rule == "AWSManagedRulesSQLiRuleSet:SQLi_QUERYARGUMENTS"
    assert decision.terminating_rule_id == "AWS-AWSManagedRulesSQLiRuleSet"
    assert decision.labels == ["awswaf:managed:aws:sql-database:SQLi_QueryArguments"]


def test_override_action_count(engine):
    """OverrideAction Count: the group's match is counted, its labels stay, evaluation goes on."""
    web_acl = acl(managed(SQLI, override="Count"), rule("after", label_match("sql-database:", "NAMESPACE"),
                                                        action="Count"))
    decision = engine.evaluate(web_acl, request("/?u=admin%27--"))
    assert decision.action == "ALLOW"
    assert decision.labels == ["awswaf:managed:aws:sql-database:SQLi_QueryArguments"]
    first = decision.matches[0]
    assert (first.action, first.detail["overridden"]) == ("COUNT", "BLOCK")
    assert decision.matches[1].rule == "after"  # the later rule saw the label


def test_rule_action_overrides_and_excluded_rules(engine):
    """RuleActionOverrides change one rule's action; ExcludedRules set it to Count (aws-facts WAFv2)."""
    overridden = acl(managed(SQLI, RuleActionOverrides=[{"Name": "SQLi_QUERYARGUMENTS", "ActionToUse": {"Count": {}}}]))
    excluded = acl(managed(SQLI, ExcludedRules=[{"Name": "SQLi_QUERYARGUMENTS"}]))
    allowed = acl(managed(SQLI, RuleActionOverrides=[{"Name": "SQLi_QUERYARGUMENTS", "ActionToUse": {"Allow": {}}}]),
                  rule("never-reached", ANY_PATH))
    for web_acl in (overridden, excluded):
        decision = engine.evaluate(web_acl, request("/?u=admin%27--"))
        assert decision.action == "ALLOW"
        assert decision.labels == ["awswaf:managed:aws:sql-database:SQLi_QueryArguments"]
    decision = engine.evaluate(allowed, request("/?u=admin%27--"))
    assert decision.action == "ALLOW" and decision.terminating_rule == "AWSManagedRulesSQLiRuleSet:SQLi_QUERYARGUMENTS"


def test_scope_down_statement_on_a_managed_group(engine):
    """ScopeDownStatement: the group sees only the requests it matches."""
    web_acl = acl(managed(SQLI, ScopeDownStatement=byte_match("/api", PATH, "STARTS_WITH")))
    assert engine.evaluate(web_acl, request("/search?u=admin%27--")).action == "ALLOW"
    assert engine.evaluate(web_acl, request("/api/find?u=admin%27--")).action == "BLOCK"


def own_rule_group(lock_token="1"):
    return {
        "Name": "own-rules", "ARN": RULE_GROUP_ARN, "LockToken": lock_token, "Capacity": 10,
        "LabelNamespace": f"awswaf:{ACCOUNT}:rulegroup:own-rules:",
        "CustomResponseBodies": {"gone": {"ContentType": "TEXT_PLAIN", "Content": "gone"}},
        "Rules": [
            rule("second", ADMIN, priority=2, action={"Block": {"CustomResponse": {
                "ResponseCode": 410, "CustomResponseBodyKey": "gone"}}}),
            rule("first", ADMIN, priority=1, action="Count", labels=("seen:admin",)),
        ],
    }


def test_rule_group_reference(resources):
    """A rule group's rules run by their own priorities at the group's position; its labels carry the rule
    group namespace, and its custom responses use the group's own CustomResponseBodies."""
    resources.rule_groups[RULE_GROUP_ARN] = own_rule_group()
    engine = WafEngine(resources)
    reference = {"Name": "own", "OverrideAction": {"None": {}}, "VisibilityConfig": {},
                 "Statement": {"RuleGroupReferenceStatement": {"ARN": RULE_GROUP_ARN}}}
    decision = engine.evaluate(acl(reference), request("/admin"))
    assert (decision.terminating_rule, decision.terminating_rule_id) == ("own-rules:second", "own")
    assert decision.labels == [f"awswaf:{ACCOUNT}:rulegroup:own-rules:seen:admin"]
    assert (decision.response.status, decision.response.body) == (410, b"gone")


def test_rule_group_changes_are_seen_without_a_new_web_acl(resources):
    resources.rule_groups[RULE_GROUP_ARN] = own_rule_group()
    engine = WafEngine(resources)
    reference = {"Name": "own", "OverrideAction": {"None": {}}, "VisibilityConfig": {},
                 "Statement": {"RuleGroupReferenceStatement": {"ARN": RULE_GROUP_ARN}}}
    web_acl = acl(reference)
    assert engine.evaluate(web_acl, request("/admin")).action == "BLOCK"
    resources.rule_groups[RULE_GROUP_ARN] = dict(own_rule_group("2"), Rules=[])
    assert engine.evaluate(web_acl, request("/admin")).action == "ALLOW"


def test_updated_web_acl_is_recompiled(engine):
    """A compiled web ACL is cached by ARN and LockToken; an update (new token) takes effect at once."""
    web_acl = acl(rule("block-admin", ADMIN))
    assert engine.evaluate(web_acl, request("/admin")).action == "BLOCK"
    updated = dict(web_acl, LockToken="2", Rules=[])
    assert engine.evaluate(updated, request("/admin")).action == "ALLOW"


def test_unknown_managed_group_is_a_configuration_error():
    with pytest.raises(WafConfigurationError):
        WafEngine(StaticResources()).evaluate(acl(managed("AWSManagedRulesNopeRuleSet")), request("/"))
