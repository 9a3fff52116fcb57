"""ACM as AWS runs it: DNS validation that really looks at DNS, and certificates signed by the local CA.

moto keeps each certificate's record (ARN, tags, options, idempotency tokens); this provider corrects the rest
(research/moto-5.2.5.md §2: one fixed validation record for every certificate, ISSUED on a 60 s timer, a
self-signed leaf with a fake Amazon issuer, GetCertificate answering while pending).

    RequestCertificate     moto's record, plus validation CNAMEs shaped as ACM's
    DescribeCertificate    status, DomainValidationOptions, dates, serial and usages as the certificate has them
    GetCertificate         RequestInProgressException until issued; then the leaf and the local CA as the chain
    ListCertificates       the same statuses and key-type filters (RSA_2048 only by default, as on AWS)
    InUseBy / InUse        the distributions whose configuration names the certificate (Component.certificate_users)
    DeleteCertificate      ResourceInUseException while something uses it (moto deletes it under the distribution)
    issued_leaf(arn)       for data planes (CloudFront aliases): the certificate, key and chain to serve, if ISSUED

Validation (``_refresh``) is lazy: a pending certificate is checked when one of these operations reads it, at most
every CHECK_INTERVAL, by querying the local DNS server over the wire for every validation CNAME. When all answer
with the right value, the local CA issues the leaf, which replaces moto's stand-in (so moto's Export and tags keep
working). State (validation records, what was asked) is this provider's snapshot; the issued PEMs live in moto's record.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import secrets
import string
import threading
import time
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from ... import config as _config
from ..core import certs
from ..core.errors import AwsError, NotImplementedByLocalCloud
from ..core.providers import Context, Provider
from . import models

log = logging.getLogger("labkit.cloud.acm")

CHECK_INTERVAL = 0.2  # seconds between DNS checks of one pending certificate (a loopback query costs ~1 ms)
DNS_TIMEOUT = 1.0
# "If ACM cannot validate … within 72 hours … the certificate status changes to Validation timed out"
# (ACM user guide, troubleshooting certificate requests).
VALIDATION_TIMEOUT = 72 * 3600
# Public certificates offer these key algorithms (RequestCertificate, KeyAlgorithm).
PUBLIC_KEY_ALGORITHMS = ("RSA_2048", "EC_prime256v1", "EC_secp384r1")
# "By default, the API returns RSA_2048 certificates" (ListCertificates API reference; RSA_1024 too).
DEFAULT_LIST_KEY_TYPES = ("RSA_1024", "RSA_2048")
# DomainValidation.DomainName in the ACM API reference.
DOMAIN_PATTERN = r"(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])"
EMAIL_USERS = ("admin", "administrator", "hostmaster", "postmaster", "webmaster")  # ACM's five addresses
_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "TLS_WEB_SERVER_AUTHENTICATION",
    ExtendedKeyUsageOID.CLIENT_AUTH: "TLS_WEB_CLIENT_AUTHENTICATION",
}


@dataclasses.dataclass(frozen=True)
class Tracked:
    """What this provider knows of a certificate it validates (replaced, never mutated: snapshots copy it)."""

    account: str
    region: str
    domains: tuple[str, ...]  # DomainName first, then the other SANs, as ACM lists DomainValidationOptions
    method: str  # DNS or EMAIL
    key_algorithm: str
    issued_at: float | None = None


def base_domain(domain: str) -> str:
    """The name a validation record hangs under: a wildcard shares its base domain's record (ACM DNS validation)."""
    return domain[2:] if domain.startswith("*.") else domain


def new_record(domain: str) -> tuple[str, str]:
    """A validation CNAME as ACM shapes it: ``_<32 hex>.<domain>.`` → ``_<32 hex>.<10 letters>.acm-validations.aws.``"""
    letters = "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))
    return f"_{secrets.token_hex(16)}.{domain}.", f"_{secrets.token_hex(16)}.{letters}.acm-validations.aws."


