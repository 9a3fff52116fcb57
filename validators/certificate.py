"""Layer 02 · ACM: a certificate for the domain (and www) in us-east-1, validated through DNS and issued; once a
distribution serves the domain, the TLS handshakes of the domain and www present that certificate, chaining to a
trusted root (a name the edge refuses, while DNS or the distribution says it should serve it, is a fail)."""

from __future__ import annotations

import datetime
from typing import Any

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
        return failed(cert["Status"], "ISSUED", "this certificate will not be issued: delete it (acm.delete_certificate), "
                      "then run notebook 02 again, which reuses a certificate it finds for the domain")
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


def _meant_to_serve(ctx: Context, name: str) -> dict[str, Any] | None:
    """The distribution that should answer ``name`` by now: one listing it in Aliases, else the one its DNS alias
    record points at; None before notebook 04 (then a handshake failure only means the site is not built yet)."""
    items = ctx.client("cloudfront").list_distributions().get("DistributionList", {}).get("Items", []) or []
    listing = next((d for d in items if name in (d.get("Aliases", {}).get("Items") or [])), None)
    if listing is not None:
        return listing
    zone = find_zone(ctx)
    records = record_sets(ctx, zone["Id"]) if zone else []
    target = next((r["AliasTarget"]["DNSName"].rstrip(".").lower() for r in records
                   if r["Name"].rstrip(".").lower() == name and r["Type"] == "A" and r.get("AliasTarget")), None)
    return next((d for d in items if d["DomainName"].rstrip(".").lower() == target), None)


# The certificate CloudFront presents for a name no distribution lists (or a ClientHello without SNI): its own
# *.cloudfront.net one; the local edge's is *.cloudfront.localhost.
_DEFAULT_CERTIFICATE_NAMES = ("*.cloudfront.net", "*.cloudfront.localhost")


class _Unserved(Exception):
    """The edge serves nothing for the name: it answered with CloudFront's default certificate."""


def _served(host: str, port: int, name: str, cafile: str | None) -> Any:
    """tls_handshake; _Unserved for CloudFront's default certificate, ProbeError when the handshake fails."""
    shake = tls_handshake(host, port, name, cafile=cafile)
    if not shake.verified and any(n in _DEFAULT_CERTIFICATE_NAMES for n in shake.names()):
        raise _Unserved(f"CloudFront's default certificate ({', '.join(shake.names())})")
    return shake


def _shake(ctx: Context, name: str) -> tuple[str, Any]:
    """One name over real TLS: ("ok", Handshake), ("skip", reason) or ("fail", (observed, hint))."""
    port = ctx.cfg.ports["https"] if ctx.cfg.local else 443
    cafile = str(ctx.cfg.state_dir / "ca" / "ca.pem") if ctx.cfg.local else None
    host = "127.0.0.1" if ctx.cfg.local else name
    try:
        shake = _served(host, port, name, cafile)
    except (ProbeError, _Unserved) as refused:
        dist = _meant_to_serve(ctx, name)
        if dist is None:
            return "skip", str(getattr(refused, "reason", refused))
        if dist["Status"] != "Deployed":
            raise NotYet(f"{name}: distribution {dist['Id']} is {dist['Status']}") from refused
        try:  # Deployed now, perhaps only since that handshake: the verdict needs one made after it
            shake = _served(host, port, name, cafile)
        except (ProbeError, _Unserved) as exc:
            return "fail", _refusal(ctx, name, dist, exc)
    if not shake.verified:
        return "fail", (f"{name}: {shake.error}",
                        "alias not on the certificate, or the distribution uses another certificate")
    return "ok", shake


def _refusal(ctx: Context, name: str, dist: dict[str, Any], exc: Exception) -> tuple[str, str]:
    """(observed, hint) for a name of a deployed distribution that the edge does not serve."""
    if isinstance(exc, ProbeError) and not exc.alert:
        return (f"{name}: {exc.reason}",
                f"{name} does not answer over TLS: check its alias A record to the distribution (notebook 04)")
    # The edge serves nothing for the name (CloudFront's default certificate, or a TLS alert): no certificate of
    # the distribution covers it. A learner gets here with a DNS alias to a distribution that lacks the name in its
    # Aliases.
    what = f"TLS alert {exc.alert}" if isinstance(exc, ProbeError) else str(exc)
    lacking = "" if name in (dist.get("Aliases", {}).get("Items") or []) else (
        f"; {name} is not in the Aliases of {dist['Id']}, which its DNS record points at")
    return (f"{name}: {what}{lacking}",
            f"alias not on the certificate: the edge has no certificate for {name}. Attach a us-east-1 certificate "
            f"whose names cover {ctx.cfg.domain} and www.{ctx.cfg.domain} (request a new one if it lacks a name) and "
            "list both names in the distribution's Aliases")


def probe_handshake(ctx: Context) -> Result:
    """The apex and www, over real TLS: the certificate's names, its chain to the trusted root, its expiry."""
    outcomes = {name: _shake(ctx, name) for name in (ctx.cfg.domain, f"www.{ctx.cfg.domain}")}
    failures = [detail for kind, detail in outcomes.values() if kind == "fail"]
    if failures:
        return failed("; ".join(observed for observed, _ in failures), "a chain to a trusted root for both names",
                      failures[0][1])
    if all(kind == "skip" for kind, _ in outcomes.values()):
        reason = next(iter(outcomes.values()))[1]
        return skipped(f"no site answers {ctx.cfg.domain} over TLS yet ({reason}): notebook 04 attaches the "
                       "certificate to the distribution")
    if any(kind == "skip" for kind, _ in outcomes.values()):
        missing = next(name for name, (kind, _) in outcomes.items() if kind == "skip")
        return failed(f"{missing}: no answer over TLS, and no distribution or DNS alias for it",
                      "both names served", f"alias not on the certificate or the distribution: add {missing} to the "
                      "distribution's Aliases and an alias A record for it")
    shakes = [shake for _, shake in outcomes.values()]
    days = min((s.leaf.not_valid_after_utc - datetime.datetime.now(datetime.timezone.utc)).days for s in shakes)
    if days < 30:
        return failed(f"expires in {days} days", "more than 30 days", "renew the certificate")
    return passed(f"{shakes[0].version}, {' and '.join(outcomes)} verified, names {', '.join(shakes[0].names())}, "
                  f"{days} days left")


CHECKS = [
    Check("certificate.exists", "a us-east-1 certificate covers the domain and www", probe_certificate),
    Check("certificate.issued", "it is issued (DNS validation answered)", probe_issued, wait=20,
          needs=("certificate.exists",)),
    # wait: a distribution's first deploy (local: LAB_CLOUDFRONT_DEPLOY_SECONDS) before its names answer over TLS
    Check("certificate.tls", "the site's TLS handshake presents it for the domain and www", probe_handshake,
          wait=60, needs=("certificate.issued",)),
]
