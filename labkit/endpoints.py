"""Addresses that differ between the local cloud and AWS. Learner cells call these instead of branching on the
target, so the same cell runs on both (DESIGN: "one documented labkit helper returns it")."""

from __future__ import annotations

from urllib.parse import quote

from . import config as _config
from .config import Config


def s3_object_url(bucket: str, key: str, cfg: Config | None = None) -> str:
    """The plain (unsigned) HTTPS URL of an object, as an anonymous visitor would try it."""
    cfg = cfg or _config.load()
    if cfg.local:
        return f"{cfg.gateway_url}/{bucket}/{quote(key)}"
    return f"https://{bucket}.s3.{cfg.region}.amazonaws.com/{quote(key)}"


def cognito_endpoint(cfg: Config | None = None) -> str:
    """Where a browser sends Cognito's user-pool API calls (SignUp, InitiateAuth…), unsigned."""
    cfg = cfg or _config.load()
    return f"{cfg.gateway_url}/" if cfg.local else f"https://cognito-idp.{cfg.region}.amazonaws.com/"


def cognito_jwks_url(pool_id: str, cfg: Config | None = None) -> str:
    """The pool's public signing keys, where token verifiers fetch them."""
    cfg = cfg or _config.load()
    base = cfg.gateway_url if cfg.local else f"https://cognito-idp.{pool_id.split('_')[0]}.amazonaws.com"
    return f"{base}/{pool_id}/.well-known/jwks.json"


def site_origin(cfg: Config | None = None) -> str:
    """The contact site's origin (scheme, host, port) as the browser sends it: what the API allows by CORS."""
    cfg = cfg or _config.load()
    port = cfg.ports["https"]
    # A browser leaves the default port out of Origin: with LAB_HTTPS_PORT=443 it sends https://<domain>.
    return f"https://{cfg.domain}:{port}" if cfg.local and port != 443 else f"https://{cfg.domain}"


def site_origins(cfg: Config | None = None) -> list[str]:
    """The origins a browser can load the contact site from: the domain and its www name (the distribution's two
    aliases), as the API's CORS allow-list must name them."""
    cfg = cfg or _config.load()
    apex = site_origin(cfg)
    return [apex, apex.replace("https://", "https://www.", 1)]


def api_url(api_id: str, stage: str, cfg: Config | None = None) -> str:
    """An API Gateway API's invoke URL for a stage, without a trailing slash: append "/messages" and so on.
    REST and HTTP APIs alike; the $default stage of an HTTP API has no stage segment."""
    cfg = cfg or _config.load()
    suffix = "" if stage == "$default" else f"/{quote(stage)}"
    if cfg.local:
        port = cfg.ports["https"]
        return f"https://{api_id}.execute-api.localhost{'' if port == 443 else f':{port}'}{suffix}"
    return f"https://{api_id}.execute-api.{cfg.region}.amazonaws.com{suffix}"


def dns_server(name_servers: list[str], cfg: Config | None = None) -> tuple[str, int]:
    """(address, port) of a hosted zone's authoritative name server, to query it directly: on the local cloud the
    kit's DNS server (its own port), on AWS the zone's first Route 53 name server on port 53."""
    cfg = cfg or _config.load()
    if cfg.local:
        return _config.HOST, cfg.ports["dns"]
    import socket

    return socket.gethostbyname(name_servers[0].rstrip(".")), 53


def distribution_url(distribution_id_or_domain: str, path: str = "/", cfg: Config | None = None) -> str:
    """The HTTPS URL of a CloudFront distribution (its Id, its DomainName, or one of its aliases) and ``path``.

    Local target: ``https://<id in lower case>.cloudfront.localhost:<LAB_HTTPS_PORT>/…`` (the edge serves every
    distribution on one port); AWS: ``https://<DomainName>/…``, looked up once by Id when given an Id."""
    cfg = cfg or _config.load()
    name = distribution_id_or_domain.strip().rstrip(".").lower()
    if "." not in name:
        if cfg.local:
            name = f"{name}.cloudfront.localhost"
        else:
            from .target import client

            name = client("cloudfront", cfg).get_distribution(Id=distribution_id_or_domain.strip())[
                "Distribution"]["DomainName"]
    port = cfg.ports["https"] if cfg.local else 443
    suffix = "" if port == 443 else f":{port}"
    return f"https://{name}{suffix}/{path.lstrip('/')}"
