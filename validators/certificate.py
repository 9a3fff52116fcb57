"""Layer 02 · ACM: a certificate for the domain (and www) in us-east-1, validated through DNS and issued; once a
distribution serves the domain, its TLS handshake presents that certificate, chaining to a trusted root."""

from __future__ import annotations

import datetime

from labkit import NotYet

from .base import Check, Context, Result, failed, passed, skipped
from .probes import ProbeError, tls_handshake
from .zones import find_certificate, find_zone, record_sets

OTHER_REGIONS = ("eu-west-1", "us-west-2", "eu-central-1", "ap-southeast-1")


def probe_certificate(ctx: Context) -> Result:
    cert = find_certificate(ctx)
    if cert is None:
        elsewhere = next((r for r in OTHER_REGIONS if r != "us-east-1" and find_certificate(ctx, r)), None)
        if elsewhere:
            return failed(f"a certificate for {ctx.cfg.domain} in {elsewhere}", "one in us-east-1",
                          "certificate outside us-east-1: CloudFront only uses certificates from us-east-1; "
                          "request it again with an ACM client for region_name='us-east-1'")
        return failed(f"no certificate for {ctx.cfg.domain}", "one in us-east-1", "run notebook 02's request cell")
    ctx.facts["certificate"] = cert
    names = set(cert.get("SubjectAlternativeNames", []))
    if f"www.{ctx.cfg.domain}" not in names and f"*.{ctx.cfg.domain}" not in names:
        return failed(", ".join(sorted(names)), f"{ctx.cfg.domain} and www.{ctx.cfg.domain}",
                      f"add www.{ctx.cfg.domain} to SubjectAlternativeNames (a new request: names cannot change)")
    return passed(f"{cert['CertificateArn'].rsplit('/', 1)[-1]} for {', '.join(sorted(names))}")


def probe_issued(ctx: Context) -> Result:
    acm = ctx.client("acm", region_name="us-east-1")
    cert = acm.describe_certificate(CertificateArn=ctx.facts["certificate"]["CertificateArn"])["Certificate"]
    if cert["Status"] == "ISSUED":
        return passed(f"ISSUED {cert.get('IssuedAt', '')}")
    if cert["Status"] != "PENDING_VALIDATION":
        return failed(cert["Status"], "ISSUED", "request a new certificate (notebook 02)")
    zone = find_zone(ctx)
    if zone is None:
        return failed("no hosted zone", f"a zone for {ctx.cfg.domain}",
                      f"there is no hosted zone for {ctx.cfg.domain} to hold the validation record (notebook 02)")
    wanted = {o["ResourceRecord"]["Name"]: o["ResourceRecord"]["Value"]
              for o in cert.get("DomainValidationOptions", []) if o.get("ResourceRecord")}
    present = {r["Name"]: [v["Value"] for v in r.get("ResourceRecords", [])]
               for r in record_sets(ctx, zone["Id"]) if r["Type"] == "CNAME"}
    for name, value in wanted.items():
        values = present.get(name, [])
        if not values:
            return failed(f"no CNAME {name}", value, "the validation CNAME is not in the zone: run notebook 02's "
                          "validation cell")
        if any(v.startswith(("http://", "https://")) for v in values):
            return failed(values[0], value, "the CNAME value contains https://: a DNS name is not a URL")
        if value.rstrip(".") not in [v.rstrip(".") for v in values]:
            return failed(values[0], value, f"{name} points elsewhere: copy the value ACM gives")
    raise NotYet("PENDING_VALIDATION: the records are right, ACM has not seen them yet")


def probe_handshake(ctx: Context) -> Result:
    """The alias, over real TLS: the certificate's names, its chain to the trusted root, its expiry."""
    port = ctx.cfg.ports["https"] if ctx.cfg.local else 443
    cafile = str(ctx.cfg.state_dir / "ca" / "ca.pem") if ctx.cfg.local else None
    host = "127.0.0.1" if ctx.cfg.local else ctx.cfg.domain
    try:
        shake = tls_handshake(host, port, ctx.cfg.domain, cafile=cafile)
    except ProbeError as exc:
        return skipped(f"no site answers {ctx.cfg.domain} over TLS yet ({exc.reason}): notebook 04 attaches the "
                       "certificate to the distribution")
    if not shake.verified:
        return failed(shake.error, "a chain to a trusted root",
                      "alias not on the certificate, or the distribution uses another certificate")
    days = (shake.leaf.not_valid_after_utc - datetime.datetime.now(datetime.timezone.utc)).days
    if days < 30:
        return failed(f"expires in {days} days", "more than 30 days", "renew the certificate")
    return passed(f"{shake.version}, names {', '.join(shake.names())}, {days} days left")


CHECKS = [
    Check("certificate.exists", "a us-east-1 certificate covers the domain and www", probe_certificate, gate=True),
    Check("certificate.issued", "it is issued (DNS validation answered)", probe_issued, wait=20),
    Check("certificate.tls", "the site's TLS handshake presents it", probe_handshake),
]
