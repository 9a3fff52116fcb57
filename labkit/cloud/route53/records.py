"""Route 53 record sets as DNS data: names and values in Route 53's text formats, turned into dnslib RDATA.

    labels(text)              a name as Route 53 stores it → a tuple of raw label bytes (escapes decoded)
    name_key(labels)          the case-insensitive lookup key of a name
    rdata(rtype, value)       one record value → a dnslib RD (raises InvalidValue)
    character_strings(value)  TXT/SPF value → its <character-string>s
    RecordSet                 one parsed record set (plain records, or an alias), with its routing-policy fields
    choose(sets, region)      the record sets a routing policy answers with, among those of one name and type

Route 53's formats (Developer Guide, "DNS domain name format" and "Supported DNS record types"): names may carry
escapes as a backslash and three octal digits (``\\052`` is ``*``); letters compare case-insensitively; TXT values
are one or more double-quoted strings of up to 255 characters, with ``\\"`` and octal escapes inside.
"""

from __future__ import annotations

import ipaddress
import random
import re
from dataclasses import dataclass, field

from dnslib import AAAA, CAA, CNAME, MX, NS, PTR, QTYPE, RDMAP, RR, SOA, SRV, TXT, A, DNSLabel
from dnslib.dns import RD

MAX_LABEL, MAX_NAME = 63, 255
_OCTAL = re.compile(rb"\\([0-7]{3})")
_NAME_VALUED = {"CNAME": CNAME, "NS": NS, "PTR": PTR}


class InvalidValue(ValueError):
    """A stored name or value Route 53 would have refused (moto stores anything)."""


def _unescape(raw: bytes) -> bytes:
    raw = _OCTAL.sub(lambda m: bytes([int(m.group(1), 8) & 0xFF]), raw)
    return re.sub(rb"\\(.)", rb"\1", raw)


def labels(text: str) -> tuple[bytes, ...]:
    """``"WWW.Example.com."`` → ``(b"WWW", b"Example", b"com")``; raises InvalidValue for an impossible name."""
    raw = text.strip().encode("utf-8")
    if raw.endswith(b".") and not raw.endswith(b"\\."):
        raw = raw[:-1]
    if not raw:
        return ()
    parts = tuple(_unescape(part) for part in re.split(rb"(?<!\\)\.", raw))
    if any(not part or len(part) > MAX_LABEL for part in parts) or sum(len(p) + 1 for p in parts) + 1 > MAX_NAME:
        raise InvalidValue(f"{text!r} is not a domain name")
    return parts


def name_key(name: tuple[bytes, ...]) -> str:
    """Lookup key: DNS names compare ASCII case-insensitively (RFC 4343); bytes kept one-to-one via latin-1."""
    return b".".join(name).lower().decode("latin-1")


def _label(text: str) -> DNSLabel:
    return DNSLabel(labels(text))


def character_strings(value: str) -> list[bytes]:
    """``"v=spf1 -all"`` → ``[b"v=spf1 -all"]``; ``"a" "b"`` → two strings; an unquoted word is one string.
    Strings longer than 255 bytes are split (Route 53 refuses them; moto does not)."""
    raw = value.strip().encode("utf-8")
    strings: list[bytes] = []
    i = 0
    while i < len(raw):
        if raw[i : i + 1].isspace():
            i += 1
            continue
        if raw[i : i + 1] == b'"':
            end = i + 1
            while end < len(raw) and raw[end : end + 1] != b'"':
                end += 2 if raw[end : end + 1] == b"\\" else 1
            if end >= len(raw):
                raise InvalidValue(f"unterminated quoted string in TXT value {value!r}")
            strings.append(_unescape(raw[i + 1 : end]))
            i = end + 1
        else:
            end = i
            while end < len(raw) and not raw[end : end + 1].isspace():
                end += 1
            strings.append(_unescape(raw[i:end]))
            i = end
    chunks = [s[n : n + 255] for s in strings for n in range(0, max(len(s), 1), 255)]
    return chunks or [b""]


