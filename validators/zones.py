"""Finding the learner's hosted zone and certificate: shared by the certificate and dns validators."""

from __future__ import annotations

from typing import Any

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
    """The newest ACM certificate in ``region`` whose names cover LAB_DOMAIN, described, or None."""
    acm = ctx.client("acm", region_name=region)
    found = []
    for page in acm.get_paginator("list_certificates").paginate(Includes={"keyTypes": ["RSA_2048", "EC_prime256v1"]}):
        for summary in page["CertificateSummaryList"]:
            names = set(summary.get("SubjectAlternativeNameSummaries") or [summary["DomainName"]])
            if ctx.cfg.domain in names:
                found.append(acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"])
    found.sort(key=lambda c: c.get("CreatedAt") or 0, reverse=True)
    return found[0] if found else None


def record_sets(ctx: Context, zone_id: str) -> list[dict[str, Any]]:
    route53 = ctx.client("route53")
    return [r for page in route53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id)
            for r in page["ResourceRecordSets"]]
