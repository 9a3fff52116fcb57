"""The CloudFront API through the local cloud's gateway: what moto gets wrong or lacks, corrected (research
moto-5.2.5.md §4), and CloudFront's own checks, each with the error the botocore model names."""

from __future__ import annotations

import re
import uuid

import pytest
from botocore.exceptions import ClientError

from .conftest import CACHING_DISABLED, behaviour, make_site, unique


def error_of(caught: pytest.ExceptionInfo) -> tuple[str, int]:
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def base_config(bucket: str = "nowhere", **extra: object) -> dict:
    return {"CallerReference": uuid.uuid4().hex, "Comment": "", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": f"{bucket}.s3.us-east-1.amazonaws.com",
                                                  "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": behaviour(), **extra}


def test_domain_name_oac_and_status_as_aws_shows_them(cdn_cloud):
    """Create answers InProgress and the distribution's DomainName is <id>.cloudfront.localhost (the local target's
    name); Get, GetConfig and List keep OriginAccessControlId and S3OriginConfig (moto drops both); the waiter
    distribution_deployed sees Deployed after the delay (moto: Deployed at once)."""
    site = make_site(cdn_cloud, wait=False)
    cf = cdn_cloud.client("cloudfront")
    assert site.distribution["Status"] == "InProgress"
    assert site.domain == f"{site.id.lower()}.cloudfront.localhost"
    assert re.fullmatch(r"arn:aws:cloudfront::123456789012:distribution/[A-Z0-9]+", site.arn)
    cf.get_waiter("distribution_deployed").wait(Id=site.id, WaiterConfig={"Delay": 0.5, "MaxAttempts": 40})
    got = cf.get_distribution(Id=site.id)
    assert got["Distribution"]["Status"] == "Deployed"
    for origins in (got["Distribution"]["DistributionConfig"]["Origins"],
                    cf.get_distribution_config(Id=site.id)["DistributionConfig"]["Origins"],
                    next(d for d in cf.list_distributions()["DistributionList"]["Items"] if d["Id"] == site.id)[
                        "Origins"]):
        (origin,) = origins["Items"]
        assert origin["OriginAccessControlId"] == site.oac_id
        assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    config = got["Distribution"]["DistributionConfig"]
    assert "ForwardedValues" not in config["DefaultCacheBehavior"]  # moto adds it next to a CachePolicyId
    assert config["ViewerCertificate"]["CloudFrontDefaultCertificate"] is True
    assert re.fullmatch(r"E[A-Z0-9]{13}", got["ETag"])


def test_update_needs_the_current_etag_and_deploys_again(cdn_cloud):
    """UpdateDistribution: IfMatch must be the ETag of the last Get (PreconditionFailed otherwise; moto ignores it);
    the answer has a new ETag and Status InProgress."""
    site = make_site(cdn_cloud)
    cf = cdn_cloud.client("cloudfront")
    current = cf.get_distribution_config(Id=site.id)
    config = {**current["DistributionConfig"], "Comment": "second"}
    with pytest.raises(ClientError) as caught:
        cf.update_distribution(Id=site.id, IfMatch="E0000000000000", DistributionConfig=config)
    assert error_of(caught) == ("PreconditionFailed", 412)
    updated = cf.update_distribution(Id=site.id, IfMatch=current["ETag"], DistributionConfig=config)
    assert updated["ETag"] != current["ETag"]
    assert updated["Distribution"]["Status"] == "InProgress"
    assert updated["Distribution"]["DistributionConfig"]["Comment"] == "second"
    with pytest.raises(ClientError) as caught:
        cf.update_distribution(Id=site.id, IfMatch=current["ETag"], DistributionConfig=config)
    assert error_of(caught) == ("PreconditionFailed", 412)


def test_same_caller_reference_returns_the_same_distribution(cdn_cloud):
    """CreateDistribution API reference: the same CallerReference with the same config returns the existing
    distribution; with another config, DistributionAlreadyExists."""
    cf = cdn_cloud.client("cloudfront")
    config = base_config()
    first = cf.create_distribution(DistributionConfig=config)["Distribution"]
    again = cf.create_distribution(DistributionConfig=config)["Distribution"]
    assert again["Id"] == first["Id"]
    with pytest.raises(ClientError) as caught:
        cf.create_distribution(DistributionConfig={**config, "Comment": "different"})
    assert error_of(caught) == ("DistributionAlreadyExists", 409)


def test_delete_requires_a_disabled_deployed_distribution(cdn_cloud):
    """DeleteDistribution: DistributionNotDisabled until it is disabled and that change is deployed; then its name
    is gone (NoSuchDistribution)."""
    site = make_site(cdn_cloud)
    cf = cdn_cloud.client("cloudfront")
    etag = cf.get_distribution(Id=site.id)["ETag"]
    with pytest.raises(ClientError) as caught:
        cf.delete_distribution(Id=site.id, IfMatch=etag)
    assert error_of(caught) == ("DistributionNotDisabled", 409)
    config = cf.get_distribution_config(Id=site.id)["DistributionConfig"]
    etag = cf.update_distribution(Id=site.id, IfMatch=etag, DistributionConfig={**config, "Enabled": False})["ETag"]
    with pytest.raises(ClientError) as caught:
        cf.delete_distribution(Id=site.id, IfMatch=etag)  # still InProgress
    assert error_of(caught) == ("DistributionNotDisabled", 409)
    cf.get_waiter("distribution_deployed").wait(Id=site.id, WaiterConfig={"Delay": 0.5, "MaxAttempts": 40})
    cf.delete_distribution(Id=site.id, IfMatch=etag)
    with pytest.raises(ClientError) as caught:
        cf.get_distribution(Id=site.id)
    assert error_of(caught) == ("NoSuchDistribution", 404)


