"""Alternate domain names (Aliases) and their ACM certificates: what CloudFront rejects, and an alias served with the
certificate ACM issued once its DNS validation record answers (aws-facts CloudFront: the certificate must be in
us-east-1; ACM issues after DNS validation)."""

from __future__ import annotations

import socket
import ssl
import uuid

import pytest
from botocore.exceptions import ClientError
from cryptography import x509

from labkit.target import client

from .conftest import make_site, unique
from .test_api import base_config, error_of

PAGE = b"<h1>contact</h1>"


def issued_certificate(cloud, zone_name: str, names: list[str]) -> str:
    """A DNS-validated certificate for ``names``: the validation CNAMEs go into the zone (served by the local DNS);
    ACM issues once they answer."""
    r53, acm = cloud.client("route53"), cloud.client("acm")
    zone_id = r53.create_hosted_zone(Name=zone_name, CallerReference=uuid.uuid4().hex)["HostedZone"]["Id"]
    arn = acm.request_certificate(DomainName=names[0], SubjectAlternativeNames=names,
                                  ValidationMethod="DNS")["CertificateArn"]
    options = acm.describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"]
    records = {(o["ResourceRecord"]["Name"], o["ResourceRecord"]["Value"]) for o in options}
    r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [
        {"Action": "UPSERT", "ResourceRecordSet": {"Name": name, "Type": "CNAME", "TTL": 60,
                                                   "ResourceRecords": [{"Value": value}]}} for name, value in records]})
    acm.get_waiter("certificate_validated").wait(CertificateArn=arn, WaiterConfig={"Delay": 1, "MaxAttempts": 20})
    return arn


@pytest.fixture(scope="module")
def zone(cdn_cloud):
    name = f"{unique('cdn')}.localhost"
    return name, issued_certificate(cdn_cloud, name, [f"www.{name}", f"*.app.{name}"])


def viewer_certificate(arn: str) -> dict:
    return {"ACMCertificateArn": arn, "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"}


def test_certificate_outside_us_east_1_is_rejected(cdn_cloud):
    """aws-facts: a certificate used by CloudFront must be in ACM in us-east-1, otherwise InvalidViewerCertificate."""
    acm = client("acm", cdn_cloud.cfg, region_name="eu-west-1")
    arn = acm.request_certificate(DomainName="www.elsewhere.localhost", ValidationMethod="DNS")["CertificateArn"]
    assert ":eu-west-1:" in arn
    with pytest.raises(ClientError) as caught:
        cdn_cloud.client("cloudfront").create_distribution(DistributionConfig=base_config(
            ViewerCertificate=viewer_certificate(arn)))
    assert error_of(caught) == ("InvalidViewerCertificate", 400)


def test_pending_certificate_and_uncovered_alias_are_rejected(cdn_cloud, zone):
    """A certificate not yet ISSUED, and an alias the certificate does not cover (a wildcard covers one label):
    InvalidViewerCertificate; an alias another distribution has: CNAMEAlreadyExists."""
    name, arn = zone
    cf = cdn_cloud.client("cloudfront")
    pending = cdn_cloud.client("acm").request_certificate(DomainName=f"pending.{name}",
                                                          ValidationMethod="DNS")["CertificateArn"]
    for certificate, alias in ((pending, f"pending.{name}"), (arn, f"api.{name}"), (arn, f"a.b.app.{name}")):
        with pytest.raises(ClientError) as caught:
            cf.create_distribution(DistributionConfig=base_config(
                Aliases={"Quantity": 1, "Items": [alias]}, ViewerCertificate=viewer_certificate(certificate)))
        assert error_of(caught) == ("InvalidViewerCertificate", 400), alias
    config = base_config(Aliases={"Quantity": 1, "Items": [f"one.app.{name}"]},
                         ViewerCertificate=viewer_certificate(arn))
    cf.create_distribution(DistributionConfig=config)
    with pytest.raises(ClientError) as caught:
        cf.create_distribution(DistributionConfig={**config, "CallerReference": uuid.uuid4().hex})
    assert error_of(caught) == ("CNAMEAlreadyExists", 409)


def test_alias_is_served_with_the_issued_acm_certificate(cdn_cloud, zone):
    """Each alias covered by the distribution's ISSUED us-east-1 certificate is served with that certificate (the
    local CA's leaf ACM issued); the distribution's own name keeps the *.cloudfront.localhost certificate; a name
    nobody serves gets the edge's default certificate, so its name check fails (CloudFront: *.cloudfront.net)."""
    name, arn = zone
    alias = f"www.{name}"
    site = make_site(cdn_cloud, objects={"index.html": PAGE}, Aliases={"Quantity": 1, "Items": [alias]},
                     ViewerCertificate=viewer_certificate(arn))
    answer = site.get("/", host=alias)
    assert answer.status_code == 200 and answer.content == PAGE
    context = ssl.create_default_context(cafile=site.ca)
    with socket.create_connection(("127.0.0.1", cdn_cloud.cfg.ports["https"]), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=alias) as tls:
            leaf = x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))
    served = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName)
    issued = cdn_cloud.client("acm").get_certificate(CertificateArn=arn)["Certificate"]
    assert leaf == x509.load_pem_x509_certificate(issued.encode())
    assert alias in served
    assert site.get("/").status_code == 200
    with pytest.raises(ssl.SSLCertVerificationError) as caught:
        with socket.create_connection(("127.0.0.1", cdn_cloud.cfg.ports["https"]), timeout=5) as raw:
            context.wrap_socket(raw, server_hostname=f"nobody.{name}")
    assert "Hostname mismatch" in str(caught.value)


def test_a_certificate_in_use_says_by_whom_and_cannot_be_deleted(cdn_cloud):
    """ACM's InUseBy lists the distributions that use the certificate (CertificateDetail), and DeleteCertificate
    answers ResourceInUseException while one does (DeleteCertificate API reference); moto keeps InUseBy empty and
    deletes the certificate under a live distribution. Once the distribution is gone, the delete goes through."""
    name = f"{unique('inuse')}.localhost"
    arn = issued_certificate(cdn_cloud, name, [f"www.{name}"])
    acm, cf = cdn_cloud.client("acm"), cdn_cloud.client("cloudfront")
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["InUseBy"] == []
    site = make_site(cdn_cloud, objects={"index.html": PAGE}, Aliases={"Quantity": 1, "Items": [f"www.{name}"]},
                     ViewerCertificate=viewer_certificate(arn))
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["InUseBy"] == [site.arn]
    listed = next(c for c in acm.list_certificates()["CertificateSummaryList"] if c["CertificateArn"] == arn)
    assert listed["InUse"] is True
    with pytest.raises(ClientError) as caught:
        acm.delete_certificate(CertificateArn=arn)
    assert caught.value.response["Error"]["Code"] == "ResourceInUseException"
    assert site.get("/", host=f"www.{name}").status_code == 200  # still served with it
    got = cf.get_distribution_config(Id=site.id)
    config = {**got["DistributionConfig"], "Enabled": False}
    etag = cf.update_distribution(Id=site.id, IfMatch=got["ETag"], DistributionConfig=config)["ETag"]
    site.wait()
    cf.delete_distribution(Id=site.id, IfMatch=etag)
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["InUseBy"] == []
    acm.delete_certificate(CertificateArn=arn)
    with pytest.raises(ClientError) as caught:
        acm.describe_certificate(CertificateArn=arn)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