class AcmProvider(Provider):
    service = "acm"
    name = "acm"

    def __init__(self, cloud: Any = None) -> None:
        super().__init__(cloud)
        self._lock = threading.Lock()
        self._tracked: dict[str, Tracked] = {}  # ARN → state
        # "<account>/<domain>" → (name, value). ACM keeps one record per domain name and account: a second
        # certificate for the same name gets the same CNAME (observed: dflook/cloudformation-dns-certificate#7).
        self._records: dict[str, tuple[str, str]] = {}
        self._checked: dict[str, float] = {}  # ARN → monotonic time of the last DNS check (not saved)

    # -- operations --------------------------------------------------------------------------------------------
    def request_certificate(self, params: dict, ctx: Context) -> dict:
        domain = params.get("DomainName", "")
        sans = params.get("SubjectAlternativeNames") or []
        for member, value in [("domainName", domain)] + [("subjectAlternativeNames", s) for s in sans]:
            if not (1 <= len(value) <= 253 and re.fullmatch(DOMAIN_PATTERN, value)):
                raise AwsError("ValidationException", f"1 validation error detected: Value '{value}' at '{member}' "
                               f"failed to satisfy constraint: Member must satisfy regular expression pattern: "
                               f"{DOMAIN_PATTERN}", 400)
        if len(sans) > 10:
            raise AwsError("LimitExceededException",
                           "An ACM limit has been exceeded. Need to request SAN limit to be raised", 400)
        key_algorithm = params.get("KeyAlgorithm") or "RSA_2048"
        authority_arn = params.get("CertificateAuthorityArn")
        if authority_arn is None and key_algorithm not in PUBLIC_KEY_ALGORITHMS:
            raise AwsError("ValidationException", f"Key algorithm {key_algorithm} is not supported for public "
                           f"certificates: use one of {', '.join(PUBLIC_KEY_ALGORITHMS)}", 400)
        # Without ValidationMethod ACM validates by e-mail: a classic reason for a certificate that never issues.
        method = params.get("ValidationMethod") or "EMAIL"
        if method not in ("DNS", "EMAIL"):
            raise NotImplementedByLocalCloud(message=f"the local cloud validates certificates by DNS (or waits "
                                             f"forever for e-mail); ValidationMethod={method} is not implemented")
        arn = models.acm_request(
            ctx.account, ctx.region, domain_name=domain, sans=sans, idempotency_token=params.get("IdempotencyToken"),
            tags=params.get("Tags"), authority_arn=authority_arn, options=params.get("Options"))
        if authority_arn is None:  # private certificates are issued by moto at once, nothing to validate
            with self._lock:
                if arn not in self._tracked:  # a repeated IdempotencyToken returns the same certificate
                    domains = tuple(dict.fromkeys([domain, *sans]))
                    self._tracked[arn] = Tracked(ctx.account, ctx.region, domains, method, key_algorithm)
                    for name in domains:
                        self._records.setdefault(f"{ctx.account}/{base_domain(name)}", new_record(base_domain(name)))
        return {"CertificateArn": arn}

    def describe_certificate(self, params: dict, ctx: Context) -> dict:
        record = self._refresh(ctx.account, ctx.region, _arn(params))
        return {"Certificate": self._describe(record)}

    def delete_certificate(self, params: dict, ctx: Context) -> dict:
        arn = _arn(params)
        models.acm_record(ctx.account, ctx.region, arn)  # ResourceNotFoundException first, as ACM answers
        if self._users(arn):
            # ACM's answer while a distribution uses the certificate (DeleteCertificate API reference)
            raise AwsError("ResourceInUseException", f"Certificate {arn} in account {ctx.account} is in use.", 400)
        models.acm_delete(ctx.account, ctx.region, arn)
        self._tracked.pop(arn, None)
        return {}

    def _users(self, arn: str) -> list[str]:
        """InUseBy: the resources of other services that use the certificate (Component.certificate_users)."""
        cloud = self.cloud
        found: set[str] = set()
        for component in getattr(cloud, "components", ()):
            found |= component.certificate_users().get(arn, set())
        return sorted(found)

    def get_certificate(self, params: dict, ctx: Context) -> dict:
        record = self._refresh(ctx.account, ctx.region, _arn(params))
        if record.arn in self._tracked and record.status != "ISSUED":
            # AWS: "The certificate request is in process and the certificate in your account has not yet been
            # issued." (RequestInProgressException); moto would hand out its stand-in.
            raise AwsError("RequestInProgressException", f"Certificate {record.arn} is in {record.status} state "
                           "and has not been issued yet.", 400)
        return {"Certificate": record.cert_pem.decode(), "CertificateChain": record.chain_pem.decode()}

    def list_certificates(self, params: dict, ctx: Context) -> dict:
        statuses = params.get("CertificateStatuses") or []
        includes = params.get("Includes") or {}
        key_types = includes.get("keyTypes") or DEFAULT_LIST_KEY_TYPES
        summaries = []
        for arn in models.acm_arns(ctx.account, ctx.region):
            try:
                detail = self._describe(self._refresh(ctx.account, ctx.region, arn))
            except AwsError:  # deleted meanwhile
                continue
            if statuses and detail["Status"] not in statuses or detail["KeyAlgorithm"] not in key_types:
                continue
            if "exportOption" in includes and detail.get("Options", {}).get("Export") != includes["exportOption"]:
                continue
            summaries.append(_summary(detail))
        start = int(params.get("NextToken") or 0)
        end = start + int(params.get("MaxItems") or len(summaries) or 1)
        page = {"CertificateSummaryList": summaries[start:end]}
        if end < len(summaries):
            page["NextToken"] = str(end)
        return page

    # -- validation --------------------------------------------------------------------------------------------
    def _refresh(self, account: str, region: str, arn: str) -> models.AcmRecord:
        """moto's record of the certificate, after validating it if it is pending and due for a check."""
        record = models.acm_record(account, region, arn)
        tracked = self._tracked.get(arn)
        if tracked is None or record.status != "PENDING_VALIDATION" or tracked.method != "DNS":
            return record
        with self._lock:  # one check at a time: no certificate is issued twice
            now = time.monotonic()
            if now - self._checked.get(arn, -CHECK_INTERVAL) < CHECK_INTERVAL:
                return record
            self._checked[arn] = now
            if time.time() - record.created_at > VALIDATION_TIMEOUT:
                models.acm_set_status(account, region, arn, "VALIDATION_TIMED_OUT")
                return models.acm_record(account, region, arn)
            pending = [r for r in self._records_of(tracked) if not self._dns_answers(*r)]
            if pending:
                return record
            leaf = certs.authority(self.cloud.state_dir).issue(list(tracked.domains), tracked.key_algorithm)
            models.acm_issue(account, region, arn, leaf.cert_pem, leaf.key_pem, leaf.chain_pem)
            self._tracked[arn] = dataclasses.replace(tracked, issued_at=time.time())
            log.info("issued %s for %s", arn, ", ".join(tracked.domains))
        return models.acm_record(account, region, arn)  # the gateway marks the change: every ACM call is a POST

    def _records_of(self, tracked: Tracked) -> list[tuple[str, str]]:
        bases = dict.fromkeys(base_domain(d) for d in tracked.domains)
        return [self._records[f"{tracked.account}/{b}"] for b in bases]

    def _dns_port(self) -> int:
        for component in getattr(self.cloud, "components", []):
            if component.name == "dns" and component.ports.get("dns"):
                return component.ports["dns"]
        return self.cloud.cfg.ports["dns"]

    def _dns_answers(self, name: str, value: str) -> bool:
        """Whether the local DNS server answers ``name`` CNAME ``value`` (a real query, UDP then TCP if cut)."""
        # dnspython only here: it takes ~30 ms to import, and the cloud needs it only once a certificate is pending.
        import dns.exception
        import dns.flags
        import dns.message
        import dns.name
        import dns.query
        import dns.rdatatype

        query = dns.message.make_query(name, dns.rdatatype.CNAME)
        port = self._dns_port()
        try:
            response = dns.query.udp(query, _config.HOST, port=port, timeout=DNS_TIMEOUT)
            if response.flags & dns.flags.TC:
                response = dns.query.tcp(query, _config.HOST, port=port, timeout=DNS_TIMEOUT)
        except (dns.exception.DNSException, OSError):
            return False
        want = dns.name.from_text(value)
        return any(
            rrset.rdtype == dns.rdatatype.CNAME and rrset.name == dns.name.from_text(name)
            and any(rdata.target == want for rdata in rrset)
            for rrset in response.answer
        )

    # -- shapes --------------------------------------------------------------------------------------------------
    def _describe(self, record: models.AcmRecord) -> dict[str, Any]:
        detail = dict(record.description)
        detail["InUseBy"] = self._users(record.arn)
        tracked = self._tracked.get(record.arn)
        if tracked is None:
            return detail
        issued = record.status == "ISSUED"
        options = []
        for domain in tracked.domains:
            option: dict[str, Any] = {
                "DomainName": domain,
                "ValidationDomain": domain,
                "ValidationStatus": {"ISSUED": "SUCCESS", "PENDING_VALIDATION": "PENDING_VALIDATION"}.get(
                    record.status, "FAILED"),
                "ValidationMethod": tracked.method,
            }
            if tracked.method == "DNS":
                name, value = self._records[f"{tracked.account}/{base_domain(domain)}"]
                option["ResourceRecord"] = {"Name": name, "Type": "CNAME", "Value": value}
            else:
                option["ValidationEmails"] = [f"{user}@{base_domain(domain)}" for user in EMAIL_USERS]
            options.append(option)
        detail["DomainValidationOptions"] = options
        detail["DomainName"] = tracked.domains[0]
        detail["SubjectAlternativeNames"] = list(tracked.domains)
        detail["KeyAlgorithm"] = tracked.key_algorithm
        if not issued:  # AWS shows no dates, serial or usages before the certificate exists
            for key in ("IssuedAt", "NotBefore", "NotAfter", "Serial", "KeyUsages", "ExtendedKeyUsages"):
                detail.pop(key, None)
            detail["SignatureAlgorithm"] = "SHA256WITHRSA"  # Amazon's CAs; moto's stand-in says SHA512WITHRSA
            return detail
        cert = x509.load_pem_x509_certificate(record.cert_pem)
        detail["SignatureAlgorithm"] = f"{cert.signature_hash_algorithm.name.upper()}WITH{_signer(cert)}"
        detail["IssuedAt"] = tracked.issued_at
        detail["Serial"] = ":".join(f"{b:02x}" for b in cert.serial_number.to_bytes(20, "big").lstrip(b"\0"))
        detail["KeyUsages"] = [{"Name": n} for n in _key_usages(cert)]
        detail["ExtendedKeyUsages"] = [{"Name": _EKU_NAMES.get(oid, "CUSTOM"), "OID": oid.dotted_string}
                                       for oid in _extended_key_usages(cert)]
        return detail

    # -- persistence ---------------------------------------------------------------------------------------------
    def snapshot(self) -> Any:
        # Called with moto.LOCK held: take no lock of ours (_refresh takes ours, then moto.LOCK). Dict copies
        # are atomic under the GIL and Tracked values are never mutated.
        return {"tracked": {arn: dataclasses.asdict(t) for arn, t in dict(self._tracked).items()},
                "records": dict(self._records)}

    def restore(self, state: Any) -> None:
        tracked = state.get("tracked", {})
        self._tracked = {arn: Tracked(**{**t, "domains": tuple(t["domains"])}) for arn, t in tracked.items()}
        self._records = {key: tuple(value) for key, value in state.get("records", {}).items()}  # type: ignore[misc]


