"""Bucket policy evaluation (IAM evaluation logic: explicit Deny wins, then Allow, else implicit deny)."""

from __future__ import annotations

import json

from labkit.cloud.iam.policy import Principal, RequestContext, decide, is_public

DISTRIBUTION = "arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE"
OAC_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "AllowCloudFrontServicePrincipal", "Effect": "Allow",
    "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::site/*", "Condition": {"StringEquals": {"AWS:SourceArn": DISTRIBUTION}}}]}


def cloudfront(source_arn, resource="arn:aws:s3:::site/index.html"):
    return RequestContext(Principal("Service", "cloudfront.amazonaws.com"), "s3:GetObject", resource,
                          {"aws:sourcearn": source_arn})


def test_oac_policy_allows_only_its_distribution():
    """aws-facts, CloudFront: the bucket policy allows cloudfront.amazonaws.com with AWS:SourceArn = the distribution."""
    assert decide(OAC_POLICY, cloudfront(DISTRIBUTION)) == "Allow"
    assert decide(OAC_POLICY, cloudfront(DISTRIBUTION.replace("E2EXAMPLE", "EOTHER"))) == "NoMatch"
    assert decide(OAC_POLICY, cloudfront(DISTRIBUTION, "arn:aws:s3:::other/index.html")) == "NoMatch"
    anonymous = RequestContext(Principal("anonymous"), "s3:GetObject", "arn:aws:s3:::site/index.html")
    assert decide(OAC_POLICY, anonymous) == "NoMatch"
    assert not is_public(OAC_POLICY)


def test_explicit_deny_wins_and_wildcards_match():
    policy = json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:Get*", "Resource": "arn:aws:s3:::site/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::site/private/*"}]})
    anonymous = Principal("anonymous")
    assert decide(policy, RequestContext(anonymous, "s3:GetObject", "arn:aws:s3:::site/a.html")) == "Allow"
    assert decide(policy, RequestContext(anonymous, "s3:GetObject", "arn:aws:s3:::site/private/k")) == "Deny"
    assert decide(policy, RequestContext(anonymous, "s3:PutObject", "arn:aws:s3:::site/a.html")) == "NoMatch"
    assert is_public(policy)


def test_unknown_condition_operator_fails_closed():
    policy = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
                             "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}
    assert decide(policy, RequestContext(Principal("anonymous"), "s3:GetObject", "arn:aws:s3:::b/k")) == "NoMatch"


def test_no_policy_is_implicit_deny():
    assert decide(None, cloudfront(DISTRIBUTION)) == "NoMatch"
