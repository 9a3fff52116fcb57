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
        return failed(f"no public hosted zone {ctx.cfg.domain}", "the zone exists",
                      "run notebook 02: it creates the zone (and the certificate's validation record in it)")
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


def _distributions(ctx: Context) -> list[dict]:
    return ctx.client("cloudfront").list_distributions().get("DistributionList", {}).get("Items", []) or []


def _domains(items: list[dict]) -> dict[str, str]:
    return {d["DomainName"].rstrip(".").lower(): d["Id"] for d in items}


def _others(ctx: Context, items: list[dict]) -> list[dict]:
    """Distributions that are plainly another site's (their aliases name other domains): two learners may share
    an account, and the second's notebook 03 comes before their own distribution exists."""
    mine = {ctx.cfg.domain, f"www.{ctx.cfg.domain}"}
    return [d for d in items if (d.get("Aliases", {}).get("Items") or []) and
            not mine & set(d["Aliases"]["Items"])]


ALIAS_FIX = ("create alias A records for the domain and www: AliasTarget with HostedZoneId Z2FDTNDATAQYW2 (every "
             "CloudFront distribution's) and the distribution's DomainName (notebook 04)")


def _judge(name: str, sets: dict, domains: dict[str, str]) -> tuple[str, str, str]:
    """One of the site's names from its record sets: ("ok", what it is, note) or ("fail", observed, hint)."""
    record = sets.get((name, "A"))
    cname = sets.get((name, "CNAME"))
    if record is None and cname is not None:
        value = (cname.get("ResourceRecords") or [{}])[0].get("Value", "")
        if "://" in value:
            return ("fail", f"{name} is a CNAME to {value!r}",
                    "the CNAME value contains https://: a DNS record names a host, not a URL; use the "
                    "distribution's DomainName alone, or better an alias A record (notebook 04)")
        if value.rstrip(".").lower() not in domains:
            return "fail", f"{name} is a CNAME to {value}, which is no distribution of this account", ALIAS_FIX
        # Valid on AWS too: a CNAME to the distribution's name works for www (never at the apex, where Route 53
        # allows no CNAME); an alias is still the better choice: answered as an address, no charge per query.
        return "ok", f"{name} → CNAME {value.rstrip('.')}", "a CNAME works; an alias A record is preferred"
    if record is None:
        return "fail", f"no record for {name}", ALIAS_FIX
    target = record.get("AliasTarget", {})
    if not target:
        return "fail", f"{name} is a plain A record, not an alias to the distribution", ALIAS_FIX
    if target.get("HostedZoneId") != "Z2FDTNDATAQYW2" or target["DNSName"].rstrip(".").lower() not in domains:
        return "fail", f"{name} aliases {target.get('DNSName')}, which is no distribution of this account", ALIAS_FIX
    return "ok", f"{name} → alias {target['DNSName'].rstrip('.')}", ""


def probe_aliases(ctx: Context) -> Result:
    """apex and www lead to the distribution (alias A records, or a CNAME for www) and the server answers them."""
    items = _distributions(ctx)
    if len(items) == len(_others(ctx, items)):
        return skipped("no distribution yet: notebook 04 adds the aliases")
    domains = _domains(items)
    sets = {(r["Name"].rstrip(".").lower(), r["Type"]): r for r in record_sets(ctx, ctx.facts["zone"]["Id"])}
    host, port = _server(ctx)
    seen, notes = [], []
    for name in (ctx.cfg.domain, f"www.{ctx.cfg.domain}"):
        verdict, what, extra = _judge(name, sets, domains)
        if verdict == "fail":
            return failed(what, "alias A records to the distribution (Z2FDTNDATAQYW2)", extra)
        rtype = "CNAME" if "CNAME" in what else "A"
        answer = dns_query(name, rtype, host, port)
        if not answer.values(rtype):
            return failed(f"{name}: {answer.rcode} with no {rtype} in the answer", f"the {rtype} record served",
                          "the zone's server does not answer the record: check its name (a typo, or a record in "
                          "another zone)")
        seen.append(f"{name} → {', '.join(answer.values(rtype))}")
        notes.extend([f"{name}: {extra}"] if extra else [])
    return passed("; ".join(seen + notes))


CHECKS = [
    Check("dns.zone", "the hosted zone exists", probe_zone),
    Check("dns.authoritative", "its name server answers SOA and NS", probe_authoritative, needs=("dns.zone",)),
    Check("dns.txt", "the TXT record is served", probe_txt, needs=("dns.authoritative",)),
    Check("dns.aliases", "apex and www lead to the distribution", probe_aliases, needs=("dns.authoritative",)),
]
