"""make trust against real NSS databases (certutil) in a temporary HOME. Where certutil is not installed, the same
tests check the message that says how to install it: they never skip."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from labkit.cloud.core.certs import LocalCA
from labkit.config import Config
from labkit.errors import LabError
from labkit.trust import trust

CERTUTIL = shutil.which("certutil")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def cloud_state(tmp_path: Path, name: str) -> tuple[Config, LocalCA]:
    state = tmp_path / name
    return Config(state_dir=state), LocalCA(state / "ca")


def nss_certs(database: Path, nickname: str) -> bytes:
    listed = subprocess.run([CERTUTIL, "-L", "-d", f"sql:{database}", "-n", nickname, "-a"], capture_output=True)
    return listed.stdout if listed.returncode == 0 else b""


def pem_count(pems: bytes) -> int:
    return pems.count(b"-----BEGIN CERTIFICATE-----")


def test_no_ca_yet_says_run_make_up_first(tmp_path: Path, home: Path) -> None:
    with pytest.raises(LabError, match="run make up first"):
        trust(Config(state_dir=tmp_path / "never-started"), echo=lambda line: None)


def test_missing_certutil_says_how_to_install_it(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, ca = cloud_state(tmp_path, "state")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    printed: list[str] = []
    with pytest.raises(LabError, match=r"apt-get install libnss3-tools"):
        trust(cfg, echo=printed.append)
    assert "update-ca-certificates" in printed[0] and str(ca.cert_path) in printed[0]


def test_trust_adds_the_ca_once_and_replaces_an_older_one(tmp_path: Path, home: Path) -> None:
    cfg, ca = cloud_state(tmp_path, "state")
    printed: list[str] = []
    if CERTUTIL is None:  # this machine lacks libnss3-tools: the user is told how to get it
        with pytest.raises(LabError, match="libnss3-tools"):
            trust(cfg, echo=printed.append)
        return
    database = home / ".pki" / "nssdb"
    assert trust(cfg, echo=printed.append)[0] == database
    assert nss_certs(database, ca.name).replace(b"\r\n", b"\n").strip() == ca.cert_pem.strip()
    table = subprocess.run([CERTUTIL, "-L", "-d", f"sql:{database}"], capture_output=True, text=True).stdout
    assert any(line.startswith(ca.name) and line.split()[-1] == "C,," for line in table.splitlines())  # a TLS CA
    trust(cfg, echo=printed.append)
    assert any(line.startswith("already trusted") for line in printed)
    assert pem_count(nss_certs(database, ca.name)) == 1
    # A new state directory means a new CA with the same name: it replaces the old one.
    newer_cfg, newer = cloud_state(tmp_path, "newer-state")
    assert newer.name == ca.name and newer.cert_pem != ca.cert_pem
    trust(newer_cfg, echo=printed.append)
    assert any(line.startswith("replaced") for line in printed)
    assert nss_certs(database, ca.name).replace(b"\r\n", b"\n").strip() == newer.cert_pem.strip()


def test_trust_reaches_firefox_profiles(tmp_path: Path, home: Path) -> None:
    cfg, ca = cloud_state(tmp_path, "state")
    if CERTUTIL is None:
        with pytest.raises(LabError, match="libnss3-tools"):
            trust(cfg, echo=lambda line: None)
        return
    profile = home / ".mozilla" / "firefox" / "abcd1234.default-release"
    profile.mkdir(parents=True)
    subprocess.run([CERTUTIL, "-N", "-d", f"sql:{profile}", "--empty-password"], check=True)
    assert profile in trust(cfg, echo=lambda line: None)
    assert pem_count(nss_certs(profile, ca.name)) == 1
