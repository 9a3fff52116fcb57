"""The wafv2 provider through the real local cloud process and boto3: the managed rule group operations moto
lacks, the validation it skips (research/moto-5.2.5.md §5), and web ACLs that still round-trip through moto."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from labkit.target import client as target_client

from .helpers import PATH, VISIBILITY, byte_match, managed, regex, rule
from .test_managed import CAPACITY, DOCUMENTED

GROUPS = list(DOCUMENTED)


@pytest.fixture(scope="module")
def wafv2(cloud):
    return cloud.client("wafv2")


@pytest.fixture(scope="module")
def wafv2_eu(cloud):
    return target_client("wafv2", cloud.cfg, region_name="eu-west-1")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_code(caught: pytest.ExceptionInfo) -> tuple[str, int]:
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def site_rules():
    return [managed(group, priority=i) for i, group in enumerate(GROUPS)] + [
        rule("block-admin", byte_match(b"/admin", PATH, "STARTS_WITH", ("LOWERCASE",)), priority=10)]


def test_list_available_managed_rule_groups(wafv2):
    groups = wafv2.list_available_managed_rule_groups(Scope="CLOUDFRONT")["ManagedRuleGroups"]
    assert [(g["VendorName"], g["Name"]) for g in groups] == [("AWS", name) for name in GROUPS]
    assert all(g["Description"] and g["VersioningSupported"] for g in groups)


@pytest.mark.parametrize("group", GROUPS)
def test_describe_managed_rule_group(wafv2, group):
    """Rules with their documented names and actions, capacity (WCU), label namespace and available labels."""
    described = wafv2.describe_managed_rule_group(VendorName="AWS", Name=group, Scope="REGIONAL")
    assert [(r["Name"], r["Action"]) for r in described["Rules"]] == [(n, {"Block": {}}) for n, _ in DOCUMENTED[group]]
    assert [label["Name"] for label in described["AvailableLabels"]] == [label for _, label in DOCUMENTED[group]]
    assert described["Capacity"] == CAPACITY[group]
    assert described["LabelNamespace"] == DOCUMENTED[group][0][1].rsplit(":", 1)[0] + ":"


def test_describe_unknown_group(wafv2):
    with pytest.raises(ClientError) as caught:
        wafv2.describe_managed_rule_group(VendorName="AWS", Name="AWSManagedRulesNoSuchRuleSet", Scope="REGIONAL")
    assert error_code(caught) == ("WAFNonexistentItemException", 400)


def test_check_capacity(wafv2):
    """The managed groups' published WCU, plus a STARTS_WITH byte match (2) with one transformation (+10)."""
    assert wafv2.check_capacity(Scope="CLOUDFRONT", Rules=site_rules())["Capacity"] == 700 + 200 + 200 + 2 + 10


def test_cloudfront_scope_outside_us_east_1(wafv2_eu):
    """aws-facts CloudFront: web ACLs for CloudFront use Scope=CLOUDFRONT and must be created in us-east-1;
    moto accepts them anywhere (research/moto-5.2.5.md §5)."""
    name = unique("cf-eu")
    with pytest.raises(ClientError) as caught:
        wafv2_eu.create_web_acl(Name=name, Scope="CLOUDFRONT", DefaultAction={"Allow": {}}, Rules=[],
                                VisibilityConfig=VISIBILITY)
    assert error_code(caught) == ("WAFInvalidParameterException", 400)
    assert "SCOPE_VALUE" in caught.value.response["Error"]["Message"]
    assert name not in [w["Name"] for w in wafv2_eu.list_web_acls(Scope="REGIONAL")["WebACLs"]]


