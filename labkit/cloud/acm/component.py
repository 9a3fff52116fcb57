"""The component that creates the local CA when the cloud starts (users trust it once: make trust) and mounts
the ACM provider, which issues certificates from it."""

from __future__ import annotations

from typing import Any

from ..core.certs import authority
from ..core.component import Component


class CertificateAuthority(Component):
    """Creates (or loads) the local CA when the cloud starts, and answers ACM with it."""

    name = "certificates"

    def providers(self) -> list[Any]:
        from .provider import AcmProvider

        return [AcmProvider(self.cloud)]

    def bind(self) -> None:
        authority(self.cloud.state_dir)

    def health(self) -> dict[str, Any]:
        ca = authority(self.cloud.state_dir)
        return {"status": "ok", "ca": ca.name, "ca_file": str(ca.cert_path),
                "ca_expires": ca.cert.not_valid_after_utc.isoformat()}

    def endpoints(self) -> dict[str, str]:
        return {"local CA (make trust)": str(authority(self.cloud.state_dir).cert_path)}