def _arn(params: dict) -> str:
    if not params.get("CertificateArn"):
        raise AwsError("ValidationException", "A required parameter for the specified action is not supplied.", 400)
    return params["CertificateArn"]


def issued_leaf(arn: str) -> certs.Leaf | None:
    """The certificate ``arn`` names, with its key and chain, ready for the edge (``Site(app, leaf, …)``); None when
    it does not exist or is not ISSUED. Reads the status as the last ACM call left it: it runs no DNS check (a
    learner waits for ISSUED before attaching a certificate, as AWS requires)."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[2] != "acm":
        return None
    try:
        record = models.acm_record(parts[4], parts[3], arn)
    except AwsError:
        return None
    if record.status != "ISSUED":
        return None
    return certs.Leaf(record.cert_pem, record.key_pem, record.chain_pem)


def _summary(detail: dict[str, Any]) -> dict[str, Any]:
    """A CertificateSummary from a CertificateDetail (usages are bare names there)."""
    summary = {key: detail[key] for key in (
        "CertificateArn", "DomainName", "Status", "Type", "KeyAlgorithm", "RenewalEligibility", "NotBefore",
        "NotAfter", "CreatedAt", "IssuedAt", "ImportedAt") if key in detail}
    summary["SubjectAlternativeNameSummaries"] = detail.get("SubjectAlternativeNames", [])
    summary["HasAdditionalSubjectAlternativeNames"] = False
    summary["KeyUsages"] = [u["Name"] for u in detail.get("KeyUsages", [])]
    summary["ExtendedKeyUsages"] = [u["Name"] for u in detail.get("ExtendedKeyUsages", [])]
    summary["InUse"] = bool(detail.get("InUseBy"))
    summary["Exported"] = detail.get("Options", {}).get("Export") == "ENABLED"
    return summary


def _signer(cert: x509.Certificate) -> str:
    """RSA or ECDSA, as ACM's SignatureAlgorithm names the issuer's key (SHA256WITHRSA, SHA256WITHECDSA)."""
    return "ECDSA" if isinstance(cert.signature_algorithm_parameters, ec.ECDSA) else "RSA"


def _key_usages(cert: x509.Certificate) -> list[str]:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return []
    names = {"digital_signature": "DIGITAL_SIGNATURE", "key_encipherment": "KEY_ENCIPHERMENT",
             "key_agreement": "KEY_AGREEMENT", "content_commitment": "NON_REPUDIATION"}
    return [name for attr, name in names.items() if getattr(usage, attr)]


def _extended_key_usages(cert: x509.Certificate) -> list[Any]:
    try:
        return list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return []
