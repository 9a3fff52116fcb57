"""Mounts the STS provider: temporary credentials in the caller's account."""

from __future__ import annotations

from typing import Any

from ..core.component import Component


class SecurityTokens(Component):
    name = "sts"

    def providers(self) -> list[Any]:
        from .provider import StsProvider

        return [StsProvider(self.cloud)]
