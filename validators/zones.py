"""Finding the learner's hosted zone and certificate: shared by the certificate and dns validators."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from .base import Context


def find_zone(ctx: Context) -> dict[str, Any] | None:
    """The public hosted zone for LAB_DOMAIN, with its name servers, or None."""
    if "zone" in ctx.facts:
        return ctx.facts["zone"]
    route53 = ctx.client("route53")
    wanted = ctx.cfg.domain.rstrip(".") + "."
    zones = route53.list_hosted_zones_by_name(DNSName=wanted)["HostedZones"]
    zone = next((z for z in zones if z["Name"] == wanted and not z.get("Config", {}).get("PrivateZone")), None)
    if zone:
        zone = {**zone, "NameServers": route53.get_hosted_zone(Id=zone["Id"]).get("DelegationSet", {}).get(
            "NameServers", [])}
    ctx.facts["zone"] = zone
    return zone


def find_certificate(ctx: Context, region: str = "us-east-1") -> dict[str, Any] | None:
    """The ACM certificate in ``region`` that the site uses, described, or None: the one the site's distribution
    names (ViewerCertificate), whatever else was requested since; before there is a distribution, of those whose
    names cover LAB_DOMAIN the best candidate: issued before pending, covering www, then the newest."""
    acm = ctx.client("acm", region_name=region)
    attached = _attached_certificate(ctx) if region == "us-east-1" else None
    if attached:
        try:
            return acm.describe_certificate(CertificateArn=attached)["Certificate"]
        except ClientError:
            pass  # deleted while still attached: judge what is there, and the TLS check shows the rest
    found = []
    for page in acm.get_paginator("list_certificates").paginate(Includes={"keyTypes": ["RSA_2048", "EC_prime256v1"]}):
        for summary in page["CertificateSummaryList"]:
            names = set(summary.get("SubjectAlternativeNameSummaries") or [summary["DomainName"]])
            if ctx.cfg.domain in names:
                found.append(acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"])
    www = f"www.{ctx.cfg.domain}"

    def rank(cert: dict[str, Any]) -> tuple:
        names = set(cert.get("SubjectAlternativeNames", []))
        created = cert.get("CreatedAt")
        return (cert.get("Status") == "ISSUED", www in names or f"*.{ctx.cfg.domain}" in names,
                created.timestamp() if hasattr(created, "timestamp") else 0)

    return max(found, key=rank) if found else None


def _attached_certificate(ctx: Context) -> str | None:
    """The ACM certificate ARN of the distribution that serves LAB_DOMAIN (by its Aliases), if any."""
    listing = ctx.client("cloudfront").list_distributions().get("DistributionList", {})
    for dist in listing.get("Items", []) or []:
        if ctx.cfg.domain in (dist.get("Aliases", {}).get("Items") or []):
            return dist.get("ViewerCertificate", {}).get("ACMCertificateArn") or None
    return None


def record_sets(ctx: Context, zone_id: str) -> list[dict[str, Any]]:
    route53 = ctx.client("route53")
    return [r for page in route53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id)
            for r in page["ResourceRecordSets"]]
