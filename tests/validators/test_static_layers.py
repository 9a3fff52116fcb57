"""The certificate and dns validators: green as notebooks 02 and 03 build the layers, and once notebook 04's
distribution serves the domain (the handshakes, the aliases); the right hint on the classic mistakes (certificate
outside us-east-1, a CNAME value with https://, a missing record, a plain A record where an alias to the
distribution belongs, www aliased in DNS to a distribution that does not list it)."""

from __future__ import annotations

import socket
import ssl
import uuid
import warnings

import pytest

import validators
from labkit import config
from validators.base import FAIL, PASS, SKIP
from validators.probes import tls_handshake

from .deployments import deploy_site, wait_deployed


def new_cfg(cloud):
    return config.load({**cloud.env, "LAB_DOMAIN": f"t{uuid.uuid4().hex[:8]}.localhost"})


def zone_for(cloud, domain):
    return cloud.client("route53").create_hosted_zone(Name=domain, CallerReference=str(uuid.uuid4()))["HostedZone"]["Id"]


def upsert(cloud, zone, name, rtype, value, **extra):
    record = {"Name": name, "Type": rtype, **extra}
    if value is not None:
        record.update(TTL=300, ResourceRecords=[{"Value": value}])
    cloud.client("route53").change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        {"Action": "UPSERT", "ResourceRecordSet": record}]})


def request(cloud, domain, region="us-east-1"):
    acm = cloud.client("acm") if region == "us-east-1" else _acm(cloud, region)
    arn = acm.request_certificate(DomainName=domain, SubjectAlternativeNames=[f"www.{domain}"],
                                  ValidationMethod="DNS")["CertificateArn"]
    options = acm.describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"]
    return arn, {o["ResourceRecord"]["Name"]: o["ResourceRecord"]["Value"] for o in options if "ResourceRecord" in o}


def _acm(cloud, region):
    from labkit.target import client

    return client("acm", cloud.cfg, region_name=region)


def results(cfg, layer):
    return {r.check: r for r in validators.run([layer], cfg).results}


def test_issued_certificate_passes_and_handshake_waits_for_the_site(cloud):
    cfg = new_cfg(cloud)
    zone = zone_for(cloud, cfg.domain)
    _, records = request(cloud, cfg.domain)
    for name, value in records.items():
        upsert(cloud, zone, name, "CNAME", value)
    found = results(cfg, "certificate")
    assert found["certificate.exists"].status == PASS and found["certificate.issued"].status == PASS
    assert found["certificate.tls"].status == SKIP and "notebook 04" in found["certificate.tls"].observed


def test_certificate_outside_us_east_1_is_named(cloud):
    cfg = new_cfg(cloud)
    request(cloud, cfg.domain, region="eu-west-1")
    found = results(cfg, "certificate")["certificate.exists"]
    assert found.status == FAIL and "outside us-east-1" in found.hint


def test_cname_value_with_https_is_named(cloud):
    cfg = new_cfg(cloud)
    zone = zone_for(cloud, cfg.domain)
    _, records = request(cloud, cfg.domain)
    for name, value in records.items():
        upsert(cloud, zone, name, "CNAME", "https://" + value)
    found = results(cfg, "certificate")["certificate.issued"]
    assert found.status == FAIL and "https://" in found.hint


def test_zone_without_txt_and_with_a_plain_a_record(cloud):
    cfg = new_cfg(cloud)
    zone = zone_for(cloud, cfg.domain)
    found = results(cfg, "dns")
    assert found["dns.authoritative"].status == PASS
    assert found["dns.txt"].status == FAIL and "TXT" in found["dns.txt"].hint
    cloud.client("cloudfront").create_distribution(DistributionConfig={
        "CallerReference": str(uuid.uuid4()), "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "b.s3.us-east-1.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}})
    upsert(cloud, zone, cfg.domain, "A", "127.0.0.1")
    upsert(cloud, zone, cfg.domain, "TXT", '"v=spf1 -all"')
    found = results(cfg, "dns")
    assert found["dns.txt"].status == PASS
    assert found["dns.aliases"].status == FAIL and "not an alias" in found["dns.aliases"].observed


