"""The DNS data plane, over real UDP and TCP against the local cloud process: Route 53 zones answered
authoritatively, as a Route 53 name server answers them.

Facts reproduced (Route 53 Developer Guide unless noted):
- "Choosing between alias and non-alias records": an alias answers as its target, under the record's own name, only
  for the alias's own type; an alias to an AWS resource takes that resource's TTL (CloudFront: 60 s); an alias to
  a record of the same zone takes that record's TTL.
- research/aws-facts.md: alias records to a distribution use AliasTarget.HostedZoneId Z2FDTNDATAQYW2.
- "DNS domain name format": names compare case-insensitively; ``*`` as the leftmost label is a wildcard.
- "Supported DNS record types": TXT values are double-quoted strings, ``\\"`` escapes a quote.
- "NS and SOA records that Route 53 creates for a public hosted zone": NS TTL 172800, SOA TTL 900,
  SOA ``<primary NS>. <hostmaster>. 1 7200 900 1209600 86400``.
- RFC 2308: negative answers carry the zone's SOA, TTL min(SOA TTL, SOA minimum).
- RFC 4592: a wildcard answers only names below the closest encloser.
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import threading
import uuid

import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from dnslib import RCODE, DNSRecord

from labkit.cloud import control
from labkit.cloud.route53.component import NAME_SERVERS, DnsHandler, Route53Resolver, _TcpServer, _UdpServer
from labkit.target import cloud_health

from ..conftest import Cloud, cloud_env

CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"


# -- helpers ---------------------------------------------------------------------------------------------------------
def ask(cloud: Cloud, name: str, rdtype: str = "A", *, tcp: bool = False, **query: object) -> dns.message.Message:
    message = dns.message.make_query(name, rdtype, **query)
    send = dns.query.tcp if tcp else dns.query.udp
    return send(message, "127.0.0.1", port=cloud.cfg.ports["dns"], timeout=10)


def values(reply: dns.message.Message, rdtype: str) -> list[str]:
    kind = dns.rdatatype.from_text(rdtype)
    return sorted(rd.to_text() for rrset in reply.answer if rrset.rdtype == kind for rd in rrset)


def answer_ttl(reply: dns.message.Message) -> int:
    return reply.answer[0].ttl


def new_zone(cloud: Cloud, *records: dict) -> tuple[str, str]:
    """A hosted zone of its own (unique name) holding ``records``; returns (zone id, zone name)."""
    name = f"z{uuid.uuid4().hex[:10]}.localhost"
    r53 = cloud.client("route53")
    zone_id = r53.create_hosted_zone(Name=name, CallerReference=uuid.uuid4().hex)["HostedZone"]["Id"]
    if records:
        change(cloud, zone_id, *records)
    return zone_id, name


def change(cloud: Cloud, zone_id: str, *records: dict, action: str = "UPSERT") -> None:
    cloud.client("route53").change_resource_record_sets(
        HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": r} for r in records]})


def rrset(name: str, rtype: str, *vals: str, ttl: int = 300, **extra: object) -> dict:
    return {"Name": name, "Type": rtype, "TTL": ttl, "ResourceRecords": [{"Value": v} for v in vals], **extra}


def alias(name: str, rtype: str, zone_id: str, target: str) -> dict:
    return {"Name": name, "Type": rtype,
            "AliasTarget": {"HostedZoneId": zone_id, "DNSName": target, "EvaluateTargetHealth": False}}


def soa_of(reply: dns.message.Message):
    (soa,) = [r for r in reply.authority if r.rdtype == dns.rdatatype.SOA]
    return soa


def create_distribution(cloud: Cloud) -> str:
    """A real distribution through the CloudFront API; returns its DomainName as the API reports it."""
    ref = uuid.uuid4().hex
    dist = cloud.client("cloudfront").create_distribution(DistributionConfig={
        "CallerReference": ref, "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": f"b{ref[:8]}.s3.us-east-1.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
    })["Distribution"]
    return dist["DomainName"]


# -- zones name this server ------------------------------------------------------------------------------------------
def test_new_zone_names_the_local_server_in_api_and_dns(cloud):
    """CreateHostedZone, GetHostedZone, ListResourceRecordSets and the DNS answers all name the same servers, and
    the SOA is a real SOA (moto stores a stringified dict: research/moto-5.2.5.md §3)."""
    r53 = cloud.client("route53")
    name = f"z{uuid.uuid4().hex[:10]}.localhost"
    created = r53.create_hosted_zone(Name=name, CallerReference=uuid.uuid4().hex)
    zone_id = created["HostedZone"]["Id"]
    assert created["DelegationSet"]["NameServers"] == NAME_SERVERS
    assert r53.get_hosted_zone(Id=zone_id)["DelegationSet"]["NameServers"] == NAME_SERVERS
    listed = {r["Type"]: r for r in r53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]}
    assert [v["Value"] for v in listed["NS"]["ResourceRecords"]] == [f"{ns}." for ns in NAME_SERVERS]
    (soa_value,) = [v["Value"] for v in listed["SOA"]["ResourceRecords"]]
    assert soa_value == f"ns1.labcloud.localhost. hostmaster.{name}. 1 7200 900 1209600 86400"

    ns = ask(cloud, name, "NS")
    assert ns.flags & dns.flags.AA
    assert values(ns, "NS") == sorted(v["Value"] for v in listed["NS"]["ResourceRecords"])
    assert answer_ttl(ns) == 172800 == int(listed["NS"]["TTL"])
    soa = ask(cloud, name, "SOA")
    assert values(soa, "SOA") == [soa_value]
    assert answer_ttl(soa) == 900 == listed["SOA"]["TTL"]


# -- record types --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_every_record_type_with_its_ttl_and_the_aa_flag(cloud, tcp):
    zone_id, zone = new_zone(cloud)
    change(cloud, zone_id,
           rrset(f"www.{zone}", "A", "192.0.2.1", "192.0.2.2", ttl=61),
           rrset(f"www.{zone}", "AAAA", "2001:db8::1", ttl=62),
           rrset(f"alias.{zone}", "CNAME", "elsewhere.example.com", ttl=63),
           rrset(zone, "TXT", '"v=spf1 -all"', '"first part" "second part"', ttl=64),
           rrset(zone, "MX", "10 mail.example.com", "20 backup.example.com.", ttl=65))
    expected = {
        (f"www.{zone}", "A"): (["192.0.2.1", "192.0.2.2"], 61),
        (f"www.{zone}", "AAAA"): (["2001:db8::1"], 62),
        (f"alias.{zone}", "CNAME"): (["elsewhere.example.com."], 63),
        (zone, "TXT"): (['"first part" "second part"', '"v=spf1 -all"'], 64),
        (zone, "MX"): (["10 mail.example.com.", "20 backup.example.com."], 65),
        (zone, "SOA"): ([f"ns1.labcloud.localhost. hostmaster.{zone}. 1 7200 900 1209600 86400"], 900),
        (zone, "NS"): ([f"{ns}." for ns in NAME_SERVERS], 172800),
    }
    for (name, rdtype), (want, ttl) in expected.items():
        reply = ask(cloud, name, rdtype, tcp=tcp)
        assert reply.rcode() == dns.rcode.NOERROR, (name, rdtype)
        assert reply.flags & dns.flags.AA, (name, rdtype)
        assert not reply.flags & dns.flags.RA  # authoritative only: no recursion offered
        assert values(reply, rdtype) == want, (name, rdtype)
        assert answer_ttl(reply) == ttl, (name, rdtype)


def test_txt_strings_keep_quotes_escapes_and_spaces(cloud):
    """A TXT value is one or more quoted strings; ``\\"`` is a quote inside one (Supported DNS record types)."""
    zone_id, zone = new_zone(cloud)
    change(cloud, zone_id, rrset(f"t.{zone}", "TXT", r'"say \"hi\" to all"', '"a" "b c"'))
    reply = ask(cloud, f"t.{zone}", "TXT")
    strings = sorted(tuple(rd.strings) for rrset in reply.answer for rd in rrset)
    assert strings == [(b"a", b"b c"), (b'say "hi" to all',)]


