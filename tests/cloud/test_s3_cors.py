"""S3 answers CORS from the bucket's CORS configuration alone (labkit/cloud/s3/cors.py; S3 user guide, "Using
cross-origin resource sharing"), where the local cloud used to add Access-Control-Allow-Origin to every answer and
refuse every preflight to a private bucket (issue: "S3 answers CORS for every request"). Cognito's browser calls
keep the blanket headers AWS gives them."""

from __future__ import annotations

import uuid

import pytest
import requests

SITE = "https://www.contact.localhost"


@pytest.fixture
def bucket(cloud):
    name = f"cors-{uuid.uuid4().hex[:10]}"
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="photo.txt", Body=b"a photo")
    return name


def rules(cloud, bucket, *rules):
    cloud.client("s3").put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": list(rules)})


def get(cloud, bucket, origin):
    url = cloud.client("s3").generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "photo.txt"})
    return requests.get(url, headers={"Origin": origin}, timeout=5)


def preflight(cloud, bucket, origin, method="PUT", headers="content-type"):
    return requests.options(f"{cloud.cfg.gateway_url}/{bucket}/photo.txt", timeout=5, headers={
        "Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers})


def cors_headers(answer):
    return {k.lower(): v for k, v in answer.headers.items() if k.lower().startswith("access-control-")}


def test_a_bucket_without_cors_sends_no_cors_headers_and_refuses_preflights(cloud, bucket):
    answer = get(cloud, bucket, SITE)
    assert answer.status_code == 200 and cors_headers(answer) == {}
    refused = preflight(cloud, bucket, SITE)
    assert refused.status_code == 403 and "<Code>AccessForbidden</Code>" in refused.text
    assert "CORSResponse: CORS is not enabled for this bucket." in refused.text and cors_headers(refused) == {}


def test_a_specific_origin_is_echoed_and_others_get_nothing(cloud, bucket):
    rules(cloud, bucket, {"AllowedOrigins": [SITE], "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["*"],
                          "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300})
    answer = get(cloud, bucket, SITE)
    assert cors_headers(answer) == {
        "access-control-allow-origin": SITE, "access-control-allow-methods": "GET, PUT",
        "access-control-expose-headers": "ETag", "access-control-max-age": "300",
        "access-control-allow-credentials": "true"}
    assert "Origin" in answer.headers["Vary"]
    assert cors_headers(get(cloud, bucket, "https://evil.example")) == {}
    allowed = preflight(cloud, bucket, SITE)
    assert allowed.status_code == 200 and cors_headers(allowed)["access-control-allow-headers"] == "content-type"
    assert cors_headers(allowed)["access-control-allow-origin"] == SITE
    for origin, method in (("https://evil.example", "PUT"), (SITE, "DELETE")):
        refused = preflight(cloud, bucket, origin, method)
        assert refused.status_code == 403 and "CORSResponse: This CORS request is not allowed" in refused.text


def test_a_wildcard_rule_answers_star_and_a_subdomain_wildcard_matches_subdomains(cloud, bucket):
    rules(cloud, bucket, {"AllowedOrigins": ["https://*.contact.localhost"], "AllowedMethods": ["PUT"],
                          "AllowedHeaders": ["x-amz-*", "content-type"]},
          {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]})
    everyone = get(cloud, bucket, "https://anyone.example")
    assert cors_headers(everyone)["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in cors_headers(everyone)
    sub = preflight(cloud, bucket, "https://shop.contact.localhost", "PUT", "content-type, x-amz-meta-author")
    assert sub.status_code == 200 and cors_headers(sub)["access-control-allow-origin"] == (
        "https://shop.contact.localhost")
    assert preflight(cloud, bucket, "https://contact.localhost.evil.example").status_code == 403
    assert preflight(cloud, bucket, "https://shop.contact.localhost", "PUT", "authorization").status_code == 403


def test_cognitos_browser_calls_keep_their_cors_headers(cloud):
    """A browser signs up from the site's origin: AWS's Cognito answers any origin, so must the local cloud."""
    answer = requests.options(f"{cloud.cfg.gateway_url}/", timeout=5, headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-amz-target, x-amz-user-agent"})
    assert answer.status_code == 200 and cors_headers(answer)["access-control-allow-origin"] == SITE
    listed = requests.post(f"{cloud.cfg.gateway_url}/", timeout=5, data="{}", headers={
        "Origin": SITE, "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.GetUser"})
    assert cors_headers(listed)["access-control-allow-origin"] == SITE