def test_missing_zone_names_the_notebooks(cloud):
    found = results(new_cfg(cloud), "dns")
    assert found["dns.zone"].status == FAIL and "run notebook 02: it creates the zone" in found["dns.zone"].hint


def test_a_name_nobody_serves_gets_the_default_certificate_as_on_cloudfront(cloud):
    """CloudFront presents its default *.cloudfront.net certificate to a name no distribution lists, and to a
    ClientHello without SNI; the edge presents its *.cloudfront.localhost one. The handshake completes and the
    client's name check fails (what a browser shows), instead of an aborted handshake."""
    name = f"nobody-{uuid.uuid4().hex[:8]}.localhost"
    shake = tls_handshake("127.0.0.1", cloud.cfg.ports["https"], name, cafile=str(cloud.state_dir / "ca" / "ca.pem"))
    assert not shake.verified and "Hostname mismatch" in shake.error
    assert "*.cloudfront.localhost" in shake.names()
    lenient = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    lenient.check_hostname, lenient.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", cloud.cfg.ports["https"]), timeout=5) as raw, \
            lenient.wrap_socket(raw) as tls:  # no server_hostname: no SNI
        assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_a_client_below_tls_1_2_gets_the_protocol_version_alert(cloud):
    """CloudFront's TLSv1.2_2021 policy floor: an older client is refused with the alert protocol_version (RFC 8446
    §6.2), which the edge sends before closing (core/edge.py _send_tls_alerts), not a bare EOF."""
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname, old.verify_mode = False, ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old.minimum_version, old.maximum_version = ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1
    old.set_ciphers("DEFAULT@SECLEVEL=0")
    with pytest.raises(ssl.SSLError) as caught:
        with socket.create_connection(("127.0.0.1", cloud.cfg.ports["https"]), timeout=5) as raw:
            old.wrap_socket(raw, server_hostname="x.cloudfront.localhost")
    assert caught.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"


def test_site_with_its_distribution_passes_handshakes_and_aliases(cloud):
    """Once notebook 04 has run, the apex and www both present the issued ACM certificate over TLS (chaining to the
    local CA), and both are alias A records to the distribution (aws-facts: AliasTarget.HostedZoneId
    Z2FDTNDATAQYW2) that the zone's server answers."""
    cfg, _ = deploy_site(cloud)
    found = {**results(cfg, "certificate"), **results(cfg, "dns")}
    assert {r.status for r in found.values()} == {PASS}, {k: (r.status, r.observed, r.hint) for k, r in found.items()
                                                          if r.status != PASS}
    assert f"{cfg.domain} and www.{cfg.domain} verified" in found["certificate.tls"].observed
    assert f"www.{cfg.domain} → 127.0.0.1" in found["dns.aliases"].observed


def test_www_aliased_to_a_distribution_without_it_is_alias_not_on_the_certificate(cloud):
    """A learner lists only the apex in the distribution's Aliases but makes both DNS alias records: www leads to
    the edge, which serves nothing for it (its default certificate). That is a fail naming the missing alias, not a
    skip; the cdn layer names the missing www alias too."""
    cfg, dist = deploy_site(cloud, aliases=("",))
    wait_deployed(cloud, dist)
    found = results(cfg, "certificate")["certificate.tls"]
    assert found.status == FAIL, (found.status, found.observed)
    assert f"www.{cfg.domain}: CloudFront's default certificate (*.cloudfront.localhost" in found.observed
    assert f"not in the Aliases of {dist['Id']}" in found.observed
    assert "alias not on the certificate" in found.hint and f"www.{cfg.domain}" in found.hint
    distribution = results(cfg, "cdn")["cdn.distribution"]
    assert distribution.status == FAIL and "www missing from Aliases" in distribution.hint
