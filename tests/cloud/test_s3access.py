"""Anonymous S3 access is refused unless the bucket makes it public (aws-facts, CloudFront: "S3 origin with Origin
Access Control: the bucket stays private … Direct public GETs of the bucket get 403"; moto-5.2.5.md §1: moto serves
anonymous GET, PUT and ListBucket even with Block Public Access on)."""

from __future__ import annotations

import json
import uuid

import botocore.exceptions
import pytest
import requests


@pytest.fixture
def bucket(cloud):
    name = f"access-{uuid.uuid4().hex[:10]}"
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="index.html", Body=b"<h1>hi</h1>", ContentType="text/html")
    return name


def url(cloud, bucket, key=""):
    return f"{cloud.cfg.gateway_url}/{bucket}/{key}"


def public_read_policy(bucket):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]})


def test_private_bucket_refuses_anonymous_get_list_and_put(cloud, bucket):
    for method, key in (("GET", "index.html"), ("GET", ""), ("PUT", "anon.txt"), ("DELETE", "index.html")):
        answer = requests.request(method, url(cloud, bucket, key), data=b"x" if method == "PUT" else None, timeout=5)
        assert answer.status_code == 403, (method, key)
        assert "<Code>AccessDenied</Code>" in answer.text
    assert cloud.client("s3").get_object(Bucket=bucket, Key="index.html")["Body"].read() == b"<h1>hi</h1>"
    assert "anon.txt" not in [o["Key"] for o in cloud.client("s3").list_objects_v2(Bucket=bucket)["Contents"]]


def test_signed_and_presigned_requests_are_not_affected(cloud, bucket):
    presigned = cloud.client("s3").generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "index.html"})
    assert requests.get(presigned, timeout=5).text == "<h1>hi</h1>"


def test_a_new_bucket_blocks_public_access_until_told_otherwise(cloud, bucket):
    """Since April 2023 AWS creates every bucket with all four Block Public Access settings on ("Amazon S3 now
    applies Block Public Access and disables ACLs by default for new buckets"; moto: none), so a public policy on a
    new bucket is refused until PutPublicAccessBlock (or DeletePublicAccessBlock) turns them off."""
    s3 = cloud.client("s3")
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        s3.put_bucket_policy(Bucket=bucket, Policy=public_read_policy(bucket))
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=public_read_policy(bucket))
    assert requests.get(url(cloud, bucket, "index.html"), timeout=5).text == "<h1>hi</h1>"


def test_public_read_policy_opens_objects_but_not_listing_or_writes(cloud, bucket):
    cloud.client("s3").delete_public_access_block(Bucket=bucket)  # a new bucket blocks public policies
    cloud.client("s3").put_bucket_policy(Bucket=bucket, Policy=public_read_policy(bucket))
    assert requests.get(url(cloud, bucket, "index.html"), timeout=5).text == "<h1>hi</h1>"
    assert requests.get(url(cloud, bucket), timeout=5).status_code == 403
    assert requests.put(url(cloud, bucket, "x.txt"), data=b"x", timeout=5).status_code == 403


def test_block_public_access_overrides_a_public_policy(cloud, bucket):
    s3 = cloud.client("s3")
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=public_read_policy(bucket))
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": True})
    assert requests.get(url(cloud, bucket, "index.html"), timeout=5).status_code == 403


def test_a_public_policy_is_refused_while_block_public_policy_is_on(cloud, bucket):
    """S3 refuses PutBucketPolicy with a public policy under BlockPublicPolicy: 403 AccessDenied "… because public
    policies are blocked by the BlockPublicPolicy block public access setting" (S3 user guide, Blocking public
    access); moto stores it. A policy that names a principal, or the public one once the setting is off, is stored."""
    s3 = cloud.client("s3")
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        s3.put_bucket_policy(Bucket=bucket, Policy=public_read_policy(bucket))
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "blocked by the BlockPublicPolicy block public access setting" in caught.value.response["Error"]["Message"]
    with pytest.raises(botocore.exceptions.ClientError):
        s3.get_bucket_policy(Bucket=bucket)  # nothing was stored
    private = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*"}]})
    s3.put_bucket_policy(Bucket=bucket, Policy=private)  # the OAC policy of notebook 04 is not public
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": True})
    s3.put_bucket_policy(Bucket=bucket, Policy=public_read_policy(bucket))
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Principal"] == "*"


def test_unknown_bucket_is_no_such_bucket(cloud):
    answer = requests.get(url(cloud, f"nobody-{uuid.uuid4().hex[:8]}", "x"), timeout=5)
    assert answer.status_code == 404 and "NoSuchBucket" in answer.text


def test_browser_calls_to_other_services_still_pass(cloud):
    """Preflights and unsigned Cognito calls are not S3's business (moto-persistence.md, section D)."""
    preflight = requests.options(f"{cloud.cfg.gateway_url}/", headers={
        "Origin": "https://contact.localhost:4443", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-amz-target"}, timeout=5)
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://contact.localhost:4443"
    pools = requests.post(f"{cloud.cfg.gateway_url}/", data="{}", timeout=5, headers={
        "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
        "Content-Type": "application/x-amz-json-1.1"}, params=None)
    assert pools.status_code in (200, 400) and "AccessDenied" not in pools.text