def test_names_match_in_any_case_and_the_answer_echoes_the_question(cloud):
    """Route 53 stores names in lower case and matches any case (DNS domain name format); resolvers that randomise
    the case of queries (DNS 0x20) expect the answer to carry the name as they spelled it."""
    zone_id, zone = new_zone(cloud)
    change(cloud, zone_id, rrset(f"MiXed.{zone}", "A", "192.0.2.7"))  # (moto matches the zone case-sensitively)
    asked = f"mIXED.{zone.upper()}"
    reply = ask(cloud, asked, "A")
    assert values(reply, "A") == ["192.0.2.7"]
    assert reply.answer[0].name.to_text() == f"{asked}."


# -- CNAME and wildcards ---------------------------------------------------------------------------------------------
def test_cname_is_followed_inside_the_zone_and_returned_alone_outside(cloud):
    zone_id, zone = new_zone(cloud)
    change(cloud, zone_id,
           rrset(f"www.{zone}", "CNAME", f"origin.{zone}"),
           rrset(f"origin.{zone}", "A", "192.0.2.9", ttl=77),
           rrset(f"out.{zone}", "CNAME", "target.example.com"))
    inside = ask(cloud, f"www.{zone}", "A")
    assert values(inside, "CNAME") == [f"origin.{zone}."]
    assert values(inside, "A") == ["192.0.2.9"]
    assert inside.flags & dns.flags.AA
    outside = ask(cloud, f"out.{zone}", "A")
    assert values(outside, "CNAME") == ["target.example.com."] and values(outside, "A") == []
    assert outside.rcode() == dns.rcode.NOERROR