@pytest.mark.parametrize("call", [
    lambda waf: waf.list_web_acls(Scope="CLOUDFRONT"),
    lambda waf: waf.get_web_acl(Name="site", Scope="CLOUDFRONT", Id="a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"),
    lambda waf: waf.list_ip_sets(Scope="CLOUDFRONT"),
    lambda waf: waf.create_ip_set(Name=unique("ips"), Scope="CLOUDFRONT", IPAddressVersion="IPV4",
                                  Addresses=["192.0.2.0/24"]),
], ids=["list_web_acls", "get_web_acl", "list_ip_sets", "create_ip_set"])
def test_every_cloudfront_scoped_call_outside_us_east_1_is_refused(wafv2_eu, call):
    """The same rule for the calls moto answers itself: Scope=CLOUDFRONT only in us-east-1."""
    with pytest.raises(ClientError) as caught:
        call(wafv2_eu)
    assert error_code(caught) == ("WAFInvalidParameterException", 400)
    assert "SCOPE_VALUE" in caught.value.response["Error"]["Message"]


def test_scoped_calls_in_us_east_1_still_reach_moto(wafv2):
    name = unique("ips")
    created = wafv2.create_ip_set(Name=name, Scope="CLOUDFRONT", IPAddressVersion="IPV4", Addresses=["192.0.2.0/24"])
    assert name in [s["Name"] for s in wafv2.list_ip_sets(Scope="CLOUDFRONT")["IPSets"]]
    got = wafv2.get_ip_set(Name=name, Scope="CLOUDFRONT", Id=created["Summary"]["Id"])
    wafv2.delete_ip_set(Name=name, Scope="CLOUDFRONT", Id=created["Summary"]["Id"], LockToken=got["LockToken"])
    assert name not in [s["Name"] for s in wafv2.list_ip_sets(Scope="CLOUDFRONT")["IPSets"]]


def test_a_distribution_is_not_associated_through_wafv2(cloud, wafv2):
    """AWS answers AssociateWebACL for a CloudFront distribution with WAFInvalidParameterException, field
    RESOURCE_ARN (measured in hashicorp/terraform-provider-aws#28753): a distribution takes its web ACL through
    UpdateDistribution's WebACLId. moto answers WAFNonexistentItemException."""
    acl = wafv2.create_web_acl(Name=unique("cf"), Scope="CLOUDFRONT", DefaultAction={"Allow": {}}, Rules=[],
                               VisibilityConfig=VISIBILITY)["Summary"]["ARN"]
    with pytest.raises(ClientError) as caught:
        wafv2.associate_web_acl(WebACLArn=acl, ResourceArn="arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE")
    assert error_code(caught) == ("WAFInvalidParameterException", 400)
    assert "field: RESOURCE_ARN" in caught.value.response["Error"]["Message"]


def test_regional_scope_elsewhere_is_fine(wafv2_eu):
    summary = wafv2_eu.create_web_acl(Name=unique("api"), Scope="REGIONAL", DefaultAction={"Allow": {}},
                                      Rules=site_rules(), VisibilityConfig=VISIBILITY)["Summary"]
    assert summary["ARN"].startswith("arn:aws:wafv2:eu-west-1:") and ":regional/webacl/" in summary["ARN"]


@pytest.mark.parametrize(("vendor", "name"), [("AWS", "AWSManagedRulesNoSuchRuleSet"),
                                              ("NotAWS", "AWSManagedRulesCommonRuleSet")])
def test_unknown_managed_group_or_vendor(wafv2, vendor, name):
    acl_name = unique("bad-group")
    rules = [{"Name": "g", "Priority": 0, "OverrideAction": {"None": {}}, "VisibilityConfig": VISIBILITY,
              "Statement": {"ManagedRuleGroupStatement": {"VendorName": vendor, "Name": name}}}]
    with pytest.raises(ClientError) as caught:
        wafv2.create_web_acl(Name=acl_name, Scope="CLOUDFRONT", DefaultAction={"Allow": {}}, Rules=rules,
                             VisibilityConfig=VISIBILITY)
    assert error_code(caught) == ("WAFNonexistentItemException", 400)
    assert acl_name not in [w["Name"] for w in wafv2.list_web_acls(Scope="CLOUDFRONT")["WebACLs"]]


