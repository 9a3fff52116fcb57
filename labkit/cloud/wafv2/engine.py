"""WafEngine: evaluates a web ACL against a request, as AWS WAF does (aws-facts WAFv2).

    WafEngine(resources=…, geo=…).evaluate(web_acl, request, now=…) -> WafDecision
    WafDecision         action (ALLOW | BLOCK | CAPTCHA | CHALLENGE), terminating rule, labels, matches,
                        the response for a block (None: the caller's default page) and headers to insert upstream
    BlockResponse       status, headers, body

Order and actions: rules run by ascending Priority; a rule group's rules run at the group's position, in their own
order (managed groups: the documented order; rule groups: by Priority). Allow and Block end the evaluation, Count
adds the rule's labels and goes on; if nothing ends it the web ACL's DefaultAction applies. A rule-group reference
can override its whole result to Count (``OverrideAction``), single rules (``RuleActionOverrides``, and the older
``ExcludedRules``, which means Count), and skip the group for requests outside its ``ScopeDownStatement``.
A rule's labels are added whenever it matches, whatever its action, and later rules see them (LabelMatch).

Responses: Block answers 403 with no body unless ``CustomResponse`` names a status, headers and a body from the
web ACL's (or rule group's) ``CustomResponseBodies``; then ``response`` carries it, otherwise ``response`` is None
and the data plane renders its own page (CloudFront: cdn/responses.cloudfront_block_page). Allow and Count may insert
request headers (``CustomRequestHandling``); AWS prefixes their names with ``x-amzn-waf-``. CAPTCHA and CHALLENGE
have no token to check here, so they always end the evaluation with AWS's interstitial status (405 and 202) and
``x-amzn-waf-action`` header, and a short page saying the puzzle is not served locally.

Compiled web ACLs are cached by (ARN, LockToken) (the lock token changes on every update) or, for dicts without
them, by their content. Rate-based counts live in the engine, per (web ACL ARN, rule, key).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .context import Evaluation, Resources
from .detect import Detector
from .fields import Limits
from .managed import find as find_managed
from .ratelimit import RateLimiter, RateRule
from .request import WafRequest
from .statements import Statement, compile_statement, probes

TERMINATING = ("Allow", "Block", "Captcha", "Challenge")
CONTENT_TYPES = {"TEXT_PLAIN": "text/plain", "TEXT_HTML": "text/html", "APPLICATION_JSON": "application/json"}
INSERTED_HEADER_PREFIX = "x-amzn-waf-"
_INTERSTITIAL = {"Captcha": 405, "Challenge": 202}


class WafConfigurationError(ValueError):
    """The web ACL (or a rule group it references) cannot be evaluated: a malformed statement, an unknown
    managed rule group. The provider rejects these at CreateWebACL, so a data plane rarely sees one."""


@dataclass
class BlockResponse:
    status: int = 403
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


@dataclass
class RuleMatch:
    """One rule that matched: the ``rule`` path (``Group:Rule`` inside a group), the action applied, and what
    matched (statement type, field, value)."""

    rule: str
    action: str
    detail: dict[str, str] = field(default_factory=dict)


@dataclass
class WafDecision:
    action: str  # ALLOW | BLOCK | CAPTCHA | CHALLENGE
    terminating_rule: str | None = None  # "Rule", or "GroupName:Rule" for a rule inside a (managed) rule group
    terminating_rule_id: str | None = None  # the web ACL's rule (AWS logs: terminatingRuleId); "Default_Action"
    labels: list[str] = field(default_factory=list)
    matches: list[RuleMatch] = field(default_factory=list)
    response: BlockResponse | None = None  # BLOCK/CAPTCHA/CHALLENGE: what to send; None: the caller's default page
    request_headers: list[tuple[str, str]] = field(default_factory=list)  # ALLOW: insert before forwarding

    @property
    def blocked(self) -> bool:
        return self.action != "ALLOW"


@dataclass
class _Rule:
    name: str
    priority: int
    labels: list[str]
    action: dict[str, Any] | None  # RuleAction, or None for a group reference
    statement: Statement | None = None
    rate: RateRule | None = None
    group: _Group | None = None  # referenced rule group (managed or own), with the reference's settings
    override_count: bool = False
    scope_down: Statement | None = None
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Group:
    name: str
    rules: list[_Rule]
    bodies: dict[str, Any]
    arn: str = ""  # own rule groups; managed groups resolve by name


@dataclass
class _Acl:
    arn: str
    rules: list[_Rule]
    default: dict[str, Any]
    bodies: dict[str, Any]
    probes: list[Any]


@dataclass
class _End:
    kind: str  # Allow | Block | Captcha | Challenge
    rule: str
    rule_id: str
    spec: dict[str, Any]
    bodies: dict[str, Any]


class WafEngine:
    """``resources`` reads IP sets, regex pattern sets and rule groups by ARN (resources.py: ``CloudResources``
    reads the local cloud, ``StaticResources`` plain dicts); ``geo`` maps a public IP to a country code."""

    CACHE_SIZE = 64

    def __init__(self, resources: Resources | None = None, *, geo: Callable[[str], str | None] | None = None,
                 detector: Detector | None = None) -> None:
        self.resources = resources
        self.geo = geo or (lambda address: None)
        self.detector = detector or Detector.shared()
        self.rates = RateLimiter()
        self._compiled: OrderedDict[Any, _Acl] = OrderedDict()
        self._groups: dict[tuple[str, ...], _Group] = {}
        self._lock = threading.Lock()

    # -- public ----------------------------------------------------------------------------------------------
    def evaluate(self, web_acl: dict[str, Any], request: WafRequest, *, now: float | None = None,
                 resource_type: str = "CLOUDFRONT") -> WafDecision:
        """The decision for ``request``. ``web_acl`` is the WebACL as boto3 ``get_web_acl`` returns it (with
        its ``LockToken`` added, as CloudResources.web_acl does, it is compiled once per version instead of
        being fingerprinted each time); ``resource_type`` picks the body inspection limit (AssociationConfig);
        ``now`` is the clock for rate-based rules. Raises WafConfigurationError for a web ACL that cannot be
        evaluated, LookupError for a referenced resource that does not exist."""
        acl = self._compile(web_acl)
        ev = Evaluation(request, limits=Limits.for_resource(web_acl, resource_type), resources=self.resources,
                        detector=self.detector, geo=self.geo, now=time.time() if now is None else now)
        ev.prefetch(acl.probes)
        decision = WafDecision(action="ALLOW")
        end = self._run(acl.rules, ev, decision, acl.arn, acl.bodies, group=None)
        if end is None:
            default_kind = next(iter(acl.default))
            end = _End(default_kind, "", "Default_Action", acl.default[default_kind] or {}, acl.bodies)
        self._finish(end, ev, decision)
        return decision

    def check(self, web_acl: dict[str, Any]) -> None:
        """Raise WafConfigurationError if ``web_acl`` could not be evaluated (what the provider rejects)."""
        self._compile(web_acl)

    # -- evaluation ------------------------------------------------------------------------------------------
    def _run(self, rules: list[_Rule], ev: Evaluation, decision: WafDecision, acl_arn: str, bodies: dict[str, Any],
             group: _Group | None, overrides: dict[str, dict[str, Any]] | None = None, outer: str = "",
             counting: bool = False) -> _End | None:
        """Run ``rules`` in order; the first terminating match ends them. ``counting``: the group's result is
        overridden to Count, so that match is recorded as COUNT (its labels stay) and the caller goes on."""
        for rule in rules:
            path = f"{group.name}:{rule.name}" if group else rule.name
            rule_id = outer or rule.name
            if rule.group is not None:
                end = self._run_group(rule, ev, decision, acl_arn)
                if end is not None and not rule.override_count:
                    return end
                continue
            ev.detail = None
            if rule.rate is not None:
                matched = rule.rate.matches(ev, self.rates, (acl_arn, path))
            else:
                matched = rule.statement.match(ev)
            if not matched:
                continue
            for label in rule.labels:
                ev.add_label(label)
            action = (overrides or {}).get(rule.name) or rule.action or {"Count": {}}
            kind = next(iter(action))
            detail = ev.detail.as_dict() if ev.detail else {}
            if kind in TERMINATING:
                if counting:
                    detail["overridden"] = kind.upper()
                decision.matches.append(RuleMatch(path, "COUNT" if counting else kind.upper(), detail))
                return _End(kind, path, rule_id, action[kind] or {}, bodies)
            decision.matches.append(RuleMatch(path, kind.upper(), detail))
            _insert_headers(action[kind] or {}, decision)  # Count
        return None

    def _run_group(self, rule: _Rule, ev: Evaluation, decision: WafDecision, acl_arn: str) -> _End | None:
        own = bool(rule.group.arn)
        # An own rule group is read now: it may have changed since the web ACL was compiled. A managed group's
        # inspections were prefetched with the web ACL's.
        group = self._rule_group(rule.group.arn) if own else rule.group
        if rule.scope_down is not None and not rule.scope_down.match(ev):
            return None
        if own:
            ev.prefetch(p for inner in group.rules for p in probes(inner.statement))
        return self._run(group.rules, ev, decision, acl_arn, group.bodies, group, rule.overrides, outer=rule.name,
                         counting=rule.override_count)

    def _finish(self, end: _End, ev: Evaluation, decision: WafDecision) -> None:
        decision.labels = list(ev.labels)
        decision.terminating_rule = end.rule or None
        decision.terminating_rule_id = end.rule_id
        decision.action = end.kind.upper()
        if end.kind == "Allow":
            _insert_headers(end.spec, decision)
            return
        decision.request_headers = []
        if end.kind in _INTERSTITIAL:
            decision.response = _interstitial(end.kind)
            return
        custom = end.spec.get("CustomResponse")
        if custom:
            decision.response = _custom_response(custom, end.bodies)

    # -- compiling -------------------------------------------------------------------------------------------
    def _compile(self, web_acl: dict[str, Any]) -> _Acl:
        key = (web_acl.get("ARN"), web_acl.get("LockToken"))
        if None in key:
            key = json.dumps(web_acl, sort_keys=True, default=repr)
        with self._lock:
            found = self._compiled.get(key)
            if found is not None:
                self._compiled.move_to_end(key)
                return found
        arn = web_acl.get("ARN") or f"local:{web_acl.get('Name', 'web-acl')}"
        namespace = web_acl.get("LabelNamespace") or _namespace(arn, "webacl", web_acl.get("Name", ""))
        try:
            rules = [self._compile_rule(spec, namespace) for spec in sorted(web_acl.get("Rules") or (),
                                                                             key=lambda r: r.get("Priority", 0))]
            default = _one_action(web_acl.get("DefaultAction") or {"Allow": {}})
        except (ValueError, KeyError, TypeError, re.error) as exc:
            raise WafConfigurationError(f"web ACL {web_acl.get('Name', arn)}: {exc}") from exc
        found_probes = []
        for rule in rules:
            found_probes.extend(probes(rule.statement))
            found_probes.extend(probes(rule.scope_down or (rule.rate.scope_down if rule.rate else None)))
            if rule.group is not None and not rule.group.arn:
                found_probes.extend(p for inner in rule.group.rules for p in probes(inner.statement))
        acl = _Acl(arn, rules, default, web_acl.get("CustomResponseBodies") or {}, found_probes)
        with self._lock:
            self._compiled[key] = acl
            while len(self._compiled) > self.CACHE_SIZE:
                self._compiled.popitem(last=False)
        return acl

    def _compile_rule(self, spec: dict[str, Any], namespace: str) -> _Rule:
        name = spec["Name"]
        labels = [namespace + label["Name"] for label in spec.get("RuleLabels") or ()]
        rule = _Rule(name, spec.get("Priority", 0), labels, _one_action(spec["Action"]) if spec.get("Action") else None)
        statement = {k: v for k, v in spec["Statement"].items() if v is not None}
        (kind,) = statement
        body = statement[kind]
        if kind == "RateBasedStatement":
            rule.rate = RateRule(body)
        elif kind in ("ManagedRuleGroupStatement", "RuleGroupReferenceStatement"):
            if kind == "ManagedRuleGroupStatement":
                rule.group = self._managed_group(body["VendorName"], body["Name"])
            else:
                rule.group = _Group(body["ARN"].split("/")[-2], [], {}, arn=body["ARN"])
            override = spec.get("OverrideAction") or {"None": {}}
            rule.override_count = "Count" in override
            scope = body.get("ScopeDownStatement")
            rule.scope_down = compile_statement(scope) if scope else None
            rule.overrides = {excluded["Name"]: {"Count": {}} for excluded in body.get("ExcludedRules") or ()}
            for override_spec in body.get("RuleActionOverrides") or ():
                rule.overrides[override_spec["Name"]] = _one_action(override_spec["ActionToUse"])
        else:
            rule.statement = compile_statement(statement)
        return rule

    def _managed_group(self, vendor: str, name: str) -> _Group:
        with self._lock:
            cached = self._groups.get((vendor, name))
        if cached is not None:
            return cached
        managed = find_managed(vendor, name)
        if managed is None:
            raise ValueError(f"no managed rule group {vendor}/{name} in the local cloud")
        group = _Group(name, [self._compile_rule(spec, managed.label_namespace) for spec in managed.rules], {})
        with self._lock:
            self._groups[(vendor, name)] = group
        return group

    def _rule_group(self, arn: str) -> _Group:
        if self.resources is None:
            raise LookupError(f"no resources to read the rule group {arn}")
        spec = self.resources.rule_group(arn)
        key = ("rulegroup", arn, spec.get("LockToken") or json.dumps(spec, sort_keys=True, default=repr))
        with self._lock:
            cached = self._groups.get(key)
        if cached is not None:
            return cached
        namespace = spec.get("LabelNamespace") or _namespace(arn, "rulegroup", spec.get("Name", ""))
        try:
            rules = [self._compile_rule(rule, namespace) for rule in sorted(spec.get("Rules") or (),
                                                                           key=lambda r: r.get("Priority", 0))]
        except (ValueError, KeyError, TypeError, re.error) as exc:
            raise WafConfigurationError(f"rule group {spec.get('Name', arn)}: {exc}") from exc
        group = _Group(spec.get("Name", arn), rules, spec.get("CustomResponseBodies") or {})
        with self._lock:
            for stale in [k for k in self._groups if k[0] == "rulegroup" and k[1] == arn]:
                del self._groups[stale]  # keep only the current version of each rule group
            self._groups[key] = group
        return group


def _one_action(action: dict[str, Any]) -> dict[str, Any]:
    present = {k: v for k, v in action.items() if v is not None}
    if len(present) != 1:
        raise ValueError(f"an action must name exactly one of Allow, Block, Count, Captcha, Challenge: {action}")
    return present


def _namespace(arn: str, kind: str, name: str) -> str:
    """``awswaf:<account>:webacl:<name>:`` (or ``rulegroup``), the prefix of a rule's own labels."""
    parts = arn.split(":")
    account = parts[4] if len(parts) > 4 else "000000000000"
    return f"awswaf:{account}:{kind}:{name}:"