def test_wildcard_answers_absent_names_only(cloud):
    """``*.zone`` answers a name with no records of its own, at any depth below the closest encloser (RFC 4592);
    an explicit record wins; the wildcard's other types are NODATA."""
    zone_id, zone = new_zone(cloud)
    change(cloud, zone_id,
           rrset(f"*.{zone}", "A", "192.0.2.50", ttl=70),
           rrset(f"www.{zone}", "A", "192.0.2.1"))
    for name in (f"anything.{zone}", f"deep.er.{zone}", f"ANY.{zone}"):
        reply = ask(cloud, name, "A")
        assert values(reply, "A") == ["192.0.2.50"] and answer_ttl(reply) == 70, name
        assert reply.answer[0].name.to_text() == f"{name}.", name  # synthesised under the asked name
    assert values(ask(cloud, f"www.{zone}", "A"), "A") == ["192.0.2.1"]
    below_explicit = ask(cloud, f"x.www.{zone}", "A")  # closest encloser is www: *.www is absent
    assert below_explicit.rcode() == dns.rcode.NXDOMAIN
    other_type = ask(cloud, f"anything.{zone}", "TXT")
    assert other_type.rcode() == dns.rcode.NOERROR and not other_type.answer and soa_of(other_type)


# -- aliases ---------------------------------------------------------------------------------------------------------
def test_alias_to_a_distribution_answers_the_local_edge(cloud):
    """An alias to a distribution's DomainName (HostedZoneId Z2FDTNDATAQYW2) answers the local HTTPS edge, with
    CloudFront's TTL of 60 s; the alias's type decides the family."""
    domain = create_distribution(cloud)
    zone_id, zone = new_zone(cloud)
    change(cloud, zone_id,
           alias(zone, "A", CLOUDFRONT_ZONE, domain),
           alias(zone, "AAAA", CLOUDFRONT_ZONE, domain.upper() + "."),  # case and trailing dot do not matter
           alias(f"v4only.{zone}", "A", CLOUDFRONT_ZONE, domain))
    a = ask(cloud, zone, "A")
    assert values(a, "A") == ["127.0.0.1"] and answer_ttl(a) == 60 and a.flags & dns.flags.AA
    aaaa = ask(cloud, zone, "AAAA", tcp=True)
    assert values(aaaa, "AAAA") == ["::1"] and answer_ttl(aaaa) == 60
    only_a = ask(cloud, f"v4only.{zone}", "AAAA")
    assert only_a.rcode() == dns.rcode.NOERROR and not only_a.answer and soa_of(only_a)