def test_rule_the_engine_cannot_evaluate(wafv2):
    """A regex that does not compile is refused when the web ACL is created, not at its first request."""
    with pytest.raises(ClientError) as caught:
        wafv2.create_web_acl(Name=unique("bad-regex"), Scope="CLOUDFRONT", DefaultAction={"Allow": {}},
                             Rules=[rule("r", regex("([unclosed", PATH), priority=0)], VisibilityConfig=VISIBILITY)
    assert error_code(caught) == ("WAFInvalidParameterException", 400)


def test_valid_web_acl_round_trips_through_moto(wafv2):
    """Validated, then stored by moto: get_web_acl returns the rules as sent; update and its lock token work."""
    name = unique("site")
    rules = site_rules()
    summary = wafv2.create_web_acl(Name=name, Scope="CLOUDFRONT", DefaultAction={"Allow": {}}, Rules=rules,
                                   VisibilityConfig=VISIBILITY)["Summary"]
    assert summary["ARN"].startswith("arn:aws:wafv2:us-east-1:") and ":global/webacl/" in summary["ARN"]
    got = wafv2.get_web_acl(Name=name, Scope="CLOUDFRONT", Id=summary["Id"])
    assert got["WebACL"]["Rules"] == rules
    updated = wafv2.update_web_acl(Name=name, Scope="CLOUDFRONT", Id=summary["Id"], LockToken=got["LockToken"],
                                   DefaultAction={"Block": {}}, Rules=rules[:1], VisibilityConfig=VISIBILITY)
    assert updated["NextLockToken"] != got["LockToken"]
    again = wafv2.get_web_acl(Name=name, Scope="CLOUDFRONT", Id=summary["Id"])["WebACL"]
    assert again["DefaultAction"] == {"Block": {}} and again["Rules"] == rules[:1]


def test_update_keeps_moto_errors_and_validates(wafv2, wafv2_eu):
    name = unique("site")
    summary = wafv2.create_web_acl(Name=name, Scope="CLOUDFRONT", DefaultAction={"Allow": {}}, Rules=[],
                                   VisibilityConfig=VISIBILITY)["Summary"]
    stale = summary["LockToken"]
    wafv2.update_web_acl(Name=name, Scope="CLOUDFRONT", Id=summary["Id"], LockToken=stale,
                         DefaultAction={"Allow": {}}, Rules=[], VisibilityConfig=VISIBILITY)
    with pytest.raises(ClientError) as caught:  # moto's own check, passed through
        wafv2.update_web_acl(Name=name, Scope="CLOUDFRONT", Id=summary["Id"], LockToken=stale,
                             DefaultAction={"Allow": {}}, Rules=[], VisibilityConfig=VISIBILITY)
    assert error_code(caught) == ("WAFOptimisticLockException", 400)
    with pytest.raises(ClientError) as caught:
        wafv2_eu.update_web_acl(Name=name, Scope="CLOUDFRONT", Id=summary["Id"], LockToken=stale,
                                DefaultAction={"Allow": {}}, Rules=[], VisibilityConfig=VISIBILITY)
    assert error_code(caught) == ("WAFInvalidParameterException", 400)


def test_duplicate_name_is_the_model_error(wafv2):
    """moto answers a duplicate with its own code; the botocore model's shape is WAFDuplicateItemException."""
    name = unique("twice")
    wafv2.create_web_acl(Name=name, Scope="CLOUDFRONT", DefaultAction={"Allow": {}}, Rules=[],
                         VisibilityConfig=VISIBILITY)
    with pytest.raises(ClientError) as caught:
        wafv2.create_web_acl(Name=name, Scope="CLOUDFRONT", DefaultAction={"Allow": {}}, Rules=[],
                             VisibilityConfig=VISIBILITY)
    assert error_code(caught) == ("WAFDuplicateItemException", 400)