def _insert_headers(spec: dict[str, Any], decision: WafDecision) -> None:
    handling = spec.get("CustomRequestHandling") or {}
    for header in handling.get("InsertHeaders") or ():
        decision.request_headers.append((INSERTED_HEADER_PREFIX + header["Name"], header["Value"]))


def _custom_response(custom: dict[str, Any], bodies: dict[str, Any]) -> BlockResponse:
    response = BlockResponse(status=int(custom.get("ResponseCode", 403)))
    for header in custom.get("ResponseHeaders") or ():
        response.headers.append((header["Name"], header["Value"]))
    key = custom.get("CustomResponseBodyKey")
    if key:
        body = bodies.get(key)
        if body is None:
            raise WafConfigurationError(f"CustomResponseBodyKey {key!r} names no CustomResponseBodies entry")
        response.headers.append(("Content-Type", CONTENT_TYPES.get(body.get("ContentType", ""), "text/plain")))
        response.body = body.get("Content", "").encode("utf-8")
    return response


def _interstitial(kind: str) -> BlockResponse:
    word = kind.lower()
    body = (f"<!DOCTYPE html><html><head><title>AWS WAF {word}</title></head><body><p>This request needs a "
            f"{word} (AWS WAF {kind} action). The local cloud does not serve the {word} puzzle.</p></body></html>")
    return BlockResponse(status=_INTERSTITIAL[kind], headers=[("x-amzn-waf-action", word),
                                                              ("Content-Type", "text/html")], body=body.encode())


__all__ = ["BlockResponse", "RuleMatch", "WafConfigurationError", "WafDecision", "WafEngine"]
