"""The WAF: AWS WAFv2 rule evaluation for the local cloud's data planes (CloudFront, API Gateway).

    request.py     WafRequest: what a data plane hands over (raw path and query, ordered headers, body, client IP)
    engine.py      WafEngine.evaluate(web_acl, request, now=…) -> WafDecision (action, rule, labels, response)
    statements.py  match statements; fields.py FieldToMatch and inspection limits; transforms.py text transformations
    detect.py      SQLi/XSS detection (libinjection through libmodsecurity)
    managed.py     the AWS managed rule groups, as rules; ratelimit.py rate-based rules
    resources.py   reading IP sets, regex pattern sets, rule groups and web ACLs (dicts, or the local cloud)
    models.py      web ACLs, IP sets, regex pattern sets and rule groups as moto holds them
    provider.py    the wafv2 operations moto lacks; component.py WafComponent (provider + shared engine)
    capacity.py    WCU estimates for CheckCapacity

    engine = WafEngine(StaticResources())
    decision = engine.evaluate(web_acl, WafRequest.from_target("GET", "/?q=1'or'1'='1", [("User-Agent", "curl")]))
    decision.action, decision.terminating_rule, decision.labels
"""

from __future__ import annotations

import importlib
from typing import Any

# Imported on first use: the cloud imports this package at its start, and the engine's modules (statements,
# transforms, fields…) are needed only at the first evaluation or web ACL validation.
_EXPORTS = {
    "BlockResponse": "engine", "RuleMatch": "engine", "WafConfigurationError": "engine", "WafDecision": "engine",
    "WafEngine": "engine", "MANAGED_GROUPS": "managed", "ManagedGroup": "managed", "WafRequest": "request",
    "CloudResources": "resources", "StaticResources": "resources", "from_wire": "resources",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
