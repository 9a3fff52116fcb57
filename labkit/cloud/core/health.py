"""Health of the local cloud: each component reports itself; /_lab/health serves the whole as JSON.

A component is a callable returning at least ``{"status": "ok" | "starting" | "error", ...}``; the cloud is "ok"
only when every component is. Notices are things the user should read once (a snapshot moved aside…).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any


class Health:
    def __init__(self) -> None:
        self._components: dict[str, Callable[[], dict[str, Any]]] = {}
        self.notices: list[str] = []
        self.started = time.time()

    def register(self, name: str, report: Callable[[], dict[str, Any]]) -> None:
        self._components[name] = report

    def notice(self, message: str) -> None:
        self.notices.append(message)

    def document(self) -> dict[str, Any]:
        components = {}
        for name, report in self._components.items():
            try:
                components[name] = report()
            except Exception as exc:  # a broken report is itself a health fact
                components[name] = {"status": "error", "error": str(exc)}
        status = "ok" if all(c.get("status") == "ok" for c in components.values()) else "degraded"
        return {
            "status": status,
            "pid": os.getpid(),
            "uptime_s": round(time.time() - self.started, 1),
            "components": components,
            "notices": self.notices,
        }
