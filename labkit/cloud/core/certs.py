"""The local certificate authority: one CA per state directory, and the leaf certificates it signs.

    authority(state_dir)     the CA under <state_dir>/ca/ (ca.pem, ca-key.pem 0600), created on first use and
                             reused afterwards: users trust it once (make trust), so it must survive restarts
    LocalCA.issue(names)     a new leaf for those names (each call a new key and serial: ACM certificates)
    LocalCA.leaf(names)      the same, cached per name set (the edge's own names)
    Leaf                     a signed leaf: cert_pem, key_pem, chain_pem (the CA), fullchain_pem

Leaves follow what browsers require of a server certificate: the names in subjectAltName, serverAuth in the
extended key usage, key identifiers, and at most 398 days of validity (ACM's own 395 days are used).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ...errors import LabError

CA_DAYS = 3650
LEAF_DAYS = 395  # ACM: "ACM certificates are valid for 13 months (395 days)" (ACM user guide, renewal)
RENEW_BEFORE = datetime.timedelta(days=30)  # a cached leaf closer than this to expiry is issued again
ORGANIZATION = "Serverless Lab Kit"
# ACM's KeyAlgorithm names → a key generator; public ACM certificates offer these three.
KEY_ALGORITHMS = {
    "RSA_2048": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "EC_prime256v1": lambda: ec.generate_private_key(ec.SECP256R1()),
    "EC_secp384r1": lambda: ec.generate_private_key(ec.SECP384R1()),
}


@dataclass(frozen=True)
class Leaf:
    cert_pem: bytes  # the leaf alone
    key_pem: bytes  # PKCS#8, unencrypted
    chain_pem: bytes  # the issuing CA

    @property
    def fullchain_pem(self) -> bytes:
        return self.cert_pem + self.chain_pem

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)


class LocalCA:
    """A CA certificate and key on disk; signs leaves. Thread-safe."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.cert_path = self.directory / "ca.pem"
        self.key_path = self.directory / "ca-key.pem"
        self._lock = threading.Lock()
        self._cache: dict[tuple[frozenset[str], str], Leaf] = {}
        if not self.cert_path.exists() and not self.key_path.exists():
            self._create()
        self._load()

    @property
    def name(self) -> str:
        """The CA's common name, as issuers and trust stores show it."""
        return self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value  # type: ignore[return-value]

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    # -- files -----------------------------------------------------------------------------------------------------
    def _create(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        host = socket.gethostname().split(".")[0][:30] or "localhost"
        name = x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{ORGANIZATION} Local CA ({host})"),
        ])
        now = _now()
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(digital_signature=True, key_cert_sign=True, crl_sign=True), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256())
        )
        # The key first, created 0600 from the start (never world-readable, not even for a moment); the
        # certificate last, so a crash in between leaves no CA that looks complete.
        _write_private(self.key_path, key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        tmp = self.cert_path.with_name(".ca.pem.tmp")
        tmp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        os.replace(tmp, self.cert_path)

    def _load(self) -> None:
        try:
            self.cert = x509.load_pem_x509_certificate(self.cert_path.read_bytes())
            self.key: Any = serialization.load_pem_private_key(self.key_path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise LabError(
                f"the local CA in {self.directory} is incomplete or unreadable ({exc}): delete that folder to "
                "make a new CA at the next make up, then run make trust again"
            ) from None
        if self.key.public_key().public_numbers() != self.cert.public_key().public_numbers():
            raise LabError(
                f"{self.key_path} does not belong to {self.cert_path}: delete {self.directory} to make a new CA "
                "at the next make up, then run make trust again"
            )

    # -- leaves ----------------------------------------------------------------------------------------------------
    def issue(self, names: list[str] | tuple[str, ...], key_algorithm: str = "EC_prime256v1") -> Leaf:
        """A new leaf for ``names`` (DNS names or IP addresses; the first is the subject's CN).

        Raises ValueError for an empty name list or an unknown key algorithm."""
        names = list(dict.fromkeys(n.strip().rstrip(".").lower() for n in names if n.strip()))
        if not names:
            raise ValueError("a certificate needs at least one name")
        if key_algorithm not in KEY_ALGORITHMS:
            raise ValueError(f"key algorithm {key_algorithm!r} is not one of {', '.join(KEY_ALGORITHMS)}")
        key = KEY_ALGORITHMS[key_algorithm]()
        subject = [x509.NameAttribute(NameOID.COMMON_NAME, names[0])] if len(names[0]) <= 64 else []
        now = _now()
        is_rsa = isinstance(key, rsa.RSAPrivateKey)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name(subject))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=LEAF_DAYS))
            # An empty subject makes the SAN extension critical (RFC 5280 §4.2.1.6).
            .add_extension(x509.SubjectAlternativeName([_general_name(n) for n in names]), critical=not subject)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(digital_signature=True, key_encipherment=is_rsa), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return Leaf(
            cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()),
            self.cert_pem,
        )

    def leaf(self, names: list[str] | tuple[str, ...], key_algorithm: str = "EC_prime256v1") -> Leaf:
        """A leaf for ``names``, issued once and reused (until it nears expiry) for the same set of names."""
        key = (frozenset(n.strip().rstrip(".").lower() for n in names), key_algorithm)
        with self._lock:
            cached = self._cache.get(key)
            if cached is None or cached.certificate.not_valid_after_utc - _now() < RENEW_BEFORE:
                cached = self._cache[key] = self.issue(names, key_algorithm)
            return cached


_AUTHORITIES: dict[Path, LocalCA] = {}
_AUTHORITIES_LOCK = threading.Lock()


def ca_dir(state_dir: Path | str) -> Path:
    return Path(state_dir) / "ca"


def authority(state_dir: Path | str) -> LocalCA:
    """The local CA of a state directory (created if there is none), one instance per directory."""
    directory = ca_dir(state_dir).resolve()
    with _AUTHORITIES_LOCK:
        if directory not in _AUTHORITIES:
            _AUTHORITIES[directory] = LocalCA(directory)
        return _AUTHORITIES[directory]


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _key_usage(**enabled: bool) -> x509.KeyUsage:
    flags = dict.fromkeys(
        ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
         "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"), False)
    flags.update(enabled)
    return x509.KeyUsage(**flags)


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
