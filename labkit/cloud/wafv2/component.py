"""WafComponent: the WAF in the local cloud. It binds no port: it contributes the wafv2 provider and one shared
engine that the data planes evaluate requests with.

    waf = next(c for c in cloud.components if isinstance(c, WafComponent))
    decision = waf.engine.evaluate(waf.resources.web_acl(web_acl_arn), request)
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import libmodsecurity

from ..core.component import Component
from .managed import MANAGED_GROUPS
from .resources import CloudResources

if TYPE_CHECKING:  # pragma: no cover
    from .engine import WafEngine


class WafComponent(Component):
    name = "waf"

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self.resources = CloudResources()
        self._engine: WafEngine | None = None
        self._engine_lock = threading.Lock()

    @property
    def engine(self) -> WafEngine:
        """Made at the first evaluation: its modules are ~1,600 lines the cloud's start need not import."""
        with self._engine_lock:
            if self._engine is None:
                from .engine import WafEngine

                self._engine = WafEngine(self.resources)
            return self._engine

    def providers(self) -> list[Any]:
        from .provider import WafProvider

        return [WafProvider(self.cloud)]

    def filters(self) -> list[Any]:
        from .scope import cloudfront_scope_filter

        return [cloudfront_scope_filter]

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "libmodsecurity": libmodsecurity.__version__,
                "managed_rule_groups": sorted(name for _, name in MANAGED_GROUPS)}
