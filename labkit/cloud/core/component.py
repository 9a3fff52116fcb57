"""The shape of a data plane: what the local cloud process runs besides the gateway and moto.

A component (DNS server, HTTPS edge, mailbox, Lambda runtime…) subclasses ``Component`` and is listed in
``server.COMPONENTS``. The cloud calls, in order: ``bind()`` for every component (ports are taken before anything
starts, so a taken port fails the start cleanly), ``restore()`` with its saved state, ``start()``, and at the end
``stop()``. ``providers()`` and ``routes()`` are mounted on the gateway; ``health()`` is one entry of /_lab/health.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..server import LocalCloud
    from .gateway import AnswerHook, LabRoute, RequestFilter
    from .providers import Provider

# ARN → (owning account, resource policy JSON or None), or None when the resource does not exist
ResourcePolicyFinder = Callable[[str], "tuple[str, str | None] | None"]


class Component:
    name: str = ""
    port_settings: tuple[str, ...] = ()  # keys of config.PORTS this component binds

    def __init__(self, cloud: LocalCloud) -> None:
        self.cloud = cloud
        self.ports: dict[str, int] = {}  # what was actually bound, by port setting

    def providers(self) -> list[Provider]:
        """AWS operations this component answers in place of moto."""
        return []

    def filters(self) -> list[RequestFilter]:
        """Checks the gateway runs on every request before providers and moto; a filter returns
        (status, headers, body) to answer the request itself, or None to let it through."""
        return []

    def answer_hooks(self) -> list[AnswerHook]:
        """Run on every answer the gateway gives (moto's, a provider's, a filter's), last: (environ, status, headers)
        → the headers to send (S3 replaces the blanket CORS headers with its bucket's own)."""
        return []

    def routes(self) -> dict[str, LabRoute]:
        """Pages under /_lab/ (path without the prefix → handler)."""
        return {}

    def bind(self) -> None:
        """Take the listening sockets; raise PortInUse for a taken port."""

    def start(self) -> None:
        """Begin serving (threads), after the snapshot is restored."""

    def stop(self) -> None:
        """Stop serving and release the sockets."""

    def health(self) -> dict[str, Any]:
        return {"status": "ok", **({"ports": self.ports} if self.ports else {})}

    def alias_targets(self) -> set[str]:
        """Domain names a Route 53 alias record may name as its target (a distribution's DomainName), lower case
        without the trailing dot: how DNS learns of another service's names without importing it. Called with
        moto.LOCK held."""
        return set()

    def certificate_users(self) -> dict[str, set[str]]:
        """ACM certificate ARN → ARNs of this service's resources that use it (a distribution's viewer
        certificate): ACM's InUseBy, without ACM importing the services. Called without moto.LOCK held."""
        return {}

    def resource_policies(self) -> dict[str, ResourcePolicyFinder]:
        """IAM action prefix ("s3", "sns") → the finder of that service's resource-based policies: how IAM weighs a
        bucket's or a topic's own policy in a role's request without importing the services. Called without LOCK."""
        return {}

    def endpoints(self) -> dict[str, str]:
        """Human-facing addresses for make up / make status (name → URL or host:port)."""
        return {}

    def snapshot(self) -> Any:
        """State to keep across restarts (picklable), or None; called with moto.LOCK held."""
        return None

    def restore(self, state: Any) -> None:
        """Take back what snapshot() returned before the restart."""
