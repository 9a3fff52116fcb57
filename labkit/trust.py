"""make trust: add the local CA to the user's browsers, and say how to trust it everywhere else.

    trust(cfg)         NSS databases: ~/.pki/nssdb (Chromium, and Firefox with its enterprise-roots policy) and
                       each Firefox profile found; then prints how to trust the CA elsewhere
    other_stores(path) those instructions: Debian/Ubuntu, macOS, Firefox by hand, Python, curl, Node.js

Idempotent: the CA is added under its own name ("Serverless Lab Kit Local CA (<host>)"); the same CA again is a
no-op, an older CA under that name (a new state directory) is replaced. Needs certutil (libnss3-tools); without it
trust() prints the other ways and raises LabError saying how to install it.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from . import config as _config
from .errors import LabError

INSTALL_CERTUTIL = (
    "certutil is missing: install it with `sudo apt-get install libnss3-tools` (Debian/Ubuntu), "
    "`sudo dnf install nss-tools` (Fedora) or `brew install nss` (macOS), then run make trust again"
)
_FIREFOX_ROOTS = (".mozilla/firefox", "snap/firefox/common/.mozilla/firefox")


def trust(cfg: _config.Config | None = None, *, echo: Callable[[str], None] = print) -> list[Path]:
    """Add the local CA to every NSS database found (creating ~/.pki/nssdb if needed); returns those databases.

    Raises LabError when there is no CA yet (the cloud has never started) or certutil is missing."""
    cfg = cfg or _config.load()
    ca_path = Path(cfg.state_dir) / "ca" / "ca.pem"
    if not ca_path.exists():
        raise LabError(f"there is no local CA yet ({ca_path} is missing): run make up first, then make trust")
    ca_pem = ca_path.read_bytes()
    nickname = _nickname(ca_pem)
    certutil = shutil.which("certutil")
    if certutil is None:
        echo(other_stores(ca_path))
        raise LabError(INSTALL_CERTUTIL)
    databases = [_user_nssdb(certutil), *_firefox_profiles()]
    for database in databases:
        state = _add(certutil, database, nickname, ca_path, ca_pem)
        echo(f"{state}: {nickname} in {database}")
    echo("Restart the browser to use it.\n")
    echo(other_stores(ca_path))
    return databases


def other_stores(ca_path: Path) -> str:
    return "\n".join([
        f"The local CA is {ca_path}. To trust it elsewhere:",
        "  Debian/Ubuntu system store (curl, wget, most tools):",
        f"    sudo cp {ca_path} /usr/local/share/ca-certificates/serverless-lab-kit.crt && sudo update-ca-certificates",
        "  macOS (Safari, Chrome, the system):",
        f"    sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain {ca_path}",
        "  Firefox, by hand: Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import,",
        "    tick \"Trust this CA to identify websites\"",
        f"  Python requests: export REQUESTS_CA_BUNDLE={ca_path}   (or requests.get(url, verify=\"{ca_path}\"))",
        f"  curl: curl --cacert {ca_path} …    Node.js: export NODE_EXTRA_CA_CERTS={ca_path}",
    ])


def _nickname(ca_pem: bytes) -> str:
    cert = x509.load_pem_x509_certificate(ca_pem)
    return str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def _user_nssdb(certutil: str) -> Path:
    database = Path.home() / ".pki" / "nssdb"
    if not (database / "cert9.db").exists():
        database.mkdir(parents=True, exist_ok=True)
        _run(certutil, "-N", "-d", f"sql:{database}", "--empty-password")
    return database


def _firefox_profiles() -> list[Path]:
    found = []
    for root in _FIREFOX_ROOTS:
        found += sorted(p.parent for p in (Path.home() / root).glob("*/cert9.db"))
    return found


def _add(certutil: str, database: Path, nickname: str, ca_path: Path, ca_pem: bytes) -> str:
    """Add the CA under ``nickname``, replacing another certificate of that name; says what it did."""
    db = f"sql:{database}"
    listed = subprocess.run([certutil, "-L", "-d", db, "-n", nickname, "-a"], capture_output=True, text=True)
    if listed.returncode == 0:
        if _der(ca_pem) in _ders(listed.stdout.encode()):
            return "already trusted"
        while subprocess.run([certutil, "-D", "-d", db, "-n", nickname], capture_output=True).returncode == 0:
            pass  # every older certificate under this name
        action = "replaced"
    else:
        action = "trusted"
    _run(certutil, "-A", "-d", db, "-n", nickname, "-t", "C,,", "-i", str(ca_path))
    return action


def _der(pem: bytes) -> bytes:
    return x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)


def _ders(pems: bytes) -> list[bytes]:
    return [c.public_bytes(serialization.Encoding.DER) for c in x509.load_pem_x509_certificates(pems)]


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise LabError(f"{' '.join(command[:2])} … failed: {(done.stderr or done.stdout).strip()}")
