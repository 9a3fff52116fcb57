"""ACM as moto holds it. The ACM provider (provider.py) keeps moto's certificate records (ARN, tags, options,
idempotency tokens) and overrides what moto gets wrong: status, validation, and the PEMs once the local CA has issued.

    acm_request(account, region, …)         RequestCertificate through moto's backend; returns the ARN
    acm_record(account, region, arn)        a certificate as plain data (AcmRecord)
    acm_arns(account, region)               the ARNs of a region's certificates
    acm_issue(account, region, arn, …)      put the local CA's leaf, key and chain in place, status ISSUED
    acm_set_status(account, region, arn, s) any other status (VALIDATION_TIMED_OUT)
    acm_certificate_pems(arn)               (status, cert, key, chain) PEMs of a certificate, or None (CloudFront)

Errors come out as AwsError (ResourceNotFoundException, ValidationException…) with moto's message.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from moto import settings as _moto_settings

from ..core.errors import AwsError
from ..moto import LOCK

# moto flips a pending certificate to ISSUED once MOTO_ACM_VALIDATION_WAIT seconds have passed, without looking at
# DNS (research/moto-5.2.5.md §2). moto.settings reads that variable at import (done by then: labkit.cloud.moto
# imports moto), but CertBundle.check() reads the module attribute on every call: ~3000 years turn the timer off.
_moto_settings.ACM_VALIDATION_WAIT = 10**11


@dataclasses.dataclass(frozen=True)
class AcmRecord:
    arn: str
    type: str  # AMAZON_ISSUED, IMPORTED, PRIVATE
    status: str
    domain_name: str
    sans: tuple[str, ...]
    created_at: float  # epoch seconds
    options: dict[str, Any]
    in_use_by: tuple[str, ...]
    description: dict[str, Any]  # moto's DescribeCertificate "Certificate" member, to correct
    cert_pem: bytes
    chain_pem: bytes
    key_pem: bytes = dataclasses.field(repr=False)


@contextlib.contextmanager
def _acm_errors() -> Any:
    from moto.core.exceptions import JsonRESTError

    try:
        yield
    except JsonRESTError as exc:
        raise AwsError(exc.error_type, exc.message, exc.code) from None


def _acm_backend(account: str, region: str) -> Any:
    from moto.acm.models import acm_backends

    return acm_backends[account][region]


def acm_request(
    account: str, region: str, *, domain_name: str, sans: list[str] | None, idempotency_token: str | None,
    tags: list[dict[str, str]] | None, authority_arn: str | None, options: dict[str, Any] | None,
) -> str:
    with LOCK, _acm_errors():
        return _acm_backend(account, region).request_certificate(
            domain_name, idempotency_token, sans, tags, authority_arn, options)


def acm_arns(account: str, region: str) -> list[str]:
    with LOCK:
        return list(_acm_backend(account, region)._certificates)


def acm_record(account: str, region: str, arn: str) -> AcmRecord:
    from moto.acm.models import datetime_to_epoch

    with LOCK, _acm_errors():
        bundle = _acm_backend(account, region).get_certificate(arn)
        return AcmRecord(
            arn=bundle.arn, type=bundle.type, status=bundle.status, domain_name=str(bundle.common_name),
            sans=tuple(bundle.sans), created_at=datetime_to_epoch(bundle.created_at),
            options=dict(bundle.cert_options), in_use_by=tuple(bundle.in_use_by),
            description=bundle.describe()["Certificate"], cert_pem=bundle.cert, chain_pem=bundle.chain,
            key_pem=bundle.key,
        )


def acm_issue(account: str, region: str, arn: str, cert_pem: bytes, key_pem: bytes, chain_pem: bytes) -> None:
    """Replace moto's self-signed stand-in with a leaf of the local CA; moto's own Describe/Export then show it."""
    with LOCK, _acm_errors():
        bundle = _acm_backend(account, region).get_certificate(arn)
        bundle.cert, bundle.key, bundle.chain = cert_pem, key_pem, chain_pem
        bundle._cert = x509.load_pem_x509_certificate(cert_pem)
        bundle._key = serialization.load_pem_private_key(key_pem, password=None)
        issuer = bundle._cert.issuer.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        bundle.issuer_common_name = str(issuer[0].value) if issuer else ""
        bundle.status = "ISSUED"


def acm_delete(account: str, region: str, arn: str) -> None:
    with LOCK, _acm_errors():
        _acm_backend(account, region).delete_certificate(arn)


def acm_set_status(account: str, region: str, arn: str, status: str) -> None:
    with LOCK, _acm_errors():
        _acm_backend(account, region).get_certificate(arn).status = status


def acm_certificate_pems(arn: str) -> tuple[str, bytes, bytes, bytes] | None:
    """(status, certificate, private key, chain) of the ACM certificate an ARN names, or None if there is none."""
    from moto.acm.models import acm_backends

    parts = arn.split(":")
    if len(parts) < 6 or parts[2] != "acm":
        return None
    with LOCK:
        try:
            bundle = acm_backends[parts[4]][parts[3]]._certificates.get(arn)
        except KeyError:  # a region moto does not know
            return None
        if bundle is None:
            return None
        return str(bundle.status), bytes(bundle.cert), bytes(bundle.key), bytes(bundle.chain)
