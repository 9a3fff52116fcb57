"""The target the kit acts on: the local cloud or a guarded real AWS account.

``activate()`` points plain boto3 at the target through boto3's own environment settings (AWS_ENDPOINT_URL and
credentials for the local cloud), so learner cells stay ``boto3.client("s3")`` on both targets.
``check()`` refuses to go on when the target is unusable: the local cloud down, no AWS credentials, or AWS
credentials of another account than LAB_AWS_ACCOUNT.
``client()`` is the kit's own boto3 client (validators, helpers): on the local target it does not retry, so an
operation the local cloud lacks fails at once instead of after botocore's back-off.
"""

from __future__ import annotations

import os
from pathlib import Path
from collections.abc import MutableMapping
from typing import Any

import boto3
import requests
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from . import config as _config
from .config import Config
from .errors import CloudDown, TargetError

LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}  # the default account
LEARNER_KEY_PREFIX = "AKIALAB0"  # + the 12-digit account: the local cloud reads a learner's account from the key
# Settings that would send a local-target client elsewhere, or sign with real credentials.
_LOCAL_CLEARS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


def local_credentials(account: str) -> dict[str, str]:
    """Credentials that act in ``account`` on the local cloud (the secret is not checked there). The default
    account keeps the customary "testing" key; any other is AKIALAB0<account>, 20 characters like AWS's."""
    if account == _config.LOCAL_ACCOUNT:
        return dict(LOCAL_CREDENTIALS)
    return {"AWS_ACCESS_KEY_ID": f"{LEARNER_KEY_PREFIX}{account}", "AWS_SECRET_ACCESS_KEY": "testing"}


def activate(cfg: Config | None = None, environ: MutableMapping[str, str] | None = None) -> Config:
    """Set the process environment so plain boto3 reaches the target. Idempotent; returns the config."""
    cfg = cfg or _config.load()
    env = os.environ if environ is None else environ
    env["AWS_DEFAULT_REGION"] = env["AWS_REGION"] = cfg.region
    if cfg.local:
        for name in _LOCAL_CLEARS:
            env.pop(name, None)
        env.update(local_credentials(cfg.account))
        env["AWS_ENDPOINT_URL"] = cfg.gateway_url
        env["AWS_EC2_METADATA_DISABLED"] = "true"
    elif env.get("AWS_ENDPOINT_URL", "").startswith(f"http://{_config.HOST}:"):
        del env["AWS_ENDPOINT_URL"]  # left over from the local target: real AWS needs its own endpoints
    if environ is None:
        boto3.DEFAULT_SESSION = None  # a session made before activation would keep the old credentials
        if cfg.local:
            from . import resolver

            resolver.install()  # *.localhost → loopback, as browsers do (RFC 6761); glibc does not
    return cfg


def client(service: str, cfg: Config | None = None, *, session: boto3.session.Session | None = None,
           **kwargs: Any) -> Any:
    """A boto3 client for the target; on the local target it fails fast instead of retrying. ``session``: one to
    make it from (a session caches the service models it loads: many clients from one are much cheaper), used by
    one thread at a time."""
    cfg = cfg or _config.load()
    retries = {"total_max_attempts": 1, "mode": "standard"} if cfg.local else {"mode": "standard"}
    kwargs.setdefault("region_name", cfg.region)
    kwargs.setdefault("config", BotoConfig(retries=retries, connect_timeout=5, read_timeout=60))
    if cfg.local:
        kwargs.setdefault("endpoint_url", cfg.gateway_url)
        credentials = local_credentials(cfg.account)
        kwargs.setdefault("aws_access_key_id", credentials["AWS_ACCESS_KEY_ID"])
        kwargs.setdefault("aws_secret_access_key", credentials["AWS_SECRET_ACCESS_KEY"])
    return (session or boto3.session.Session()).client(service, **kwargs)


def cloud_health(cfg: Config, timeout: float = 2.0) -> dict[str, Any]:
    """The local cloud's /_lab/health document; raises CloudDown when nothing (or something else) answers."""
    url = f"{cfg.gateway_url}/_lab/health"
    try:
        response = requests.get(url, timeout=timeout)
        health = response.json()
    except requests.ConnectionError:
        raise CloudDown() from None
    except (requests.RequestException, ValueError):
        raise CloudDown(
            f"something answers on port {cfg.ports['gateway']} but it is not the local cloud: stop it, or choose "
            "another port with LAB_GATEWAY_PORT=<port>"
        ) from None
    if not isinstance(health, dict) or "components" not in health:
        raise CloudDown(f"{url} did not answer like the local cloud: stop what runs there, then run make up")
    return health


NODE_PRELOAD = Path(__file__).parent / "node" / "localhost.cjs"


def node_environment(cfg: Config) -> dict[str, str]:
    """What node programs need for the local cloud without changing them (labkit/node/localhost.cjs): the preload
    that resolves *.localhost to loopback and reads Cognito's keys from the gateway, and the local CA, which node
    does not take from the system."""
    return {"NODE_OPTIONS": f'--require "{NODE_PRELOAD}"', "LAB_GATEWAY_URL": cfg.gateway_url,
            "NODE_EXTRA_CA_CERTS": str(Path(cfg.state_dir) / "ca" / "ca.pem")}


def caller_account(cfg: Config) -> str:
    """The account the target's credentials act in (on the local cloud, the learner's: fixed by LAB_LEARNER)."""
    if cfg.local:
        return cfg.account
    return check_aws(cfg)["Account"]


def check_aws(cfg: Config) -> dict[str, str]:
    """Refuse a real account unless credentials exist and belong to LAB_AWS_ACCOUNT; returns the identity."""
    if not cfg.aws_account:
        raise TargetError(
            "LAB_TARGET=aws needs LAB_AWS_ACCOUNT=<the 12-digit id of the workshop account>, so the kit can "
            "refuse to act anywhere else"
        )
    session = boto3.session.Session(region_name=cfg.region)
    if session.get_credentials() is None:
        raise TargetError(
            "LAB_TARGET=aws but no AWS credentials were found: set AWS_PROFILE (see `aws configure list-profiles`), "
            "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    try:
        identity = session.client("sts", config=BotoConfig(retries={"max_attempts": 2})).get_caller_identity()
    except NoCredentialsError:
        raise TargetError("LAB_TARGET=aws but no AWS credentials were found: set AWS_PROFILE") from None
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "error")
        raise TargetError(
            f"AWS refused these credentials ({code}): renew them (aws sso login, or new access keys) and retry"
        ) from None
    except BotoCoreError as exc:
        raise TargetError(f"could not reach AWS STS to check the account: {exc}") from None
    if identity["Account"] != cfg.aws_account:
        raise TargetError(
            f"these credentials act in account {identity['Account']}, not LAB_AWS_ACCOUNT={cfg.aws_account}: "
            "switch AWS_PROFILE to the workshop account, or correct LAB_AWS_ACCOUNT"
        )
    return identity


def check(cfg: Config | None = None) -> Config:
    """Raise a LabError unless the target can be used now: the local cloud healthy, or the right AWS account."""
    cfg = cfg or _config.load()
    if cfg.local:
        health = cloud_health(cfg)
        if health.get("status") != "ok":
            broken = [n for n, c in health["components"].items() if c.get("status") != "ok"]
            raise CloudDown(f"the local cloud is running but not healthy ({', '.join(broken)}): run make status")
    else:
        check_aws(cfg)
    return cfg
