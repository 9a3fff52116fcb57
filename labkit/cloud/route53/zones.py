"""The zones the local DNS serves, indexed for lookups, and the rules an authoritative server answers by.

    Catalog.build(zones, …)   every public Route 53 zone (from models.route53_zones()) parsed into a Zone
    Catalog.zone_for(name)    the most specific zone containing a name, or None (the server then answers REFUSED)
    Zone.answer(qname, qtype) an Answer: rcode, AA, answer / authority / additional records

The rules (RFC 1034 §4.3.2, RFC 2308, RFC 4592; Route 53 Developer Guide as cited):
    exact name, matching type      the records (aliases followed, routing policy applied)
    exact name, CNAME              the CNAME, followed while its target stays in the zone
    name exists, no such type      NODATA: NOERROR, no answer, the zone's SOA in authority
    name absent                    a wildcard ``*.<closest encloser>`` answers under the queried name; else
                                   NXDOMAIN with the SOA in authority
    below a delegation (NS record  a referral: no AA, the NS records in authority, glue in additional
    set under the apex)
Negative answers carry the SOA with TTL min(SOA TTL, SOA minimum) (RFC 2308 §3).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dnslib import AAAA, QTYPE, RCODE, RR, A, DNSLabel

from .records import Alias, InvalidValue, RecordSet, choose, labels, name_key, qtype, rdata

if TYPE_CHECKING:  # pragma: no cover
    from .models import RecordSetData, ZoneData

CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"  # research/aws-facts.md: alias records to a distribution use this zone id
CLOUDFRONT_ALIAS_TTL = 60  # Route 53 answers an alias to an AWS resource with that resource's TTL; CloudFront's is 60 s
EDGE_A, EDGE_AAAA = "127.0.0.1", "::1"  # the local HTTPS edge serves every distribution
MAX_CHAIN = 8  # CNAMEs and aliases followed per answer (loops end here)
_ADDRESS_TYPES = (QTYPE.A, QTYPE.AAAA)


@dataclass
class Answer:
    rcode: int = RCODE.NOERROR
    authoritative: bool = True
    answer: list[RR] = field(default_factory=list)
    authority: list[RR] = field(default_factory=list)
    additional: list[RR] = field(default_factory=list)


class Zone:
    def __init__(self, zone_id: str, apex: tuple[bytes, ...], catalog: Catalog) -> None:
        self.id = zone_id
        self.apex = apex
        self.key = name_key(apex)
        self.catalog = catalog
        self.nodes: dict[str, dict[int, list[RecordSet]]] = {}
        self.empty_nonterminals: set[str] = set()  # names with no records but records below them (they exist)
        self.cuts: set[str] = set()  # delegations: NS record sets below the apex
        self.soa: RecordSet | None = None

    def add(self, record_set: RecordSet) -> None:
        key = name_key(record_set.owner)
        self.nodes.setdefault(key, defaultdict(list))[record_set.rtype].append(record_set)
        if record_set.rtype == QTYPE.SOA and key == self.key and record_set.rdatas:
            self.soa = record_set
        if record_set.rtype == QTYPE.NS and key != self.key:
            self.cuts.add(key)
        for depth in range(len(self.apex) + 1, len(record_set.owner)):
            self.empty_nonterminals.add(name_key(record_set.owner[-depth:]))

    def contains(self, name: tuple[bytes, ...]) -> bool:
        return len(name) >= len(self.apex) and name_key(name[len(name) - len(self.apex):]) == self.key

    # -- answering -------------------------------------------------------------------------------------------
    def answer(self, qname: DNSLabel, qtype_: int, depth: int = 0) -> Answer:
        name = qname.label
        cut = self._cut_above(name)
        if cut is not None and not (cut == name_key(name) and qtype_ == QTYPE.DS):
            return self._referral(cut)
        node = self.nodes.get(name_key(name))
        if node is None:
            if name_key(name) in self.empty_nonterminals:
                return self._negative(RCODE.NOERROR)
            node = self._wildcard(name)
            if node is None:
                return self._negative(RCODE.NXDOMAIN)
        return self._from_node(node, qname, qtype_, depth)

    def _from_node(self, node: dict[int, list[RecordSet]], owner: DNSLabel, qtype_: int, depth: int) -> Answer:
        found = self._records(node, qtype_, owner, depth)
        if found:
            return Answer(answer=found)
        if qtype_ != QTYPE.CNAME and node.get(QTYPE.CNAME):
            cname = self._records(node, QTYPE.CNAME, owner, depth)
            if cname:
                target = cname[0].rdata.label
                if depth < MAX_CHAIN and self.contains(target.label):
                    rest = self.answer(target, qtype_, depth + 1)
                    if rest.authoritative:  # stays in this zone's authority: answer the whole chain (RFC 1034 §4.3.2)
                        return Answer(rest.rcode, True, cname + rest.answer, rest.authority)
                return Answer(answer=cname)
        return self._negative(RCODE.NOERROR)

    def _records(self, node: dict[int, list[RecordSet]], qtype_: int, owner: DNSLabel, depth: int) -> list[RR]:
        types = [t for t in node if node[t]] if qtype_ == QTYPE.ANY else [qtype_]
        records: list[RR] = []
        for rtype in types:
            for record_set in choose(node.get(rtype, []), self.catalog.region):
                if record_set.alias is None:
                    records.extend(record_set.rrs(owner))
                else:
                    records.extend(self._alias(record_set, owner, depth))
        return records

    def _alias(self, record_set: RecordSet, owner: DNSLabel, depth: int) -> list[RR]:
        """An alias answers as its target would, under the queried name (Developer Guide, "Choosing between alias
        and non-alias records"): a distribution → the local edge; a record of this zone → that record's data."""
        alias: Alias = record_set.alias  # type: ignore[assignment]
        if alias.zone_id.upper() == CLOUDFRONT_ZONE_ID:
            if alias.target not in self.catalog.edge_names:
                return []  # no such distribution: NODATA (AWS refuses to create the alias)
            if record_set.rtype == QTYPE.A:
                return [RR(owner, QTYPE.A, ttl=CLOUDFRONT_ALIAS_TTL, rdata=A(EDGE_A))]
            if record_set.rtype == QTYPE.AAAA:
                return [RR(owner, QTYPE.AAAA, ttl=CLOUDFRONT_ALIAS_TTL, rdata=AAAA(EDGE_AAAA))]
            return []
        if alias.zone_id == self.id and depth < MAX_CHAIN:
            target = labels_or_none(alias.target)
            if target is None or not self.contains(target):
                return []
            node = self.nodes.get(alias.target) or self._wildcard(target)
            if node is None:
                return []
            # Only a record of the alias's own type is followed; its TTL is the target's.
            return self._records({record_set.rtype: node.get(record_set.rtype, [])}, record_set.rtype, owner,
                                 depth + 1)
        return []  # other AWS resources (S3 websites, load balancers…) have no local data plane here

    def _wildcard(self, name: tuple[bytes, ...]) -> dict[int, list[RecordSet]] | None:
        """RFC 4592 §3.3.1: the source of synthesis is ``*.`` + the closest encloser (the longest existing ancestor)."""
        for start in range(1, len(name) - len(self.apex) + 1):
            ancestor = name[start:]
            key = name_key(ancestor)
            if key == self.key or key in self.nodes or key in self.empty_nonterminals:
                return self.nodes.get(name_key((b"*", *ancestor)))
        return None

    def _cut_above(self, name: tuple[bytes, ...]) -> str | None:
        """The highest delegation point at or above ``name`` (and below the apex), if any."""
        if not self.cuts:
            return None
        for depth in range(len(self.apex) + 1, len(name) + 1):
            key = name_key(name[-depth:])
            if key in self.cuts:
                return key
        return None

    def _referral(self, cut: str) -> Answer:
        ns_sets = [s for s in self.nodes[cut][QTYPE.NS] if s.alias is None]
        authority = [rr for s in ns_sets[:1] for rr in s.rrs(DNSLabel(s.owner))]
        additional: list[RR] = []
        for ns in authority:
            target = ns.rdata.label.label
            node = self.nodes.get(name_key(target)) if self.contains(target) else None
            for rtype in _ADDRESS_TYPES:
                for record_set in (node or {}).get(rtype, []):
                    if record_set.alias is None:
                        additional.extend(record_set.rrs(DNSLabel(record_set.owner)))
        return Answer(RCODE.NOERROR, False, [], authority, additional)

    def _negative(self, rcode: int) -> Answer:
        return Answer(rcode, True, [], self.soa_rrs())

    def soa_rrs(self) -> list[RR]:
        if self.soa is None:
            return []
        minimum = self.soa.rdatas[0].times[4]
        return self.soa.rrs(DNSLabel(self.soa.owner), ttl=min(self.soa.ttl, minimum))


def labels_or_none(key: str) -> tuple[bytes, ...] | None:
    try:
        return tuple(key.encode("latin-1").split(b".")) if key else ()
    except UnicodeEncodeError:
        return None


@dataclass
class Catalog:
    """Everything the DNS answers from, built at once from the control plane; read-only once built."""

    generation: int = -1
    region: str = "us-east-1"
    edge_names: frozenset[str] = frozenset()  # name_key of every distribution's DomainName
    zones: dict[str, Zone] = field(default_factory=dict)
    invalid: list[str] = field(default_factory=list)  # records Route 53 would have refused, skipped
    _parsed: dict[str, tuple[ZoneData, Zone, list[str]]] = field(default_factory=dict, repr=False)
    _distributions: frozenset[str] = frozenset()

    @classmethod
    def build(cls, zones: list[ZoneData], distributions: set[str], *, region: str = "us-east-1",
              generation: int = -1, previous: Catalog | None = None) -> Catalog:
        """``previous``: the catalog this one replaces; its zones whose data did not change are kept as parsed
        (a change to one zone leaves the others as they were, and a class has a zone per learner)."""
        names = frozenset(distributions)
        if previous is not None and previous._distributions == names:
            edge_names = previous.edge_names
        else:
            edge_names = frozenset(name_key(labels(name)) for name in names if _is_name(name))
        catalog = cls(generation, region, edge_names)
        catalog._distributions = names
        for data in zones:
            try:
                apex = labels(data.name)
            except InvalidValue:
                catalog.invalid.append(f"zone {data.name!r}: not a domain name")
                continue
            if name_key(apex) in catalog.zones:
                continue  # two public zones of one name: the oldest answers (the registrar would name one)
            kept = previous._parsed.get(data.id) if previous is not None and previous.region == region else None
            if kept is not None and kept[0] == data:
                _, zone, problems = kept
                zone.catalog = catalog  # a query still on the old catalog sees the newer distributions: harmless
            else:
                zone, mark = Zone(data.id, apex, catalog), len(catalog.invalid)
                for record_set_data in data.record_sets:
                    catalog._add(zone, record_set_data)
                problems = catalog.invalid[mark:]
                catalog.invalid = catalog.invalid[:mark]
            catalog.invalid.extend(problems)
            catalog._parsed[data.id] = (data, zone, problems)
            catalog.zones[zone.key] = zone
        return catalog

    def _add(self, zone: Zone, data: RecordSetData) -> None:
        where = f"{data.name} {data.type} in zone {zone.key}"
        rtype = qtype(data.type)
        try:
            owner = labels(data.name)
        except InvalidValue as exc:
            self.invalid.append(f"{where}: {exc}")
            return
        if rtype is None or not zone.contains(owner):
            self.invalid.append(f"{where}: {'unknown type' if rtype is None else 'name outside the zone'}")
            return
        alias = None
        rdatas = []
        if data.alias_dns_name:
            try:
                alias = Alias(data.alias_zone_id or "", name_key(labels(data.alias_dns_name)))
            except InvalidValue as exc:
                self.invalid.append(f"{where}: alias target {exc}")
                return
        for value in data.values:
            try:
                rdatas.append(rdata(data.type, value))
            except InvalidValue as exc:
                self.invalid.append(f"{where}: {exc}")
        if alias is None and not rdatas:
            return
        zone.add(RecordSet(owner, rtype, data.ttl if data.ttl is not None else 300, rdatas, alias,
                           data.set_identifier, data.weight, data.failover, data.region, data.multivalue))

    def zone_for(self, name: tuple[bytes, ...]) -> Zone | None:
        """The most specific zone at or above ``name`` (a child zone served here answers for its own names)."""
        for start in range(len(name)):
            zone = self.zones.get(name_key(name[start:]))
            if zone is not None:
                return zone
        return None


def _is_name(text: str) -> bool:
    try:
        labels(text)
        return True
    except InvalidValue:
        return False
