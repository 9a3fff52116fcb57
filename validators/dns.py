"""Layer 03 · Route 53: the zone's authoritative name server answers for the domain (NS, SOA, the records of
notebook 03), and the apex and www lead to the CloudFront distribution once notebook 04 adds the aliases. Every
answer comes from a real DNS query to the zone's own server, not from the Route 53 API."""

from __future__ import annotations

from labkit import dns_server

from .base import Check, Context, Result, failed, passed, skipped
from .probes import ProbeError, dns_query
from .zones import find_zone, record_sets


def _server(ctx: Context) -> tuple[str, int]:
    return dns_server(ctx.facts["zone"]["NameServers"], ctx.cfg)


def probe_zone(ctx: Context) -> Result:
    zone = find_zone(ctx)
    if zone is None:
        return failed(f"no public hosted zone {ctx.cfg.domain}", "the zone exists", "run notebook 02 or 03: they create it")
    return passed(f"{zone['Id']} ({', '.join(zone['NameServers'][:2])}…)")


def probe_authoritative(ctx: Context) -> Result:
    host, port = _server(ctx)
    try:
        soa = dns_query(ctx.cfg.domain, "SOA", host, port)
        ns = dns_query(ctx.cfg.domain, "NS", host, port, tcp=True)
    except ProbeError as exc:
        return failed(exc.reason, "answers from the zone's server", "the zone's name server does not answer")
    if soa.rcode != "NOERROR" or not soa.authoritative or not soa.values("SOA"):
        return failed(f"{soa.rcode}, AA={soa.authoritative}", "an authoritative SOA", "the zone is not served")
    return passed(f"SOA {soa.values('SOA')[0].split()[0]}, NS {', '.join(ns.values('NS'))} (UDP and TCP)")


def probe_txt(ctx: Context) -> Result:
    host, port = _server(ctx)
    answer = dns_query(ctx.cfg.domain, "TXT", host, port)
    if not answer.values("TXT"):
        return failed(answer.rcode, 'TXT "v=spf1 -all"', "add the TXT record of notebook 03 (UPSERT)")
    return passed(", ".join(answer.values("TXT")))


def _distribution_domains(ctx: Context) -> dict[str, str]:
    listing = ctx.client("cloudfront").list_distributions().get("DistributionList", {})
    return {d["DomainName"].rstrip(".").lower(): d["Id"] for d in listing.get("Items", []) or []}


def probe_aliases(ctx: Context) -> Result:
    """apex and www are alias A records to the distribution and the server answers them."""
    domains = _distribution_domains(ctx)
    sets = {(r["Name"].rstrip(".").lower(), r["Type"]): r for r in record_sets(ctx, ctx.facts["zone"]["Id"])}
    host, port = _server(ctx)
    problems, seen = [], []
    for name in (ctx.cfg.domain, f"www.{ctx.cfg.domain}"):
        record = sets.get((name, "A"))
        if record is None:
            if not domains:
                return skipped("no distribution yet: notebook 04 adds the aliases")
            problems.append(f"no A record for {name}")
            continue
        target = record.get("AliasTarget", {})
        if not target:
            problems.append(f"{name} is a plain A record, not an alias to the distribution")
            continue
        if target.get("HostedZoneId") != "Z2FDTNDATAQYW2" or target["DNSName"].rstrip(".").lower() not in domains:
            problems.append(f"{name} aliases {target.get('DNSName')}, which is no distribution of this account")
            continue
        answer = dns_query(name, "A", host, port)
        if not answer.values("A"):
            problems.append(f"{name}: {answer.rcode} with no address")
        seen.append(f"{name} → {', '.join(answer.values('A'))}")
    if problems:
        return failed("; ".join(problems), "alias A records to the distribution (Z2FDTNDATAQYW2)",
                      "create alias records: AliasTarget with HostedZoneId Z2FDTNDATAQYW2 and the distribution's "
                      "DomainName")
    return passed("; ".join(seen))


CHECKS = [
    Check("dns.zone", "the hosted zone exists", probe_zone, gate=True),
    Check("dns.authoritative", "its name server answers SOA and NS", probe_authoritative, gate=True),
    Check("dns.txt", "the TXT record is served", probe_txt),
    Check("dns.aliases", "apex and www lead to the distribution", probe_aliases),
]
