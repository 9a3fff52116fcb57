"""The local CA and ACM done right: records shaped as ACM's, validation through Route 53 and the DNS server, leaves
that chain to the local CA, state that survives a restart. Facts cite research/moto-5.2.5.md §2 (what moto gets
wrong) and the ACM documentation."""

from __future__ import annotations

import datetime
import re
import stat
import types
import uuid

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.x509 import DNSName
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store

from labkit.cloud.acm.provider import AcmProvider
from labkit.cloud.core import certs
from labkit.config import Config
from labkit.errors import LabError
from labkit.waiting import NotYet, retry_until

RECORD_NAME = r"_[0-9a-f]{{32}}\.{domain}\."
RECORD_VALUE = r"_[0-9a-f]{32}\.[a-z]{10}\.acm-validations\.aws\."


def verify(leaf_pem: bytes, ca_pem: bytes, name: str) -> None:
    """Path validation as a TLS client does it (RFC 5280 + CA/B rules in cryptography's verifier)."""
    store = Store([x509.load_pem_x509_certificate(ca_pem)])
    verifier = PolicyBuilder().store(store).build_server_verifier(DNSName(name))
    verifier.verify(x509.load_pem_x509_certificate(leaf_pem), [])


# -- the local CA ----------------------------------------------------------------------------------------------------
def test_ca_has_ca_extensions_and_a_private_key(tmp_path) -> None:
    ca = certs.LocalCA(tmp_path / "ca")
    cert = ca.cert
    assert ca.name.startswith("Serverless Lab Kit Local CA (")
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).critical
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days >= 3650
    assert stat.S_IMODE(ca.key_path.stat().st_mode) == 0o600


def test_ca_is_reused_from_disk(tmp_path) -> None:
    first = certs.LocalCA(tmp_path / "ca")
    second = certs.LocalCA(tmp_path / "ca")
    assert second.cert_pem == first.cert_pem


def test_incomplete_ca_says_how_to_fix_it(tmp_path) -> None:
    ca = certs.LocalCA(tmp_path / "ca")
    ca.key_path.unlink()
    with pytest.raises(LabError, match="delete that folder"):
        certs.LocalCA(tmp_path / "ca")


@pytest.mark.parametrize("key_algorithm", ["EC_prime256v1", "RSA_2048"])
def test_leaf_chains_to_the_ca_for_every_name(tmp_path, key_algorithm: str) -> None:
    ca = certs.LocalCA(tmp_path / "ca")
    leaf = ca.issue(["www.contact.localhost", "*.contact.localhost", "127.0.0.1"], key_algorithm)
    for name in ("www.contact.localhost", "any.contact.localhost"):
        verify(leaf.cert_pem, leaf.chain_pem, name)
    cert = leaf.certificate
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in eku
    # Browsers refuse leaves valid for more than 398 days; ACM's are 395 (ACM user guide, renewal).
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc) <= datetime.timedelta(days=396)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "www.contact.localhost"


def test_leaf_is_cached_per_name_set_and_issue_is_always_new(tmp_path) -> None:
    ca = certs.LocalCA(tmp_path / "ca")
    assert ca.leaf(["a.localhost", "b.localhost"]) is ca.leaf(["b.localhost", "a.localhost"])
    assert ca.leaf(["a.localhost"]) is not ca.leaf(["b.localhost"])
    assert ca.issue(["a.localhost"]).certificate.serial_number != ca.issue(["a.localhost"]).certificate.serial_number


# -- ACM ---------------------------------------------------------------------------------------------------------------
def unique_domain() -> str:
    return f"c{uuid.uuid4().hex[:10]}.localhost"


def request(acm, domain: str, sans: list[str] | None = None, **extra) -> str:
    return acm.request_certificate(DomainName=domain, SubjectAlternativeNames=sans or [domain],
                                   ValidationMethod="DNS", **extra)["CertificateArn"]


