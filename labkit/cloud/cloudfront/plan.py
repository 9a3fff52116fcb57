"""A deployed distribution config, compiled once into what the edge needs on every request.

    Plan               behaviours in matching order, origins by id, custom error responses by code, the default root
                       object, web ACL, aliases and certificate of one deployed Version
    Behaviour          a cache behaviour: compiled path pattern, origin, viewer protocol policy, methods, Compress,
                       and the KeyPolicy of its cache policy (or legacy settings)
    OriginSpec         an origin; ``bucket`` is set for S3 REST endpoints (<bucket>.s3[.<region>].amazonaws.com)
    ErrorResponse      a custom error response (ResponsePagePath, ResponseCode, ErrorCachingMinTTL)
    compile_plan(dist, version, policy_of, oac_of)
    pattern_regex(pattern)

Path patterns (developer guide, "Path pattern"): case-sensitive; ``*`` matches zero or more characters, ``?``
exactly one; the leading ``/`` is optional; behaviours are tried in the order listed and the first match wins,
the default behaviour (``*``) last.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from .cache_policies import KeyPolicy, key_policy, legacy_key_policy
from .store import Distribution, Version

# S3 REST endpoints only: website endpoints (s3-website-…) are custom origins.
S3_DOMAIN = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]*?)\.s3(?:[.-](?!website)[a-z0-9-]+)?\.amazonaws\.com\.?$")


@dataclasses.dataclass(frozen=True)
class Behaviour:
    pattern: str | None  # None: the default behaviour
    regex: re.Pattern[str] | None
    origin_id: str
    viewer_policy: str
    allowed: frozenset[str]
    cached: frozenset[str]
    compress: bool
    policy: KeyPolicy

    def matches(self, path: str) -> bool:
        return self.regex is None or self.regex.fullmatch(path) is not None


@dataclasses.dataclass(frozen=True)
class OriginSpec:
    id: str
    domain: str
    bucket: str | None
    path: str  # OriginPath without its slashes ("prod" for "/prod")
    oac_id: str  # "" when the origin has no OAC, or its OAC's SigningBehavior is "never" (CloudFront does not sign)
    oai: str  # S3OriginConfig.OriginAccessIdentity ("origin-access-identity/cloudfront/<id>"), legacy


@dataclasses.dataclass(frozen=True)
class ErrorResponse:
    code: int
    page_path: str
    response_code: int | None
    min_ttl: float


@dataclasses.dataclass(frozen=True)
class Plan:
    dist_id: str
    arn: str
    domain_name: str
    enabled: bool
    behaviours: tuple[Behaviour, ...]
    origins: dict[str, OriginSpec]
    errors: dict[int, ErrorResponse]
    root_object: str
    web_acl: str
    aliases: tuple[str, ...]
    certificate_arn: str
    site_policy: str  # the viewer protocol policy the edge applies for the whole name

    def behaviour(self, path: str) -> Behaviour:
        for behaviour in self.behaviours:
            if behaviour.matches(path):
                return behaviour
        return self.behaviours[-1]


def pattern_regex(pattern: str) -> re.Pattern[str]:
    if not pattern.startswith("/"):
        pattern = "/" + pattern
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)


def _behaviour(spec: dict[str, Any], policy_of: Callable[[str], dict[str, Any] | None]) -> Behaviour:
    pattern = spec.get("PathPattern")
    policy_config = policy_of(spec["CachePolicyId"]) if spec.get("CachePolicyId") else None
    methods = spec.get("AllowedMethods") or {}
    cached = (methods.get("CachedMethods") or {}).get("Items") or ["GET", "HEAD"]
    return Behaviour(
        pattern=pattern, regex=None if pattern in (None, "*", "/*") else pattern_regex(pattern),
        origin_id=spec.get("TargetOriginId", ""), viewer_policy=spec.get("ViewerProtocolPolicy", "allow-all"),
        allowed=frozenset(methods.get("Items") or ["GET", "HEAD"]), cached=frozenset(cached),
        compress=bool(spec.get("Compress")),
        policy=key_policy(policy_config) if policy_config is not None else legacy_key_policy(spec))


def _origin(spec: dict[str, Any], oac_of: Callable[[str], dict[str, Any] | None]) -> OriginSpec:
    domain = str(spec.get("DomainName", "")).lower()
    found = S3_DOMAIN.match(domain)
    oac_id = str(spec.get("OriginAccessControlId") or "")
    if oac_id and (oac_of(oac_id) or {}).get("SigningBehavior") == "never":
        oac_id = ""
    return OriginSpec(id=spec["Id"], domain=domain, bucket=found.group("bucket") if found else None,
                      path=str(spec.get("OriginPath") or "").strip("/"), oac_id=oac_id,
                      oai=str((spec.get("S3OriginConfig") or {}).get("OriginAccessIdentity") or ""))


def _error(spec: dict[str, Any]) -> ErrorResponse:
    code = str(spec.get("ResponseCode") or "")
    return ErrorResponse(code=int(spec["ErrorCode"]), page_path=str(spec.get("ResponsePagePath") or ""),
                         response_code=int(code) if code.isdigit() else None,
                         min_ttl=float(spec.get("ErrorCachingMinTTL", 10)))


def compile_plan(dist: Distribution, version: Version, policy_of: Callable[[str], dict[str, Any] | None],
                 oac_of: Callable[[str], dict[str, Any] | None] = lambda oac_id: None) -> Plan:
    """``policy_of(id)`` returns a cache policy's config (a deleted one cannot be in use: CachePolicyInUse);
    ``oac_of(id)`` an origin access control's (its SigningBehavior decides whether CloudFront signs)."""
    config = version.config
    specs = [*((config.get("CacheBehaviors") or {}).get("Items") or []), config.get("DefaultCacheBehavior") or {}]
    behaviours = tuple(_behaviour(spec, policy_of) for spec in specs)
    policies = {b.viewer_policy for b in behaviours}
    certificate = config.get("ViewerCertificate") or {}
    return Plan(
        dist_id=dist.id, arn=dist.arn, domain_name=dist.domain_name, enabled=bool(config.get("Enabled", True)),
        behaviours=behaviours,
        origins={o["Id"]: _origin(o, oac_of) for o in (config.get("Origins") or {}).get("Items") or []},
        errors={e.code: e for e in map(_error, (config.get("CustomErrorResponses") or {}).get("Items") or [])},
        root_object=str(config.get("DefaultRootObject") or ""), web_acl=str(config.get("WebACLId") or ""),
        aliases=tuple(str(a).lower().rstrip(".") for a in (config.get("Aliases") or {}).get("Items") or []),
        certificate_arn=str(certificate.get("ACMCertificateArn") or ""),
        # One policy for the whole name lets the edge answer HTTP itself; mixed policies are applied per behaviour.
        site_policy=policies.pop() if len(policies) == 1 else "allow-all")