def test_alias_to_no_distribution_is_nodata(cloud):
    zone_id, zone = new_zone(cloud)
    change(cloud, zone_id, alias(f"www.{zone}", "A", CLOUDFRONT_ZONE, "dnotadistribution.cloudfront.net"))
    reply = ask(cloud, f"www.{zone}", "A")
    assert reply.rcode() == dns.rcode.NOERROR and not reply.answer
    assert soa_of(reply).name.to_text() == f"{zone}."


def test_alias_to_a_record_of_the_zone_answers_its_data_under_the_alias_name(cloud):
    """An alias to another record of the same zone (HostedZoneId = the zone) answers that record's values, with
    that record's TTL, under the queried name; only the alias's own type is followed."""
    zone_id, zone = new_zone(cloud)
    bare_id = zone_id.rsplit("/", 1)[-1]
    change(cloud, zone_id,
           rrset(f"www.{zone}", "A", "192.0.2.20", ttl=123),
           rrset(f"www.{zone}", "TXT", '"not followed"'),
           alias(zone, "A", bare_id, f"www.{zone}"),
           alias(f"chain.{zone}", "A", bare_id, f"{zone}."))
    apex = ask(cloud, zone, "A")
    assert values(apex, "A") == ["192.0.2.20"] and answer_ttl(apex) == 123
    assert apex.answer[0].name.to_text() == f"{zone}."
    assert values(ask(cloud, f"chain.{zone}", "A"), "A") == ["192.0.2.20"]  # alias → alias → record
    txt = ask(cloud, zone, "TXT")
    assert not values(txt, "TXT")


# -- negative answers ------------------------------------------------------------------------------------------------
def test_nxdomain_and_nodata_carry_the_soa_with_the_negative_ttl(cloud):
    """RFC 2308 §3: the authority section holds the zone's SOA, TTL = min(SOA TTL 900, minimum 86400) = 900."""
    zone_id, zone = new_zone(cloud)
    change(cloud, zone_id, rrset(f"www.{zone}", "A", "192.0.2.1"), rrset(f"a.b.{zone}", "A", "192.0.2.2"))
    for name, rdtype, rcode in [(f"missing.{zone}", "A", dns.rcode.NXDOMAIN),
                                (f"www.{zone}", "MX", dns.rcode.NOERROR),
                                (f"b.{zone}", "A", dns.rcode.NOERROR)]:  # an empty non-terminal exists
        for tcp in (False, True):
            reply = ask(cloud, name, rdtype, tcp=tcp)
            assert reply.rcode() == rcode, (name, rdtype)
            assert reply.flags & dns.flags.AA and not reply.answer
            soa = soa_of(reply)
            assert soa.name.to_text() == f"{zone}." and soa.ttl == 900
            assert soa[0].mname.to_text() == "ns1.labcloud.localhost."


def test_names_outside_every_zone_are_refused(cloud):
    new_zone(cloud)
    for name in ("example.com", "localhost", "unknown-zone.localhost"):
        reply = ask(cloud, name, "A")
        assert reply.rcode() == dns.rcode.REFUSED, name
        assert not reply.flags & dns.flags.AA and not reply.answer


def test_delegated_subdomain_gets_a_referral(cloud):
    """NS records below the apex delegate: the answer is a referral (no AA) naming the child's servers, with glue."""
    zone_id, zone = new_zone(cloud)
    change(cloud, zone_id,
           rrset(f"sub.{zone}", "NS", f"ns.sub.{zone}"),
           rrset(f"ns.sub.{zone}", "A", "192.0.2.53"))
    reply = ask(cloud, f"host.sub.{zone}", "A")
    assert reply.rcode() == dns.rcode.NOERROR and not reply.answer
    assert not reply.flags & dns.flags.AA
    (ns,) = reply.authority
    assert ns.rdtype == dns.rdatatype.NS and [r.to_text() for r in ns] == [f"ns.sub.{zone}."]
    assert [r.to_text() for rrset in reply.additional for r in rrset] == ["192.0.2.53"]


