"""Layer 00 · setup: the target answers, is the one the learner means, and the kit's local cloud is healthy."""

from __future__ import annotations

import functools

import boto3

from labkit import target

from .base import Check, Context, Result, failed, passed, skipped


def probe_target(ctx: Context) -> Result:
    target.check(ctx.cfg)  # raises CloudDown / TargetError with the fix in its message
    return passed(f"LAB_TARGET={ctx.cfg.target}, region {ctx.cfg.region}")


def probe_identity(ctx: Context) -> Result:
    identity = ctx.client("sts").get_caller_identity()
    expected = ctx.cfg.account
    if identity["Account"] != expected:
        return failed(identity["Account"], expected or "LAB_AWS_ACCOUNT", "the credentials act in another account")
    return passed(f"account {identity['Account']} as {identity['Arn']}")


@functools.lru_cache(maxsize=4)
def _plain_endpoint(gateway_url: str) -> str:
    """Where a plain boto3 client goes once activated; once per process and cloud (a new default session loads
    boto3's endpoint data again: 0.1 s of CPU per learner when a class is graded)."""
    return boto3.client("sts").meta.endpoint_url


def probe_plain_boto3(ctx: Context) -> Result:
    """Learner cells use plain boto3: after activate() it must reach the same target as the kit."""
    if not ctx.cfg.local:
        return skipped("on AWS plain boto3 uses your credentials and region as they are")
    target.activate(ctx.cfg)
    endpoint = _plain_endpoint(ctx.cfg.gateway_url)
    if endpoint != ctx.cfg.gateway_url:
        return failed(endpoint, ctx.cfg.gateway_url,
                      "plain boto3 goes elsewhere although labkit.activate() set AWS_ENDPOINT_URL: a setting boto3 "
                      "prefers wins (AWS_ENDPOINT_URL_STS or another AWS_ENDPOINT_URL_<SERVICE>, "
                      "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, or endpoint_url in ~/.aws/config): unset it")
    return passed(endpoint)


def probe_health(ctx: Context) -> Result:
    if not ctx.cfg.local:
        return skipped("the local cloud is not used on AWS")
    health = target.cloud_health(ctx.cfg)
    broken = {n: c for n, c in health["components"].items() if c.get("status") != "ok"}
    if broken:
        return failed(", ".join(f"{n}: {c.get('error', c.get('status'))}" for n, c in broken.items()), "all ok",
                      "run make status; make down && make up restarts the local cloud with its state")
    return passed(", ".join(sorted(health["components"])))


CHECKS = [
    Check("setup.target", "the target is reachable and usable", probe_target),
    Check("setup.identity", "the credentials act in the expected account", probe_identity, needs=("setup.target",)),
    Check("setup.boto3", "plain boto3 reaches the target", probe_plain_boto3, needs=("setup.target",)),
    Check("setup.health", "every local cloud component is healthy", probe_health, needs=("setup.target",)),
]
