"""Fixtures for the CloudFront tests: one local cloud for this package (1 s deploys, as every test cloud), and helpers that
build a private S3 site behind a distribution through the public APIs and talk to it over real TLS (verified with
the local CA) and plain HTTP."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
import requests

from labkit import resolver
from tests.conftest import Cloud, cloud_env

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


@pytest.fixture(scope="package", autouse=True)
def localhost_names() -> None:
    """*.localhost → 127.0.0.1 for requests in this process (glibc does not resolve them: DESIGN.md)."""
    resolver.install()


@pytest.fixture(scope="package")
def cdn_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    """One local cloud for the CloudFront tests."""
    instance = Cloud(cloud_env(tmp_path_factory.mktemp("cdn-cloud")))
    instance.up()
    yield instance
    instance.down()


@pytest.fixture(scope="package")
def slow_deploy_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    """A cloud whose deployments and invalidations stay InProgress for 6 s: margin enough on a loaded machine to look
    at something while it is still in progress (1 s can pass between two requests of a test under load)."""
    instance = Cloud({**cloud_env(tmp_path_factory.mktemp("slow-deploy")), "LAB_CLOUDFRONT_DEPLOY_SECONDS": "6"})
    instance.up()
    yield instance
    instance.down()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def oac_policy(bucket: str, distribution_arn: str, *, list_bucket: bool = False) -> str:
    """The bucket policy the CloudFront console proposes for OAC (aws-facts CloudFront, S3 origin with OAC)."""
    statements = [{"Sid": "AllowCloudFrontServicePrincipal", "Effect": "Allow",
                   "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
                   "Resource": f"arn:aws:s3:::{bucket}/*",
                   "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}}}]
    if list_bucket:
        statements.append({**statements[0], "Sid": "List", "Action": "s3:ListBucket",
                           "Resource": f"arn:aws:s3:::{bucket}"})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def behaviour(origin_id: str = "s3", *, policy: str | None = CACHING_OPTIMIZED, viewer: str = "redirect-to-https",
              compress: bool = True, **extra: object) -> dict:
    spec = {"TargetOriginId": origin_id, "ViewerProtocolPolicy": viewer, "Compress": compress, **extra}
    if policy:
        spec["CachePolicyId"] = policy
    return spec


class Site:
    """A private bucket behind a deployed distribution (OAC), and a viewer for it."""

    def __init__(self, cloud: Cloud, bucket: str, distribution: dict) -> None:
        self.cloud, self.bucket, self.distribution = cloud, bucket, distribution
        self.id, self.arn, self.domain = distribution["Id"], distribution["ARN"], distribution["DomainName"]
        self.session = requests.Session()
        self.ca = str(cloud.state_dir / "ca" / "ca.pem")

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"https://{host or self.domain}:{self.cloud.cfg.ports['https']}{path}"

    def get(self, path: str = "/", *, host: str | None = None, method: str = "GET", **headers: str):
        headers = {"Accept-Encoding": "identity", **{k.replace("_", "-"): v for k, v in headers.items()}}
        return self.session.request(method, self.url(path, host), headers=headers, verify=self.ca, timeout=10,
                                    allow_redirects=False)

    def http_get(self, path: str = "/"):
        return requests.get(f"http://{self.domain}:{self.cloud.cfg.ports['http']}{path}", timeout=10,
                            allow_redirects=False, headers={"Accept-Encoding": "identity"})

    def put(self, key: str, body: bytes, content_type: str = "text/html", **extra: object) -> None:
        self.cloud.client("s3").put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, **extra)

    def allow_cloudfront(self, *, list_bucket: bool = False) -> None:
        self.cloud.client("s3").put_bucket_policy(Bucket=self.bucket,
                                                  Policy=oac_policy(self.bucket, self.arn, list_bucket=list_bucket))

    def wait(self) -> None:
        """Until the distribution is Deployed (the boto3 waiter, polling every quarter second)."""
        self.cloud.client("cloudfront").get_waiter("distribution_deployed").wait(
            Id=self.id, WaiterConfig={"Delay": 0.25, "MaxAttempts": 80})

    def invalidate(self, *paths: str) -> dict:
        return self.cloud.client("cloudfront").create_invalidation(DistributionId=self.id, InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": list(paths)}, "CallerReference": uuid.uuid4().hex})


def make_site(cloud: Cloud, *, objects: dict[str, bytes] | None = None, allow: bool = True, wait: bool = True,
              list_bucket: bool = False, **config: object) -> Site:
    """A bucket with ``objects`` (text/html), an OAC, a distribution (``config`` overrides its members) and, if
    ``allow``, the OAC bucket policy; waits for the distribution to deploy unless told not to."""
    s3, cf = cloud.client("s3"), cloud.client("cloudfront")
    bucket = unique("site")
    s3.create_bucket(Bucket=bucket)
    for key, body in (objects or {}).items():
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="text/html")
    oac = cf.create_origin_access_control(OriginAccessControlConfig={
        "Name": unique("oac"), "SigningProtocol": "sigv4", "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3"})["OriginAccessControl"]
    distribution_config = {
        "CallerReference": uuid.uuid4().hex, "Comment": "", "Enabled": True, "DefaultRootObject": "index.html",
        "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": f"{bucket}.s3.us-east-1.amazonaws.com",
                                              "OriginAccessControlId": oac["Id"],
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": behaviour(),
        **config,
    }
    distribution = cf.create_distribution(DistributionConfig=distribution_config)["Distribution"]
    site = Site(cloud, bucket, distribution)
    site.oac_id = oac["Id"]
    if allow:
        site.allow_cloudfront(list_bucket=list_bucket)
    if wait:
        site.wait()
    return site