# -- freshness and persistence ---------------------------------------------------------------------------------------
def test_a_change_is_answered_by_the_next_query(cloud):
    zone_id, zone = new_zone(cloud)
    name = f"www.{zone}"
    assert ask(cloud, name, "A").rcode() == dns.rcode.NXDOMAIN
    change(cloud, zone_id, rrset(name, "A", "192.0.2.1", ttl=30))
    assert values(ask(cloud, name, "A"), "A") == ["192.0.2.1"]
    change(cloud, zone_id, rrset(name, "A", "192.0.2.2", ttl=30))
    assert values(ask(cloud, name, "A", tcp=True), "A") == ["192.0.2.2"]
    change(cloud, zone_id, rrset(name, "A", "192.0.2.2", ttl=30), action="DELETE")
    assert ask(cloud, name, "A").rcode() == dns.rcode.NXDOMAIN


def test_deleted_zone_is_no_longer_served(cloud):
    zone_id, zone = new_zone(cloud)
    assert ask(cloud, zone, "SOA").rcode() == dns.rcode.NOERROR
    cloud.client("route53").delete_hosted_zone(Id=zone_id)
    assert ask(cloud, zone, "SOA").rcode() == dns.rcode.REFUSED


def test_failover_answers_the_primary(cloud):
    """Failover routing answers PRIMARY while it is healthy; health checks are not evaluated locally."""
    zone_id, zone = new_zone(cloud)
    change(cloud, zone_id,
           rrset(f"app.{zone}", "A", "192.0.2.2", SetIdentifier="b", Failover="SECONDARY"),
           rrset(f"app.{zone}", "A", "192.0.2.1", SetIdentifier="a", Failover="PRIMARY"))
    assert values(ask(cloud, f"app.{zone}", "A"), "A") == ["192.0.2.1"]


def test_records_route53_would_refuse_are_skipped_and_reported(cloud):
    """moto stores any value; the DNS skips what it cannot encode, serves the rest, and says so in health."""
    zone_id, zone = new_zone(cloud)
    change(cloud, zone_id, rrset(f"bad.{zone}", "A", "not-an-address"), rrset(f"good.{zone}", "A", "192.0.2.3"))
    assert values(ask(cloud, f"good.{zone}", "A"), "A") == ["192.0.2.3"]
    bad = ask(cloud, f"bad.{zone}", "A")
    assert bad.rcode() == dns.rcode.NXDOMAIN
    report = cloud_health(cloud.cfg)["components"]["dns"]
    assert any(f"bad.{zone}" in line and "not-an-address" in line for line in report["skipped_records"])


def test_answers_survive_a_restart(fresh_cloud):
    zone_id, zone = new_zone(fresh_cloud)
    change(fresh_cloud, zone_id, rrset(f"www.{zone}", "A", "192.0.2.8"))
    fresh_cloud.restart()
    assert values(ask(fresh_cloud, f"www.{zone}", "A"), "A") == ["192.0.2.8"]


# -- the wire ----------------------------------------------------------------------------------------------------------
def test_health_and_endpoint_name_the_port(cloud):
    report = cloud_health(cloud.cfg)["components"]["dns"]
    assert report["status"] == "ok" and report["port"] == cloud.cfg.ports["dns"]
    runtime = control.runtime(cloud.cfg)
    assert runtime["endpoints"]["dns"] == f"127.0.0.1:{cloud.cfg.ports['dns']} (udp+tcp)"


def test_edns_is_echoed_and_a_big_answer_is_truncated_over_udp_only(cloud):
    """RFC 6891: an EDNS query gets an OPT back. RFC 1035 §4.2.1 / RFC 2181 §9: a plain UDP answer over 512 bytes
    comes back with TC set; the same question over TCP gets it all."""
    zone_id, zone = new_zone(cloud)
    big = [f'"{i:02d}{"x" * 200}"' for i in range(4)]  # ~900 bytes: over 512, under our EDNS size of 1232
    change(cloud, zone_id, rrset(f"big.{zone}", "TXT", *big))
    plain = ask(cloud, f"big.{zone}", "TXT")
    assert plain.flags & dns.flags.TC and not plain.answer
    full = ask(cloud, f"big.{zone}", "TXT", tcp=True)
    assert len(values(full, "TXT")) == 4
    with_edns = ask(cloud, f"big.{zone}", "TXT", use_edns=0, payload=4096)
    assert with_edns.edns == 0 and not with_edns.flags & dns.flags.TC
    assert len(values(with_edns, "TXT")) == 4


