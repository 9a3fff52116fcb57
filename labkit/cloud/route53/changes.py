"""ChangeResourceRecordSets as Route 53 judges a change batch: all its changes in order, against the zone's records,
before any is applied. moto accepts a second CREATE of a record, a DELETE whose values differ from the record's
(research/moto-5.2.5.md §3), and an alias whose HostedZoneId is not its target's; it words a DELETE of a missing
record as InvalidInput about fields the change has.

    batch_problems(zone_id, zone_name, records, changes)   AWS's InvalidChangeBatch messages, [] when it may apply

The messages are AWS's ("Tried to create resource record set [name='www.example.com.', type='A'] but it already
exists", "… but it was not found", "… but the values provided do not match the current values", "Tried to create an
alias that targets d1.cloudfront.net., type A in zone Z3AQBSTGFYJSTF, but the alias target name does not lie within
the target zone"); AWS lists them in one message, in brackets, separated by ", ". A DELETE then a CREATE of the same
record in one batch is allowed: the batch replaces it at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .zones import CLOUDFRONT_ZONE_ID

# A distribution's name: AWS's, and the local cloud's own (cloudfront/models.py names them <id>.cloudfront.localhost)
_DISTRIBUTION_SUFFIXES = (".cloudfront.net", ".cloudfront.localhost")


def _name(text: str) -> str:
    """Compared as Route 53 does: case-insensitive, trailing dot optional, ``\\052`` (as it lists) the same as ``*``."""
    return text.strip().rstrip(".").lower().replace("\\052", "*") + "."


def _values(records: Iterable[Any]) -> tuple[str, ...]:
    return tuple(sorted(str(r.get("Value", "")) if isinstance(r, dict) else str(r) for r in records or ()))


def _record(spec: dict[str, Any]) -> tuple[Any, ...]:
    """What a DELETE must repeat exactly: TTL and values, or the alias target."""
    alias = spec.get("AliasTarget") or {}
    target = (str(alias.get("HostedZoneId", "")).rsplit("/", 1)[-1], _name(str(alias.get("DNSName", ""))),
              str(alias.get("EvaluateTargetHealth", False)).lower()) if alias else None
    ttl = spec.get("TTL")
    return (None if ttl is None else int(ttl), _values(spec.get("ResourceRecords") or ()), target)


def _key(spec: dict[str, Any]) -> tuple[str, str, str | None]:
    return _name(str(spec.get("Name", ""))), str(spec.get("Type", "")).upper(), spec.get("SetIdentifier")


def _alias_problem(spec: dict[str, Any], zone_id: str, zone_name: str) -> str | None:
    alias = spec.get("AliasTarget")
    if not alias:
        return None
    target = _name(str(alias.get("DNSName", "")))
    given = str(alias.get("HostedZoneId", "")).rsplit("/", 1)[-1]
    if target.rstrip(".").endswith(_DISTRIBUTION_SUFFIXES):
        wanted: str | None = CLOUDFRONT_ZONE_ID
    elif target == zone_name or target.endswith("." + zone_name):
        wanted = zone_id
    else:
        wanted = None  # another AWS service's endpoint: its zone ids are not known here
    if (wanted is not None and given.upper() != wanted.upper()) or (
            given.upper() == CLOUDFRONT_ZONE_ID and wanted != CLOUDFRONT_ZONE_ID):
        return (f"Tried to create an alias that targets {target}, type {str(spec.get('Type', '')).upper()} in zone "
                f"{given}, but the alias target name does not lie within the target zone")
    return None


def batch_problems(zone_id: str, zone_name: str, records: Iterable[dict[str, Any]],
                   changes: Iterable[dict[str, Any]]) -> list[str]:
    """``records``: the zone's record sets as ResourceRecordSet dicts; ``changes``: the batch's Change dicts."""
    zone_id, zone_name = zone_id.rsplit("/", 1)[-1], _name(zone_name)
    state = {_key(spec): _record(spec) for spec in records}
    problems = []
    for change in changes:
        action, spec = str(change.get("Action", "")).upper(), change.get("ResourceRecordSet") or {}
        key = _key(spec)
        described = f"resource record set [name='{key[0]}', type='{key[1]}']"
        if action in ("CREATE", "UPSERT"):
            problem = _alias_problem(spec, zone_id, zone_name)
            if problem:
                problems.append(problem)
            elif action == "CREATE" and key in state:
                problems.append(f"Tried to create {described} but it already exists")
            else:
                state[key] = _record(spec)
        elif action == "DELETE":
            if key not in state:
                problems.append(f"Tried to delete {described} but it was not found")
            elif state[key] != _record(spec):
                problems.append(f"Tried to delete {described} but the values provided do not match the current values")
            else:
                del state[key]
    return problems