def records(acm, arn: str) -> dict[str, dict]:
    detail = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    return {option["DomainName"]: option["ResourceRecord"] for option in detail["DomainValidationOptions"]}


def publish(cloud, domain: str, resource_records: list[dict]) -> None:
    """The learner's part: a hosted zone for the domain and the validation CNAMEs in it."""
    route53 = cloud.client("route53")
    zone_id = route53.create_hosted_zone(Name=domain, CallerReference=str(uuid.uuid4()))["HostedZone"]["Id"]
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [
        {"Action": "UPSERT", "ResourceRecordSet": {"Name": r["Name"], "Type": "CNAME", "TTL": 300,
                                                   "ResourceRecords": [{"Value": r["Value"]}]}}
        for r in {r["Name"]: r for r in resource_records}.values()]})


def wait_issued(acm, arn: str) -> dict:
    def attempt() -> dict:
        detail = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        if detail["Status"] != "ISSUED":
            raise NotYet(detail["Status"])
        return detail

    return retry_until(f"ACM issues {arn}", attempt, deadline=30, backoff=0.25, max_interval=0.5, progress=False)


def test_request_gives_acm_shaped_records_unique_per_domain(cloud) -> None:
    """moto gives every certificate the same record (moto-5.2.5.md §2); ACM makes one per domain, shaped
    _<32 hex>.<domain>. → _<32 hex>.<10 letters>.acm-validations.aws., and a wildcard shares its base's."""
    acm = cloud.client("acm")
    domain, other = unique_domain(), unique_domain()
    arn = request(acm, domain, [domain, f"*.{domain}", f"www.{domain}"])
    detail = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert detail["Status"] == "PENDING_VALIDATION"
    assert [o["DomainName"] for o in detail["DomainValidationOptions"]] == [domain, f"*.{domain}", f"www.{domain}"]
    assert {o["ValidationStatus"] for o in detail["DomainValidationOptions"]} == {"PENDING_VALIDATION"}
    by_name = records(acm, arn)
    assert re.fullmatch(RECORD_NAME.format(domain=re.escape(domain)), by_name[domain]["Name"])
    assert re.fullmatch(RECORD_VALUE, by_name[domain]["Value"])
    assert by_name[f"*.{domain}"] == by_name[domain]
    assert by_name[f"www.{domain}"] != by_name[domain]
    other_records = records(acm, request(acm, other))
    assert other_records[other]["Name"].split(".")[0] != by_name[domain]["Name"].split(".")[0]
    assert other_records[other]["Value"] != by_name[domain]["Value"]
    # AWS shows no dates or serial before issuance; moto sets IssuedAt at once (moto-5.2.5.md §2).
    assert not {"IssuedAt", "NotBefore", "NotAfter", "Serial"} & detail.keys()


def test_same_domain_in_the_same_account_reuses_its_record(cloud) -> None:
    """ACM reuses a domain's validation CNAME for later certificates of the same account (observed on AWS:
    dflook/cloudformation-dns-certificate#7), so a validated domain validates again without a new record."""
    acm = cloud.client("acm")
    domain = unique_domain()
    assert records(acm, request(acm, domain)) == records(acm, request(acm, domain))