def test_questions_this_server_does_not_take_get_the_protocol_answer(cloud):
    """Another opcode → NOTIMP; another class (CHAOS) → REFUSED; EDNS version 1 → BADVERS (RFC 6891 §6.1.3)."""
    zone_id, zone = new_zone(cloud)
    notify = dns.message.make_query(zone, "SOA")
    notify.set_opcode(dns.opcode.NOTIFY)
    port = cloud.cfg.ports["dns"]
    assert dns.query.udp(notify, "127.0.0.1", port=port, timeout=10).rcode() == dns.rcode.NOTIMP
    chaos = dns.message.make_query("version.bind", "TXT", rdclass="CH")
    assert dns.query.udp(chaos, "127.0.0.1", port=port, timeout=10).rcode() == dns.rcode.REFUSED
    assert ask(cloud, zone, "SOA", use_edns=1).rcode() == dns.rcode.BADVERS
    assert ask(cloud, zone, "SOA", use_edns=0).rcode() == dns.rcode.NOERROR


def _query_bytes(name: str, ident: int = 0x4242) -> bytes:
    query = dns.message.make_query(name, "SOA")
    query.id = ident
    return query.to_wire()


MALFORMED_UDP = {
    "random bytes": bytes(range(7, 250, 3)),
    "truncated header": b"\x12\x34\x01",
    "qdcount 0": struct.pack("!HHHHHH", 0x1111, 0x0100, 0, 0, 0, 0),
    "qdcount 1, no question": struct.pack("!HHHHHH", 0x2222, 0x0100, 1, 0, 0, 0),
    "label past the end": struct.pack("!HHHHHH", 0x3333, 0x0100, 1, 0, 0, 0) + b"\x3fabc",
    "compression loop": struct.pack("!HHHHHH", 0x4444, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01",
    "a response": struct.pack("!HHHHHH", 0x5555, 0x8180, 0, 0, 0, 0),
}


@pytest.mark.parametrize("packet", MALFORMED_UDP.values(), ids=MALFORMED_UDP.keys())
def test_malformed_udp_gets_formerr_or_silence_and_the_next_query_is_answered(cloud, packet):
    """A readable header earns FORMERR with its id (RFC 1035 §4.1.1); less, or a response, earns nothing. Sent
    from one socket, the good query's answer is the first datagram back unless the bad one was answered first."""
    zone_id, zone = new_zone(cloud)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(10)
        sock.connect(("127.0.0.1", cloud.cfg.ports["dns"]))
        sock.send(packet)
        sock.send(_query_bytes(zone, 0x4242))
        first = DNSRecord.parse(sock.recv(65535))
        ident = struct.unpack("!H", packet[:2])[0] if len(packet) >= 12 else None
        answers_formerr = len(packet) >= 12 and not packet[2] & 0x80
        if answers_formerr:
            assert first.header.id == ident and first.header.rcode == RCODE.FORMERR
            first = DNSRecord.parse(sock.recv(65535))
        assert first.header.id == 0x4242 and first.header.rcode == RCODE.NOERROR and first.rr


def _tcp(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def _read_message(sock: socket.socket) -> bytes | None:
    prefix = b""
    while len(prefix) < 2:
        chunk = sock.recv(2 - len(prefix))
        if not chunk:
            return None
        prefix += chunk
    (length,) = struct.unpack("!H", prefix)
    data = b""
    while len(data) < length:
        chunk = sock.recv(length - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def test_malformed_tcp_is_closed_or_answered_and_never_hangs_the_server(cloud):
    zone_id, zone = new_zone(cloud)
    port = cloud.cfg.ports["dns"]
    # A length prefix promising more than follows, then the client stops sending: the server closes.
    with _tcp(port) as sock:
        sock.sendall(struct.pack("!H", 500) + _query_bytes(zone)[:20])
        sock.shutdown(socket.SHUT_WR)
        assert _read_message(sock) is None
    # Garbage in a well-formed frame: FORMERR with the garbage's id.
    with _tcp(port) as sock:
        garbage = struct.pack("!HHHHHH", 0x6666, 0x0100, 1, 0, 0, 0) + b"\x3f"
        sock.sendall(struct.pack("!H", len(garbage)) + garbage)
        reply = DNSRecord.parse(_read_message(sock))
        assert reply.header.id == 0x6666 and reply.header.rcode == RCODE.FORMERR
    # Half a length prefix, then close.
    with _tcp(port) as sock:
        sock.sendall(b"\x00")
    # After all that, a good query on one connection, twice (RFC 7766 §6.2.1: several queries per connection).
    with _tcp(port) as sock:
        for ident in (1, 2):
            query = _query_bytes(zone, ident)
            sock.sendall(struct.pack("!H", len(query)) + query)
            reply = DNSRecord.parse(_read_message(sock))
            assert reply.header.id == ident and reply.header.rcode == RCODE.NOERROR and reply.rr


def test_unexpected_resolver_error_answers_servfail_over_udp_and_tcp():
    """dnslib's handler catches only DNSError; the resolver answers SERVFAIL itself (STYLE.md, Notes), and the
    listener keeps serving."""
    def broken_catalog():
        raise RuntimeError("boom")

    resolver = Route53Resolver(broken_catalog)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", udp.getsockname()[1]))
    tcp.listen()
    servers = [_UdpServer(udp, resolver), _TcpServer(tcp, resolver)]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    try:
        port = udp.getsockname()[1]
        for send in (dns.query.udp, dns.query.tcp, dns.query.udp):
            reply = send(dns.message.make_query("www.contact.localhost", "A"), "127.0.0.1", port=port, timeout=10)
            assert reply.rcode() == dns.rcode.SERVFAIL
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    assert issubclass(servers[0].RequestHandlerClass, DnsHandler)


@pytest.mark.parametrize("kind", [socket.SOCK_DGRAM, socket.SOCK_STREAM], ids=["udp", "tcp"])
def test_taken_dns_port_is_named_with_the_setting_to_change(tmp_path, kind):
    """A program holding the DNS port (UDP or TCP): `python -m labkit up` prints one line naming the port and
    LAB_DNS_PORT, with no traceback, and leaves no cloud running."""
    env = cloud_env(tmp_path)
    port = int(env["LAB_DNS_PORT"])
    with socket.socket(socket.AF_INET, kind) as squatter:
        squatter.bind(("127.0.0.1", port))
        if kind == socket.SOCK_STREAM:
            squatter.listen()
        result = subprocess.run([sys.executable, "-m", "labkit", "up"], env={**os.environ, **env},
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert f"port {port} (dns) is already in use" in message
    assert "LAB_DNS_PORT=" in message
    assert control.running_pid(Cloud(env).cfg) is None


def test_a_rebuilt_catalog_keeps_unchanged_zones_and_reparses_changed_ones():
    """Every API call moves the cloud's generation; a class has a zone per learner: only a changed zone is parsed
    again, and what it answers is the new data."""
    from labkit.cloud.route53.models import RecordSetData, ZoneData
    from dnslib import QTYPE, DNSLabel

    from labkit.cloud.route53.zones import Catalog

    def zone(zone_id, name, address):
        return ZoneData(zone_id, name, (RecordSetData(f"www.{name}", "A", 60, (address,)),
                                        RecordSetData(f"bad.{name}", "A", 60, ("not-an-address",))))

    first = Catalog.build([zone("Z1", "ana.localhost.", "127.0.0.1"), zone("Z2", "ben.localhost.", "127.0.0.1")],
                          set(), generation=1)
    second = Catalog.build([zone("Z1", "ana.localhost.", "127.0.0.1"), zone("Z2", "ben.localhost.", "127.0.0.2")],
                           set(), generation=2, previous=first)
    ana, ben = (tuple(n.encode() for n in name.split(".")) for name in ("ana.localhost", "ben.localhost"))
    assert second.zone_for(ana) is first.zone_for(ana) and second.zone_for(ana).catalog is second
    assert second.zone_for(ben) is not first.zone_for(ben)
    answer = second.zone_for(ben).answer(DNSLabel("www.ben.localhost"), QTYPE.A)
    assert [str(rr.rdata) for rr in answer.answer] == ["127.0.0.2"]
    assert len(second.invalid) == len(first.invalid) == 2  # each zone's refused record is still reported
