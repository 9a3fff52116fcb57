"""The kit's settings, read from LAB_* environment variables once, validated, immutable.

    LAB_TARGET        local (default: the local cloud, offline) or aws (a real account)
    LAB_REGION        region of the learner's resources (default us-east-1)
    LAB_PREFIX        prefix of every resource name the kit or a notebook creates (default lab)
    LAB_DOMAIN        the site's domain (default contact.localhost, a zone the local DNS serves)
    LAB_LEARNER       a learner of a class sharing one local cloud: the learner's own account (local_account),
                      domain <learner>.<LAB_DOMAIN> and owner tag (default: none, the single-learner setup)
    LAB_OWNER         value of the lab:owner tag (default: the learner, else the login name)
    LAB_OWNER_EMAIL   where the site's notifications go (default <owner>@example.com; the local mailbox takes any)
    LAB_OWNER_PHONE   the owner's mobile number for texts (optional notebook 14), E.164 (default +15555550100, a
                      number reserved for fiction; on AWS set your own)
    LAB_AWS_ACCOUNT   aws target only: the 12-digit account the kit may act in
    LAB_STATE_DIR     where the local cloud keeps its snapshot, CA, pid file and logs (default .labcloud/)
    LAB_GATEWAY_PORT  AWS API endpoint of the local cloud (default 4566); LAB_DNS_PORT, LAB_HTTPS_PORT,
                      LAB_HTTP_PORT, LAB_SMTP_PORT for the data-plane listeners
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_ACCOUNT = "123456789012"  # moto's default account: the local cloud's account when no LAB_LEARNER is set
LEARNER_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,29}")  # a DNS label and a name prefix: a-z, 0-9, '-'
HOST = "127.0.0.1"  # every listener binds loopback only

# name → (environment variable, default port, what listens there)
PORTS: dict[str, tuple[str, int, str]] = {
    "gateway": ("LAB_GATEWAY_PORT", 4566, "AWS API endpoint"),
    "dns": ("LAB_DNS_PORT", 1053, "authoritative DNS, UDP and TCP"),
    "https": ("LAB_HTTPS_PORT", 4443, "HTTPS edge: CloudFront and API Gateway"),
    "http": ("LAB_HTTP_PORT", 4480, "HTTP edge: redirects to HTTPS"),
    "smtp": ("LAB_SMTP_PORT", 2525, "SMTP mailbox"),
}
TARGETS = ("local", "aws")


@dataclass(frozen=True)
class Config:
    target: str = "local"
    region: str = "us-east-1"
    prefix: str = "lab"
    domain: str = "contact.localhost"
    owner: str = "learner"
    owner_email: str = "learner@example.com"
    owner_phone: str = "+15555550100"
    aws_account: str | None = None
    learner: str | None = None
    state_dir: Path = PROJECT_ROOT / ".labcloud"
    ports: Mapping[str, int] = field(default_factory=lambda: {k: v[1] for k, v in PORTS.items()})

    @property
    def local(self) -> bool:
        return self.target == "local"

    @property
    def account(self) -> str | None:
        """The account the kit acts in: the learner's own local account, or LAB_AWS_ACCOUNT on AWS."""
        return local_account(self.learner) if self.local else self.aws_account

    @property
    def gateway_url(self) -> str:
        """The AWS API endpoint of the local cloud (boto3's AWS_ENDPOINT_URL in local mode)."""
        return f"http://{HOST}:{self.ports['gateway']}"

    def name(self, *parts: str) -> str:
        """A resource name under the learner's prefix: ``cfg.name("site")`` → ``lab-site``."""
        return "-".join((self.prefix, *parts))


def local_account(learner: str | None) -> str:
    """A learner's account on the local cloud: twelve digits derived from the name, so a notebook and the
    instructor's grading find the same account with nothing stored (no learner: moto's default account)."""
    if not learner:
        return LOCAL_ACCOUNT
    digest = int(hashlib.sha256(learner.encode()).hexdigest(), 16)
    return f"2{digest % 10**11:011d}"  # never 123456789012: a learner's account is never the default one


def _port(environ: Mapping[str, str], name: str) -> int:
    var, default, _ = PORTS[name]
    raw = environ.get(var, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) > 65535:
        raise ConfigError(f"{var}={raw!r} is not a port: use a number from 1 to 65535, or 0 for any free one (default {default})")
    return int(raw)


def load(environ: Mapping[str, str] | None = None) -> Config:
    """Read and check the LAB_* settings; raises ConfigError naming the setting and the fix."""
    env = os.environ if environ is None else environ
    target = env.get("LAB_TARGET", "local").strip().lower() or "local"
    if target not in TARGETS:
        raise ConfigError(
            f"LAB_TARGET={env.get('LAB_TARGET')!r} is not a target: use LAB_TARGET=local "
            "(the local cloud, the default) or LAB_TARGET=aws (a real AWS account)"
        )
    region = env.get("LAB_REGION", "").strip() or "us-east-1"
    if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region):
        raise ConfigError(f"LAB_REGION={region!r} is not an AWS region name, such as us-east-1")
    prefix = env.get("LAB_PREFIX", "").strip() or "lab"
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,19}", prefix):
        raise ConfigError(
            f"LAB_PREFIX={prefix!r} cannot start resource names: use 1-20 lower-case letters, digits or '-', "
            "starting with a letter"
        )
    account = env.get("LAB_AWS_ACCOUNT", "").strip() or None
    if account is not None and not re.fullmatch(r"\d{12}", account):
        raise ConfigError(f"LAB_AWS_ACCOUNT={account!r} is not an account id: it has 12 digits")
    state_dir = Path(env.get("LAB_STATE_DIR", "").strip() or PROJECT_ROOT / ".labcloud").resolve()
    learner = env.get("LAB_LEARNER", "").strip().lower() or None
    if learner is not None and not LEARNER_NAME.fullmatch(learner):
        raise ConfigError(
            f"LAB_LEARNER={env.get('LAB_LEARNER')!r} cannot name a learner's domain and account: use 1-30 "
            "lower-case letters, digits or '-', starting with a letter or digit"
        )
    try:
        owner = env.get("LAB_OWNER", "").strip() or learner or getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        owner = "learner"
    owner_email = env.get("LAB_OWNER_EMAIL", "").strip() or f"{re.sub(r'[^A-Za-z0-9._-]', '', owner) or 'owner'}@example.com"
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", owner_email):
        raise ConfigError(f"LAB_OWNER_EMAIL={owner_email!r} is not an e-mail address")
    owner_phone = re.sub(r"[\s().-]", "", env.get("LAB_OWNER_PHONE", "")) or "+15555550100"
    if not re.fullmatch(r"\+[1-9][0-9]{7,14}", owner_phone):
        raise ConfigError(f"LAB_OWNER_PHONE={env.get('LAB_OWNER_PHONE')!r} is not a phone number in E.164 format: "
                          "+, the country code, then the number, like +15555550100")
    domain = env.get("LAB_DOMAIN", "").strip().rstrip(".").lower() or "contact.localhost"
    if learner and target == "local" and not domain.startswith(f"{learner}."):
        # One local DNS serves the whole class: each learner's site lives under a name of its own. On AWS the
        # roster names each learner's own domain, which AWS keeps apart by account.
        domain = f"{learner}.{domain}"
    return Config(
        target=target,
        region=region,
        prefix=prefix,
        domain=domain,
        owner=owner,
        owner_email=owner_email,
        owner_phone=owner_phone,
        aws_account=account,
        learner=learner,
        state_dir=state_dir,
        ports={name: _port(env, name) for name in PORTS},
    )