def test_get_certificate_while_pending_is_request_in_progress(cloud) -> None:
    """GetCertificate: RequestInProgressException "The certificate request is in process and the certificate in
    your account has not yet been issued" (ACM API reference); moto returns a certificate (moto-5.2.5.md §2)."""
    acm = cloud.client("acm")
    arn = request(acm, unique_domain())
    with pytest.raises(ClientError) as caught:
        acm.get_certificate(CertificateArn=arn)
    assert caught.value.response["Error"]["Code"] == "RequestInProgressException"


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_dns_validation_issues_a_certificate_of_the_local_ca(cloud, region: str) -> None:
    acm = cloud.client("acm") if region == cloud.cfg.region else _client(cloud, "acm", region)
    domain = unique_domain()
    names = [domain, f"*.{domain}", f"www.{domain}"]
    arn = request(acm, domain, names)
    assert arn.split(":")[3] == region
    publish(cloud, domain, list(records(acm, arn).values()))
    detail = wait_issued(acm, arn)
    ca = certs.LocalCA(certs.ca_dir(cloud.state_dir))
    assert detail["Issuer"] == ca.name
    assert {o["ValidationStatus"] for o in detail["DomainValidationOptions"]} == {"SUCCESS"}
    assert re.fullmatch(r"[0-9a-f]{2}(:[0-9a-f]{2})+", detail["Serial"])
    assert detail["IssuedAt"] >= detail["CreatedAt"]
    assert detail["SignatureAlgorithm"] == "SHA256WITHECDSA"  # what the local CA signs with, in ACM's spelling
    assert (detail["NotAfter"] - detail["NotBefore"]).days == 395
    pems = acm.get_certificate(CertificateArn=arn)
    assert pems["CertificateChain"].encode() == ca.cert_pem
    leaf = x509.load_pem_x509_certificate(pems["Certificate"].encode())
    assert format(leaf.serial_number, "x").zfill(len(detail["Serial"].replace(":", ""))) == \
        detail["Serial"].replace(":", "")
    for name in (domain, "anything." + domain, f"www.{domain}"):
        verify(pems["Certificate"].encode(), pems["CertificateChain"].encode(), name)
    listed = acm.list_certificates(CertificateStatuses=["ISSUED"])["CertificateSummaryList"]
    assert arn in [c["CertificateArn"] for c in listed]
    pending = acm.list_certificates(CertificateStatuses=["PENDING_VALIDATION"])["CertificateSummaryList"]
    assert arn not in [c["CertificateArn"] for c in pending]


