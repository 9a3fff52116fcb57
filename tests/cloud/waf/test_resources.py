"""Reading referenced resources: the wire-to-boto3 conversion, plain dicts, and the local cloud's state (moto
in this process, through wafv2/models.py)."""

from __future__ import annotations

import base64

import boto3
import pytest
from moto import mock_aws

from labkit.cloud.wafv2 import CloudResources, StaticResources, WafEngine, from_wire

from .helpers import PATH, VISIBILITY, byte_match, managed, request, rule


def test_from_wire_decodes_blobs_and_drops_nulls():
    """moto keeps the request JSON (ByteMatch SearchString in Base64, unset members as null); boto3 returns
    SearchString as bytes and leaves unset members out."""
    statement = byte_match(b"", PATH)
    statement["ByteMatchStatement"]["SearchString"] = base64.b64encode(b"/admin").decode()
    wire = {"Name": "a", "DefaultAction": {"Allow": {}}, "CaptchaConfig": None,
            "Rules": [dict(rule("r", statement), Action={"Block": {}}, OverrideAction=None)]}
    converted = from_wire(wire)
    assert converted["Rules"][0]["Statement"]["ByteMatchStatement"]["SearchString"] == b"/admin"
    assert "CaptchaConfig" not in converted and "OverrideAction" not in converted["Rules"][0]


def test_static_resources_raise_lookup_error():
    with pytest.raises(LookupError):
        StaticResources().ip_set("arn:aws:wafv2:us-east-1:123456789012:global/ipset/none/0")


@pytest.fixture
def moto_wafv2():
    with mock_aws():
        yield boto3.client("wafv2", region_name="us-east-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")


def test_cloud_resources_read_moto_state(moto_wafv2):
    """A web ACL created through the API is evaluated as stored, with its IP set read by ARN; an update (new
    LockToken) is seen at the next read."""
    ip_set = moto_wafv2.create_ip_set(Name="blocked", Scope="CLOUDFRONT", IPAddressVersion="IPV4",
                                      Addresses=["192.0.2.0/24"])["Summary"]
    rules = [rule("admin", byte_match(b"/admin", PATH, "STARTS_WITH"), priority=0),
             rule("bad-ips", {"IPSetReferenceStatement": {"ARN": ip_set["ARN"]}}, priority=1),
             managed("AWSManagedRulesKnownBadInputsRuleSet", priority=2)]
    summary = moto_wafv2.create_web_acl(Name="site", Scope="CLOUDFRONT", DefaultAction={"Allow": {}}, Rules=rules,
                                        VisibilityConfig=VISIBILITY)["Summary"]
    resources = CloudResources()
    engine = WafEngine(resources)
    web_acl = resources.web_acl(summary["ARN"])
    assert web_acl["Rules"][0]["Statement"]["ByteMatchStatement"]["SearchString"] == b"/admin"
    assert engine.evaluate(web_acl, request("/admin")).terminating_rule == "admin"
    assert engine.evaluate(web_acl, request("/", ip="192.0.2.9")).terminating_rule == "bad-ips"
    assert engine.evaluate(web_acl, request("/", method="PROPFIND")).action == "BLOCK"
    assert engine.evaluate(web_acl, request("/home")).action == "ALLOW"

    moto_wafv2.update_ip_set(Name="blocked", Scope="CLOUDFRONT", Id=ip_set["Id"], Addresses=["203.0.113.0/24"],
                             LockToken=moto_wafv2.get_ip_set(Name="blocked", Scope="CLOUDFRONT",
                                                             Id=ip_set["Id"])["LockToken"])
    assert engine.evaluate(web_acl, request("/", ip="192.0.2.9")).action == "ALLOW"
    assert engine.evaluate(web_acl, request("/", ip="203.0.113.9")).terminating_rule == "bad-ips"


def test_cloud_resources_unknown_arn(moto_wafv2):
    with pytest.raises(LookupError):
        CloudResources().web_acl("arn:aws:wafv2:us-east-1:123456789012:global/webacl/none/0")
