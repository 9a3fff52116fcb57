"""Route 53 as moto holds it, for the DNS data plane (component.py), which reads the zones and makes new zones
name it.

    route53_zones()              every public hosted zone with its record sets, as plain frozen data
    name_route53_zones(servers)  new zones list these name servers (DelegationSet, NS) and a proper SOA

ChangeResourceRecordSets judges its batch first, as Route 53 does (changes.py): InvalidChangeBatch in AWS's words.

moto stores a new zone's SOA as [{"Value": "<soa>"}] and serves str() of that dict (research/moto-5.2.5.md §3).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from ..moto import LOCK
from ..moto.importhook import if_imported, when_imported
from .changes import batch_problems

# moto stores a new zone's SOA as [{"Value": "<soa>"}] and serves str() of that dict (research/moto-5.2.5.md §3).
_SOA_TIMES = "1 7200 900 1209600 86400"  # serial refresh retry expire minimum: Route 53's own values


@dataclasses.dataclass(frozen=True)
class RecordSetData:
    name: str
    type: str
    ttl: int | None
    values: tuple[str, ...]
    alias_zone_id: str | None = None  # AliasTarget.HostedZoneId, without any /hostedzone/ prefix
    alias_dns_name: str | None = None
    set_identifier: str | None = None
    weight: int | None = None
    failover: str | None = None
    region: str | None = None
    multivalue: bool = False


@dataclasses.dataclass(frozen=True)
class ZoneData:
    id: str  # without the /hostedzone/ prefix
    name: str
    record_sets: tuple[RecordSetData, ...]


def _record_value(value: Any) -> str:
    if isinstance(value, dict):  # moto's own SOA, and anything stored as {"Value": …}
        return str(value.get("Value", ""))
    return str(value)


def _record_set_data(rrset: Any) -> RecordSetData:
    alias = rrset.alias_target or {}
    ttl = rrset.ttl
    try:
        ttl = int(ttl) if ttl is not None else None  # moto keeps the NS TTL as the string "172800"
    except (TypeError, ValueError):
        ttl = None
    weight = rrset.weight
    try:
        weight = int(weight) if weight is not None else None
    except (TypeError, ValueError):
        weight = None
    return RecordSetData(
        name=str(rrset.name),
        type=str(rrset.type or ""),
        ttl=ttl,
        values=tuple(_record_value(v) for v in (rrset.records or [])),
        alias_zone_id=str(alias["HostedZoneId"]).rsplit("/", 1)[-1] if alias.get("HostedZoneId") else None,
        alias_dns_name=str(alias["DNSName"]) if alias.get("DNSName") else None,
        set_identifier=rrset.set_identifier,
        weight=weight,
        failover=rrset.failover,
        region=rrset.region,
        multivalue=str(rrset.multi_value_answer).lower() == "true",
    )


def route53_zones() -> list[ZoneData]:
    """Every public hosted zone of every account, oldest first, with copies of its record sets."""
    models = if_imported("moto.route53.models")
    if models is None:
        return []
    zones: list[ZoneData] = []
    with LOCK:
        for _, per_account in list(models.route53_backends.items()):
            for _, backend in list(per_account.items()):
                for zone in list(backend.zones.values()):
                    if zone.private_zone:
                        continue
                    records = tuple(_record_set_data(rrset) for rrset in zone.rrsets)
                    zones.append(ZoneData(id=str(zone.resource_id), name=str(zone.name), record_sets=records))
    return zones


def _name_zone(zone: Any, name_servers: tuple[str, ...]) -> None:
    apex = str(zone.name).rstrip(".").lower()
    if zone.delegation_set is not None:
        zone.delegation_set.name_servers = list(name_servers)
    for rrset in zone.rrsets:
        if str(rrset.name).rstrip(".").lower() != apex:
            continue
        if rrset.type == "NS":
            rrset.records = [f"{server}." for server in name_servers]  # record values are FQDNs, as AWS lists them
        elif rrset.type == "SOA":
            rrset.records = [f"{name_servers[0]}. hostmaster.{apex}. {_SOA_TIMES}"]


def name_route53_zones(name_servers: list[str]) -> None:
    """From now on, every new hosted zone names these servers: DelegationSet.NameServers, the NS record set, and
    an SOA whose primary is the first of them (moto's fixed awsdns names and dict-shaped SOA replaced). Idempotent:
    calling again replaces the names."""
    global _route53_name_servers
    _route53_name_servers = tuple(name_servers)
    when_imported("moto.route53.models", _patch_route53)


_route53_name_servers: tuple[str, ...] = ()


def _patch_route53(models: Any) -> None:
    original = models.Route53Backend.create_hosted_zone
    if getattr(original, "__kit_route53__", False):
        return

    @functools.wraps(original)
    def create_hosted_zone(self: Any, *args: Any, **kwargs: Any) -> Any:
        zone = original(self, *args, **kwargs)
        _name_zone(zone, _route53_name_servers)
        return zone

    create_hosted_zone.__kit_route53__ = True  # type: ignore[attr-defined]
    models.Route53Backend.create_hosted_zone = create_hosted_zone


def _record_set_spec(rrset: Any) -> dict[str, Any]:
    return {"Name": rrset.name, "Type": rrset.type, "TTL": rrset.ttl, "SetIdentifier": rrset.set_identifier,
            "ResourceRecords": [_record_value(v) for v in rrset.records or ()], "AliasTarget": rrset.alias_target}


def _patch_change_batches(models: Any) -> None:
    original = models.Route53Backend.change_resource_record_sets
    if getattr(original, "__kit_route53__", False):
        return

    @functools.wraps(original)
    def change_resource_record_sets(self: Any, zoneid: str, change_list: list[dict[str, Any]]) -> Any:
        from moto.route53.exceptions import Route53ClientError

        zone = self.get_hosted_zone(zoneid)
        problems = batch_problems(zone.id, zone.name, [_record_set_spec(r) for r in zone.rrsets], change_list)
        if problems:
            raise Route53ClientError("InvalidChangeBatch", f"[{', '.join(problems)}]")
        return original(self, zoneid, change_list)

    change_resource_record_sets.__kit_route53__ = True  # type: ignore[attr-defined]
    models.Route53Backend.change_resource_record_sets = change_resource_record_sets


when_imported("moto.route53.models", _patch_change_batches)
