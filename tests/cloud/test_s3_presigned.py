"""Presigned S3 URLs are checked as S3 checks them (labkit/cloud/s3/presigned.py), in both forms boto3 makes:
SigV2 (its default for us-east-1) and SigV4. moto served them expired, with an altered signature, and moved to
another key (issue: "Found with the AWS CLI, the JS SDK v3 and openssl"). S3's answers: 403 AccessDenied "Request
has expired", 403 SignatureDoesNotMatch, 400 AuthorizationQueryParametersError past a week."""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from botocore.config import Config as BotoConfig

from labkit.target import client


@pytest.fixture
def bucket(cloud):
    name = f"presign-{uuid.uuid4().hex[:10]}"
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="report.txt", Body=b"the report")
    s3.put_object(Bucket=name, Key="secret.txt", Body=b"another object")
    return name


@pytest.fixture(params=["s3", "s3v4"])
def s3(request, cloud):
    return client("s3", cloud.cfg, config=BotoConfig(signature_version=request.param))


def error_code(answer: requests.Response) -> str:
    return answer.text.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in answer.text else ""


def test_a_presigned_url_serves_its_object_and_only_that(s3, bucket):
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "report.txt"}, ExpiresIn=300)
    assert requests.get(url, timeout=5).content == b"the report"
    moved = requests.get(url.replace("/report.txt", "/secret.txt"), timeout=5)
    assert moved.status_code == 403 and error_code(moved) == "SignatureDoesNotMatch"
    name = "X-Amz-Signature=" if "X-Amz-Signature=" in url else "Signature="
    head, tail = url.split(name)
    altered = requests.get(f"{head}{name}{'0' if tail[0] != '0' else '1'}{tail[1:]}", timeout=5)
    assert altered.status_code == 403 and error_code(altered) == "SignatureDoesNotMatch"
    assert "<StringToSign>" in altered.text  # S3 shows what it signed, to debug a signer


def test_an_expired_url_is_refused(s3, bucket):
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "report.txt"}, ExpiresIn=1)
    time.sleep(2.1)
    answer = requests.get(url, timeout=5)
    assert answer.status_code == 403 and error_code(answer) == "AccessDenied"
    assert "<Message>Request has expired</Message>" in answer.text and "<ServerTime>" in answer.text


def test_a_presigned_put_uploads_and_cannot_be_used_to_read(s3, cloud, bucket):
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "upload.txt",
                                                          "ContentType": "text/plain"}, ExpiresIn=300)
    assert requests.put(url, data=b"uploaded", headers={"Content-Type": "text/plain"}, timeout=5).status_code == 200
    assert cloud.client("s3").get_object(Bucket=bucket, Key="upload.txt")["Body"].read() == b"uploaded"
    assert error_code(requests.get(url, timeout=5)) == "SignatureDoesNotMatch"  # the method is signed


def test_a_sigv4_url_valid_past_a_week_is_refused(cloud, bucket):
    s3 = client("s3", cloud.cfg, config=BotoConfig(signature_version="s3v4"))
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "report.txt"}, ExpiresIn=604801)
    answer = requests.get(url, timeout=5)
    assert answer.status_code == 400 and error_code(answer) == "AuthorizationQueryParametersError"
    assert "604800" in answer.text
