"""The WAF: AWS WAFv2 rule evaluation for the local cloud's data planes (CloudFront, API Gateway).

    request.py     WafRequest: what a data plane hands over (raw path and query, ordered headers, body, client IP)
    engine.py      WafEngine.evaluate(web_acl, request, now=…) -> WafDecision (action, rule, labels, response)
    statements.py  match statements; fields.py FieldToMatch and inspection limits; transforms.py text transformations
    detect.py      SQLi/XSS detection (libinjection through libmodsecurity)
    managed.py     the AWS managed rule groups, as rules; ratelimit.py rate-based rules
    resources.py   reading IP sets, regex pattern sets, rule groups and web ACLs (dicts, or the local cloud)
    provider.py    the wafv2 operations moto lacks; component.py WafComponent (provider + shared engine)
    capacity.py    WCU estimates for CheckCapacity

    engine = WafEngine(StaticResources())
    decision = engine.evaluate(web_acl, WafRequest.from_target("GET", "/?q=1'or'1'='1", [("User-Agent", "curl")]))
    decision.action, decision.terminating_rule, decision.labels
"""

from __future__ import annotations

from .engine import BlockResponse, RuleMatch, WafConfigurationError, WafDecision, WafEngine
from .managed import MANAGED_GROUPS, ManagedGroup
from .request import WafRequest
from .resources import CloudResources, StaticResources, from_wire

__all__ = [
    "BlockResponse",
    "CloudResources",
    "MANAGED_GROUPS",
    "ManagedGroup",
    "RuleMatch",
    "StaticResources",
    "WafConfigurationError",
    "WafDecision",
    "WafEngine",
    "WafRequest",
    "from_wire",
]