def rdata(rtype: str, value: str) -> RD:
    """One Route 53 record value as dnslib RDATA; raises InvalidValue for what Route 53 would refuse."""
    try:
        return _rdata(rtype, value)
    except InvalidValue:
        raise
    except Exception as exc:  # a malformed value: ValueError, IndexError, dnslib's own errors
        raise InvalidValue(f"{rtype} value {value!r} is not valid ({exc})") from None


def _rdata(rtype: str, value: str) -> RD:
    fields = value.split()
    if rtype == "A":
        return A(str(ipaddress.IPv4Address(value.strip())))
    if rtype == "AAAA":
        return AAAA(str(ipaddress.IPv6Address(value.strip())))
    if rtype in _NAME_VALUED:
        if len(fields) != 1:
            raise InvalidValue(f"{rtype} value {value!r} is not one domain name")
        return _NAME_VALUED[rtype](_label(fields[0]))
    if rtype == "MX":
        preference, host = fields
        return MX(_label(host), int(preference))
    if rtype == "SOA":
        mname, rname, *times = fields
        if len(times) != 5:
            raise InvalidValue(f"SOA value {value!r} needs 7 fields: mname rname serial refresh retry expire minimum")
        return SOA(_label(mname), _label(rname), [int(t) for t in times])
    if rtype in ("TXT", "SPF"):
        return TXT(character_strings(value))
    if rtype == "SRV":
        priority, weight, port, target = fields
        return SRV(int(priority), int(weight), int(port), _label(target))
    if rtype == "CAA":
        flags, tag, rest = value.strip().split(None, 2)
        return CAA(int(flags), tag, rest.strip().strip('"'))
    if rtype in RDMAP:  # the rarer types (NAPTR, DS, SSHFP, TLSA, HTTPS…) in their zone-file form
        return RDMAP[rtype].fromZone(fields)
    raise InvalidValue(f"record type {rtype} is not served by the local DNS")


@dataclass(frozen=True)
class Alias:
    zone_id: str  # AliasTarget.HostedZoneId
    target: str  # name_key of AliasTarget.DNSName


@dataclass
class RecordSet:
    owner: tuple[bytes, ...]
    rtype: int
    ttl: int
    rdatas: list[RD] = field(default_factory=list)
    alias: Alias | None = None
    set_identifier: str | None = None
    weight: int | None = None
    failover: str | None = None
    region: str | None = None
    multivalue: bool = False

    def rrs(self, owner: DNSLabel, ttl: int | None = None) -> list[RR]:
        """The records under ``owner`` (the name as the query spelled it, or a wildcard's match)."""
        return [RR(owner, self.rtype, ttl=self.ttl if ttl is None else ttl, rdata=rd) for rd in self.rdatas]


MULTIVALUE_LIMIT = 8  # Route 53 answers a multivalue query with up to eight healthy records


def choose(sets: list[RecordSet], region: str) -> list[RecordSet]:
    """The record sets one name and type answers with, by routing policy (Developer Guide, "Choosing a routing
    policy"). Health checks are not evaluated: every record counts as healthy.

    simple: the record set (moto accepts a second CREATE of the same set; AWS keeps the first)
    weighted: one set, at random in proportion to Weight (all weights 0: equal chances)
    failover: PRIMARY
    multivalue: up to eight sets, in random order
    latency, geolocation and the others: the set in the learner's region if any, else the first
    """
    plain = [s for s in sets if s.set_identifier is None]
    if plain or len(sets) <= 1:
        return (plain or sets)[:1]
    if all(s.multivalue for s in sets):
        return random.sample(sets, min(len(sets), MULTIVALUE_LIMIT))
    weighted = [s for s in sets if s.weight is not None]
    if weighted:
        weights = [max(s.weight or 0, 0) for s in weighted]
        return random.choices(weighted, weights=weights if any(weights) else None)
    primary = [s for s in sets if (s.failover or "").upper() == "PRIMARY"]
    if primary:
        return primary[:1]
    local = [s for s in sets if s.region == region]
    return (local or sets)[:1]


def qtype(name: str) -> int | None:
    """The numeric type of a Route 53 record type name, or None for a name DNS does not know."""
    return QTYPE.reverse.get(name)
