"""WafComponent: the WAF in the local cloud. It binds no port: it contributes the wafv2 provider and one shared
engine that the data planes evaluate requests with.

    waf = next(c for c in cloud.components if isinstance(c, WafComponent))
    decision = waf.engine.evaluate(waf.resources.web_acl(web_acl_arn), request)
"""

from __future__ import annotations

from typing import Any

import libmodsecurity

from ..component import Component
from .engine import WafEngine
from .managed import MANAGED_GROUPS
from .provider import WafProvider
from .resources import CloudResources


class WafComponent(Component):
    name = "waf"

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self.resources = CloudResources()
        self.engine = WafEngine(self.resources)

    def providers(self) -> list[Any]:
        return [WafProvider(self.cloud)]

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "libmodsecurity": libmodsecurity.__version__,
                "managed_rule_groups": sorted(name for _, name in MANAGED_GROUPS)}
