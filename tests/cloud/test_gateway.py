"""Gateway routing: a provider's claimed operation wins, moto answers everything else, /_lab/ serves the kit's own
pages, and operations nobody implements fail at once (501) instead of after botocore's retries."""

from __future__ import annotations

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from labkit.cloud.core.errors import AwsError
from labkit.cloud.core.gateway import Gateway
from labkit.cloud.core.health import Health
from labkit.cloud.core.providers import Provider, ProviderRegistry
from labkit.cloud.core.wsgi_on_uvicorn import WsgiListener
from labkit.cloud.moto import dispatch


class FakeCachePolicies(Provider):
    """rest-xml: one CloudFront operation moto lacks (404) answered by a provider."""

    service = "cloudfront"

    def list_cache_policies(self, params, ctx):
        return {"CachePolicyList": {"MaxItems": 100, "Quantity": 1, "Items": [{"Type": params.get("Type", "all"),
                "CachePolicy": {"Id": "from-provider", "LastModifiedTime": "2024-01-01T00:00:00Z",
                                "CachePolicyConfig": {"Name": "p", "MinTTL": 1, "ParametersInCacheKeyAndForwardedToOrigin": {
                                    "EnableAcceptEncodingGzip": True, "HeadersConfig": {"HeaderBehavior": "none"},
                                    "CookiesConfig": {"CookieBehavior": "none"},
                                    "QueryStringsConfig": {"QueryStringBehavior": "none"}}}}}]}}

    def get_cache_policy(self, params, ctx):
        raise AwsError("NoSuchCachePolicy", f"The cache policy {params['Id']} does not exist.", 404)


class FakeManagedGroups(Provider):
    """json: a WAFv2 operation moto answers with NotImplementedError."""

    service = "wafv2"

    def list_available_managed_rule_groups(self, params, ctx):
        return {"ManagedRuleGroups": [{"VendorName": "AWS", "Name": f"Group-{params['Scope']}-{ctx.region}"}]}


class Exploding(Provider):
    """query: a provider bug must come back as InternalFailure, not kill the listener."""

    service = "sns"

    def list_topics(self, params, ctx):
        raise RuntimeError("boom")


@pytest.fixture(scope="module")
def gateway_url():
    registry = ProviderRegistry([FakeCachePolicies(), FakeManagedGroups(), Exploding()])
    changes = []
    gateway = Gateway(registry, Health(), on_change=lambda: changes.append(1))
    listener = WsgiListener("gateway", 0, gateway, environ_hook=dispatch.keep_underscored_headers)
    listener.start()
    yield f"http://127.0.0.1:{listener.port}"
    listener.stop()
    dispatch.reset()


def client(url, service, region="us-east-1"):
    return boto3.client(service, endpoint_url=url, region_name=region, aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def test_provider_answers_claimed_rest_xml_operation(gateway_url):
    """Does a provider's answer reach boto3 through the service's own protocol (rest-xml, query parameters)?"""
    answer = client(gateway_url, "cloudfront").list_cache_policies(Type="custom")
    (item,) = answer["CachePolicyList"]["Items"]
    assert item["CachePolicy"]["Id"] == "from-provider" and item["Type"] == "custom"


def test_provider_error_is_the_aws_error(gateway_url):
    """Does an AwsError raised by a provider arrive as that error code and status?"""
    with pytest.raises(ClientError) as caught:
        client(gateway_url, "cloudfront").get_cache_policy(Id="nope")
    assert caught.value.response["Error"]["Code"] == "NoSuchCachePolicy"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_provider_answers_json_protocol_with_region(gateway_url):
    """Are json-protocol operations routed by X-Amz-Target, with the region of the signature?"""
    groups = client(gateway_url, "wafv2", "eu-west-1").list_available_managed_rule_groups(Scope="REGIONAL")
    assert groups["ManagedRuleGroups"][0]["Name"] == "Group-REGIONAL-eu-west-1"


def test_provider_bug_is_internal_failure_and_listener_survives(gateway_url):
    with pytest.raises(ClientError) as caught:
        client(gateway_url, "sns").list_topics()
    assert caught.value.response["Error"]["Code"] == "InternalFailure"
    assert client(gateway_url, "sns").create_topic(Name="still-alive")["TopicArn"].endswith(":still-alive")


def test_unclaimed_operations_go_to_moto(gateway_url):
    """Does moto answer everything the providers leave, including other operations of a claimed service?"""
    s3 = client(gateway_url, "s3")
    s3.create_bucket(Bucket="gateway-test")
    s3.put_object(Bucket="gateway-test", Key="a.txt", Body=b"moto")
    assert s3.get_object(Bucket="gateway-test", Key="a.txt")["Body"].read() == b"moto"
    oac = client(gateway_url, "cloudfront").create_origin_access_control(OriginAccessControlConfig={
        "Name": "o", "SigningProtocol": "sigv4", "SigningBehavior": "always", "OriginAccessControlOriginType": "s3"})
    assert oac["OriginAccessControl"]["Id"]
    assert client(gateway_url, "wafv2").list_web_acls(Scope="CLOUDFRONT")["WebACLs"] == []


def test_unimplemented_operation_fails_fast_with_its_name(gateway_url):
    """moto raises NotImplementedError (a 500 botocore retries twice); the gateway answers 501, not retried."""
    with pytest.raises(ClientError) as caught:
        client(gateway_url, "wafv2").check_capacity(Scope="CLOUDFRONT", Rules=[])
    error = caught.value.response
    assert error["Error"]["Code"] == "NotImplemented"
    assert "check_capacity" in error["Error"]["Message"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error["ResponseMetadata"]["RetryAttempts"] == 0


def test_lab_health_and_unknown_lab_path(gateway_url):
    health = requests.get(f"{gateway_url}/_lab/health", timeout=5)
    assert health.status_code == 200 and "components" in health.json()
    missing = requests.get(f"{gateway_url}/_lab/nothing-here", timeout=5)
    assert missing.status_code == 404 and "/_lab/health" in missing.json()["message"]