def test_list_returns_rsa_2048_unless_key_types_are_asked(cloud) -> None:
    """ListCertificates: "By default, the API returns RSA_2048 certificates" (ACM API reference)."""
    acm = cloud.client("acm")
    arn = request(acm, unique_domain(), KeyAlgorithm="EC_prime256v1")
    assert arn not in [c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"]]
    listed = acm.list_certificates(Includes={"keyTypes": ["EC_prime256v1"]})["CertificateSummaryList"]
    assert arn in [c["CertificateArn"] for c in listed]
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["KeyAlgorithm"] == "EC_prime256v1"


def test_without_validation_method_acm_waits_for_email(cloud) -> None:
    """RequestCertificate without ValidationMethod validates by e-mail to the domain's five admin addresses."""
    acm = cloud.client("acm")
    domain = unique_domain()
    arn = acm.request_certificate(DomainName=domain)["CertificateArn"]
    option = acm.describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"][0]
    assert option["ValidationMethod"] == "EMAIL" and "ResourceRecord" not in option
    assert f"admin@{domain}" in option["ValidationEmails"]


def test_malformed_domain_is_a_validation_error(cloud) -> None:
    acm = cloud.client("acm")
    with pytest.raises(ClientError) as caught:
        acm.request_certificate(DomainName="not a domain", ValidationMethod="DNS")
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_dns_check_asks_the_dns_server_for_the_exact_value(cloud) -> None:
    """The check is a real DNS query to the local server: a CNAME with another value does not validate."""
    acm = cloud.client("acm")
    domain = unique_domain()
    record = records(acm, request(acm, domain))[domain]
    wrong = dict(record, Value="_0123456789abcdef0123456789abcdef.wrongwrong.acm-validations.aws.")
    publish(cloud, domain, [wrong])
    checker = AcmProvider(types.SimpleNamespace(cfg=cloud.cfg, components=[]))
    assert checker._dns_answers(wrong["Name"], wrong["Value"]) is True  # the server answers what the zone holds
    assert checker._dns_answers(record["Name"], record["Value"]) is False
    # A new certificate for the domain is checked on its first Describe (it shares the record): still pending.
    again = request(acm, domain)
    assert acm.describe_certificate(CertificateArn=again)["Certificate"]["Status"] == "PENDING_VALIDATION"


def test_issued_certificate_is_ready_for_the_edge(cloud, tmp_path) -> None:
    """issued_leaf() hands data planes (CloudFront aliases) the PEMs to serve: none while pending, then a leaf that
    a TLS client accepts for the domain. The provider runs in this process; its DNS checks ask the session cloud's
    DNS server, where the records are published through Route 53."""
    from labkit.cloud.acm.provider import issued_leaf
    from labkit.cloud.core.edge import Edge, Site
    from labkit.cloud.core.providers import Context
    from tests.cloud.test_edge import StandIn, https_get

    stand_in = StandIn(tmp_path)
    stand_in.cfg = Config(state_dir=tmp_path, ports={**stand_in.cfg.ports, "dns": cloud.cfg.ports["dns"]})
    provider = AcmProvider(stand_in)
    ctx = Context("123456789012", "us-east-1", "RequestCertificate", None)
    domain = unique_domain()
    arn = provider.request_certificate({"DomainName": domain, "ValidationMethod": "DNS"}, ctx)["CertificateArn"]
    detail = provider.describe_certificate({"CertificateArn": arn}, ctx)["Certificate"]
    assert issued_leaf(arn) is None
    publish(cloud, domain, [detail["DomainValidationOptions"][0]["ResourceRecord"]])

    def attempt() -> str:
        status = provider.describe_certificate({"CertificateArn": arn}, ctx)["Certificate"]["Status"]
        if status != "ISSUED":
            raise NotYet(status)
        return status

    retry_until("the in-process provider issues", attempt, deadline=30, backoff=0.25, max_interval=0.5,
                progress=False)
    leaf = issued_leaf(arn)
    edge = Edge(stand_in)
    stand_in.components.append(edge)
    edge.bind(), edge.start()
    try:
        edge.add_resolver(lambda host: Site(lambda e, s: (s("200 OK", []), [b"acm"])[1], leaf, "allow-all")
                          if host == domain else None)
        assert https_get(edge, domain).body == b"acm"
    finally:
        edge.stop()


def test_ca_and_certificates_survive_a_restart(fresh_cloud) -> None:
    """The CA is made at the first start and kept (users trust it once); so are ACM's records and issued PEMs."""
    ca_pem = (certs.ca_dir(fresh_cloud.state_dir) / "ca.pem").read_bytes()
    assert stat.S_IMODE((certs.ca_dir(fresh_cloud.state_dir) / "ca-key.pem").stat().st_mode) == 0o600
    acm = fresh_cloud.client("acm")
    pending_domain, issued_domain = unique_domain(), unique_domain()
    pending = request(acm, pending_domain)
    issued = request(acm, issued_domain)
    publish(fresh_cloud, issued_domain, list(records(acm, issued).values()))
    before = wait_issued(acm, issued)
    pems = acm.get_certificate(CertificateArn=issued)
    pending_records = records(acm, pending)
    fresh_cloud.restart()
    assert (certs.ca_dir(fresh_cloud.state_dir) / "ca.pem").read_bytes() == ca_pem
    acm = fresh_cloud.client("acm")
    assert records(acm, pending) == pending_records
    assert acm.describe_certificate(CertificateArn=pending)["Certificate"]["Status"] == "PENDING_VALIDATION"
    after = acm.describe_certificate(CertificateArn=issued)["Certificate"]
    assert (after["Status"], after["Serial"], after["IssuedAt"]) == (before["Status"], before["Serial"],
                                                                     before["IssuedAt"])
    assert acm.get_certificate(CertificateArn=issued)["Certificate"] == pems["Certificate"]


def _client(cloud, service: str, region: str):
    from labkit.target import client

    return client(service, cloud.cfg, region_name=region)