@pytest.mark.parametrize("change, code, status", [
    ({"DefaultCacheBehavior": behaviour(policy="no-such-policy")}, "NoSuchCachePolicy", 404),
    ({"DefaultCacheBehavior": behaviour(origin_id="elsewhere")}, "NoSuchOrigin", 404),
    ({"DefaultCacheBehavior": behaviour(policy=None)}, "InvalidArgument", 400),  # neither policy nor legacy
    ({"DefaultCacheBehavior": behaviour(policy=None, ForwardedValues={
        "QueryString": False, "Cookies": {"Forward": "none"}}, MinTTL=100, DefaultTTL=10)}, "InvalidTTLOrder", 400),
    ({"DefaultRootObject": "/index.html"}, "InvalidDefaultRootObject", 400),
    ({"CustomErrorResponses": {"Quantity": 1, "Items": [{"ErrorCode": 418}]}}, "InvalidErrorCode", 400),
    ({"CustomErrorResponses": {"Quantity": 1, "Items": [
        {"ErrorCode": 404, "ResponsePagePath": "index.html", "ResponseCode": "200"}]}}, "InvalidRelativePath", 400),
    ({"WebACLId": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/none/0"}, "InvalidWebACLId", 400),
    ({"Aliases": {"Quantity": 1, "Items": ["www.example.localhost"]}}, "InvalidViewerCertificate", 400),
])
def test_configs_cloudfront_rejects(cdn_cloud, change, code, status):
    """What moto accepts and CloudFront rejects (research §4: no referential validation), with the botocore model's
    error: an unknown cache policy or origin, missing cache settings, TTLs out of order, a DefaultRootObject with a
    leading slash (aws-facts), an unsupported error code (aws-facts list), a page path without /, an unknown web
    ACL, an alias without a certificate (aws-facts, certificates)."""
    with pytest.raises(ClientError) as caught:
        cdn_cloud.client("cloudfront").create_distribution(DistributionConfig=base_config(**change))
    assert error_of(caught) == (code, status)


def test_unknown_origin_access_control_is_rejected(cdn_cloud):
    """An OriginAccessControlId that does not exist: InvalidOriginAccessControl, the error the botocore model lists
    for CreateDistribution (NoSuchOriginAccessControl is the OAC operations' own)."""
    config = base_config()
    config["Origins"]["Items"][0]["OriginAccessControlId"] = "E000000NOSUCH"
    with pytest.raises(ClientError) as caught:
        cdn_cloud.client("cloudfront").create_distribution(DistributionConfig=config)
    assert error_of(caught) == ("InvalidOriginAccessControl", 400)


def test_origin_access_control_in_use_cannot_be_deleted(cdn_cloud):
    """DeleteOriginAccessControl: OriginAccessControlInUse (409) while a distribution names it (moto deletes it
    anyway); a free one is deleted."""
    site = make_site(cdn_cloud, wait=False)
    cf = cdn_cloud.client("cloudfront")
    with pytest.raises(ClientError) as caught:
        cf.delete_origin_access_control(Id=site.oac_id, IfMatch="x")
    assert error_of(caught) == ("OriginAccessControlInUse", 409)
    free = cf.create_origin_access_control(OriginAccessControlConfig={
        "Name": unique("free"), "SigningProtocol": "sigv4", "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3"})
    cf.delete_origin_access_control(Id=free["OriginAccessControl"]["Id"], IfMatch=free["ETag"])
    with pytest.raises(ClientError) as caught:
        cf.get_origin_access_control(Id=free["OriginAccessControl"]["Id"])
    assert error_of(caught)[0] == "NoSuchOriginAccessControl"


def test_invalidation_status_goes_from_in_progress_to_completed(slow_deploy_cloud):
    """CreateInvalidation answers InProgress; the waiter invalidation_completed sees Completed after the delay (moto:
    COMPLETED at once, which the waiter does not accept); Get and List agree; bad paths are InvalidArgument."""
    site = make_site(slow_deploy_cloud, wait=False, DefaultCacheBehavior=behaviour(policy=CACHING_DISABLED))
    cf = slow_deploy_cloud.client("cloudfront")
    created = site.invalidate("/index.html", "/images/*")["Invalidation"]
    assert created["Status"] == "InProgress"
    assert created["InvalidationBatch"]["Paths"]["Items"] == ["/index.html", "/images/*"]
    distribution = cf.get_distribution(Id=site.id)["Distribution"]
    assert distribution["InProgressInvalidationBatches"] == 1
    cf.get_waiter("invalidation_completed").wait(DistributionId=site.id, Id=created["Id"],
                                                 WaiterConfig={"Delay": 0.5, "MaxAttempts": 40})
    assert cf.get_invalidation(DistributionId=site.id, Id=created["Id"])["Invalidation"]["Status"] == "Completed"
    (summary,) = cf.list_invalidations(DistributionId=site.id)["InvalidationList"]["Items"]
    assert (summary["Id"], summary["Status"]) == (created["Id"], "Completed")
    with pytest.raises(ClientError) as caught:
        site.invalidate("index.html")
    assert error_of(caught) == ("InvalidArgument", 400)
    with pytest.raises(ClientError) as caught:
        cf.get_invalidation(DistributionId=site.id, Id="INOSUCH")
    assert error_of(caught) == ("NoSuchInvalidation", 404)
