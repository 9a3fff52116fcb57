"""The edge: every public name of the local cloud on one HTTPS port (chosen by SNI) and one HTTP port.

    Site             what a data plane serves for a name: a WSGI app, its TLS identity, its HTTP policy
    SiteRegistry     resolvers ``fn(host) -> Site | None`` added by data planes; answers cached per cloud generation
    Edge             the component: HTTPS on cfg.ports["https"], HTTP on cfg.ports["http"]
    edge_of(cloud)   the cloud's Edge, for data planes: ``edge_of(self.cloud).add_resolver(self.site_for)``
    KIT_NAMES        the kit's own wildcard names; ``Edge.kit_certificate()`` is a local-CA leaf for them

A request: the TLS handshake asks the registry for the SNI name and switches to that site's SSLContext (an unknown
name, or no SNI, gets the kit's *.cloudfront.localhost certificate, as CloudFront presents its default one to a name
no distribution lists) → uvicorn parses HTTP → size limits (CloudFront's: 413 and the connection closed) → the Host
header picks the site → its WSGI app runs on a worker thread. On the HTTP port the site's policy decides: serve,
301 to HTTPS, or 403, as CloudFront's viewer protocol policies do.

Server stack (wsgi_on_uvicorn.py): uvicorn (httptools, keep-alive) on one asyncio thread; WSGI apps run on a
thread pool. Measured here on a small GET over TLS: werkzeug's threaded server ~70 requests/s (it closes every
connection, waits 10 ms for leftovers, and handshakes on its accept thread, so one silent client stalls the port);
uvicorn ~1,200 with uvicorn's own WSGI adapter; this edge ~2,100-2,250, 0.57-0.65 of bare uvicorn (bench/edge.py).
Resolvers run on the event loop during handshakes (SNI): they must answer from memory, quickly.
"""

from __future__ import annotations

import asyncio
import asyncio.sslproto
import functools
import logging
import os
import re
import ssl
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from . import certs
from .component import Component
from .wsgi_on_uvicorn import (
    START_TIMEOUT,
    BodyTooLarge,
    Outbox,
    UvicornServer,
    WSGIApp,
    emit_simple,
    read_body,
    request_target,
    run_wsgi,
    tcp_socket,
    uvicorn_config,
    wsgi_environ,
)

log = logging.getLogger("labkit.cloud.core.edge")

KIT_NAMES = ("*.cloudfront.localhost", "*.execute-api.localhost")
POLICIES = ("allow-all", "redirect-to-https", "https-only")  # CloudFront's ViewerProtocolPolicy values
# "The maximum length of a request, including the path, the query string (if any), and headers, is 20,480 bytes.
# … The maximum length of this URL is 8192 bytes. If a request or a URL exceeds these maximums, CloudFront returns
# HTTP status code 413, Request Entity Too Large, to the viewer, and then terminates the TCP connection"
# (CloudFront developer guide, request and response behavior for custom origins).
MAX_REQUEST_BYTES = 20_480
MAX_URL_BYTES = 8_192
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload quota (10 MB); bodies are read whole before the app runs
APP_WORKERS = 32  # concurrent WSGI calls (a Lambda integration may block up to 29 s)

_HOST_RE = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?")


@dataclass(frozen=True)
class Site:
    """A site on the edge. ``tls`` is a local-CA leaf (certs.Leaf: chain and key PEM) or a ready SSLContext."""

    app: WSGIApp
    tls: certs.Leaf | ssl.SSLContext
    http_policy: str = "redirect-to-https"

    def __post_init__(self) -> None:
        if self.http_policy not in POLICIES:
            raise ValueError(f"http_policy {self.http_policy!r} is not one of {', '.join(POLICIES)}")


Resolver = Callable[[str], "Site | None"]


class SiteRegistry:
    """Which site answers a host name. Resolvers are asked in the order added; the first Site wins.

    Answers are cached until the cloud's generation changes (any state-changing API call) or a resolver's epoch
    does (a change that comes with time, not with a call: a distribution's deploy completing), so a resolver may
    read moto's state without being called on every handshake. A resolver that raises is logged and counts as None.
    """

    def __init__(self, generation: Callable[[], int] = lambda: 0) -> None:
        self._generation = generation
        self._resolvers: list[Resolver] = []
        self._epochs: list[Callable[[], Any]] = []
        self._lock = threading.Lock()
        self._cache: dict[str, Site | None] = {}
        self._cache_generation: tuple[Any, ...] | None = None
        self._contexts: dict[certs.Leaf, ssl.SSLContext] = {}

    def add_resolver(self, resolver: Resolver, epoch: Callable[[], Any] | None = None) -> None:
        with self._lock:
            self._resolvers.append(resolver)
            if epoch is not None:
                self._epochs.append(epoch)
            self._cache.clear()

    def remove_resolver(self, resolver: Resolver) -> None:
        with self._lock:
            self._resolvers.remove(resolver)
            self._cache.clear()

    def resolve(self, host: str) -> Site | None:
        host = host.rstrip(".").lower()
        with self._lock:
            generation = (self._generation(), *(epoch() for epoch in self._epochs))
            if generation != self._cache_generation or len(self._cache) > 4096:
                self._cache.clear()
                self._cache_generation = generation
            if host in self._cache:
                return self._cache[host]
            resolvers = list(self._resolvers)
        site = None
        for resolver in resolvers:
            try:
                site = resolver(host)
            except Exception:
                log.exception("site resolver %r failed for %s", resolver, host)
                continue
            if site is not None:
                break
        with self._lock:
            self._cache[host] = site
        return site

    def context(self, site: Site) -> ssl.SSLContext:
        """The server SSLContext for a site (built once per certificate)."""
        if isinstance(site.tls, ssl.SSLContext):
            return site.tls
        with self._lock:
            if site.tls not in self._contexts:
                self._contexts[site.tls] = _server_context(site.tls)
            return self._contexts[site.tls]


def _base_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # CloudFront's TLSv1.2_2021 security policy floor
    context.set_alpn_protocols(["http/1.1"])
    return context


def _server_context(leaf: certs.Leaf) -> ssl.SSLContext:
    context = _base_context()
    # load_cert_chain reads files only: write both to a private temporary folder for the moment it takes.
    with tempfile.TemporaryDirectory(prefix="labkit-edge-") as folder:
        chain, key = os.path.join(folder, "chain.pem"), os.path.join(folder, "key.pem")
        with open(chain, "wb") as handle:
            handle.write(leaf.fullchain_pem)
        with open(os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            handle.write(leaf.key_pem)
        context.load_cert_chain(chain, key)
    return context


class Edge(Component):
    name = "edge"
    port_settings = ("https", "http")

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self.registry = SiteRegistry(lambda: getattr(cloud, "generation", 0))
        self._sockets: dict[str, Any] = {}
        self._servers: dict[str, UvicornServer] = {}
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._pool: ThreadPoolExecutor | None = None

    # -- the API for data planes -------------------------------------------------------------------------------
    def add_resolver(self, resolver: Resolver, epoch: Callable[[], Any] | None = None) -> None:
        """Serve the names ``resolver(host)`` answers with a Site (host: lower case, no port, no trailing dot);
        ``epoch()`` changes whenever its answers may change without an API call."""
        self.registry.add_resolver(resolver, epoch)

    def certificate(self, *names: str) -> certs.Leaf:
        """A local-CA leaf for ``names``, issued once per name set."""
        return certs.authority(self.cloud.state_dir).leaf(names)

    def kit_certificate(self) -> certs.Leaf:
        """The leaf for the kit's own names: ``*.cloudfront.localhost`` and ``*.execute-api.localhost``."""
        return self.certificate(*KIT_NAMES)

    @functools.cached_property
    def _default_context(self) -> ssl.SSLContext:
        return _server_context(self.kit_certificate())

    def url(self, host: str, path: str = "/") -> str:
        """The HTTPS URL of ``host`` on this edge (port included unless it is 443)."""
        port = self.ports.get("https", self.cloud.cfg.ports["https"])
        return f"https://{host}{'' if port == 443 else f':{port}'}{path}"

    # -- lifecycle -----------------------------------------------------------------------------------------------
    def bind(self) -> None:
        certs.authority(self.cloud.state_dir)  # the CA exists from the first start on: make trust needs it
        for setting in self.port_settings:
            self._sockets[setting] = tcp_socket(setting, self.cloud.cfg.ports[setting])
            self.ports[setting] = self._sockets[setting].getsockname()[1]

    def start(self) -> None:
        _send_tls_alerts()
        self._pool = ThreadPoolExecutor(APP_WORKERS, thread_name_prefix="edge-app")
        listening = _base_context()
        listening.sni_callback = self._on_sni
        for setting, secure in (("https", True), ("http", False)):
            config = uvicorn_config(EdgeApp(self, secure=secure),
                                    ssl_context_factory=(lambda c, d: listening) if secure else None)
            self._servers[setting] = UvicornServer(config)
        self._thread = threading.Thread(target=self._run, name="edge-listener", daemon=True)
        self._thread.start()
        for setting, server in self._servers.items():
            if not server.ready.wait(START_TIMEOUT) or self._error is not None:
                raise RuntimeError(f"the edge's {setting} listener did not start: {self._error!r}")

    def _run(self) -> None:
        async def serve_all() -> None:
            await asyncio.gather(*(server.serve(sockets=[self._sockets[name]]) for name, server in self._servers.items()))

        loop = asyncio.new_event_loop()  # asyncio's own (not uvloop): _send_tls_alerts() patches its TLS layer
        try:
            loop.run_until_complete(serve_all())
        except BaseException as exc:  # reported by start(), or by health() later
            self._error = exc
            log.exception("the edge stopped")
            for server in self._servers.values():
                server.ready.set()  # start() is waiting: let it see the error now
        finally:
            loop.close()

    def stop(self) -> None:
        for server in self._servers.values():
            server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        for sock in self._sockets.values():
            sock.close()

    def health(self) -> dict[str, Any]:
        alive = self._thread is not None and self._thread.is_alive() and self._error is None
        return {"status": "ok" if alive else "error", "ports": self.ports,
                **({"error": repr(self._error)} if self._error else {})}

    def endpoints(self) -> dict[str, str]:
        return {"https edge": f"https://*.localhost:{self.ports.get('https')}",
                "http edge": f"http://*.localhost:{self.ports.get('http')}"}

    # -- TLS -------------------------------------------------------------------------------------------------------
    def _on_sni(self, sock: ssl.SSLObject, server_name: str | None, _context: ssl.SSLContext) -> int | None:
        """OpenSSL's servername callback: switch to the site's context; else the kit's own (see the module doc)."""
        try:
            site = self.registry.resolve(server_name) if server_name else None
            sock.context = self.registry.context(site) if site is not None else self._default_context
            return None
        except Exception:  # an exception here would only print "ignored": say it and fail the handshake
            log.exception("choosing a certificate for %r failed", server_name)
            return ssl.ALERT_DESCRIPTION_INTERNAL_ERROR


def _send_tls_alerts() -> None:
    """Make asyncio send the TLS alert of a failed handshake (protocol_version…) before it closes the socket:
    asyncio's SSLProtocol closes the transport at once, dropping the alert OpenSSL has just written to its outgoing
    buffer (the client sees a bare EOF). Idempotent; the protocol_version test fails if Python changes this."""
    protocol = asyncio.sslproto.SSLProtocol
    original = protocol._on_handshake_complete
    if getattr(original, "labkit_flushes_alerts", False):
        return

    def on_handshake_complete(self: Any, handshake_exc: BaseException | None) -> None:
        if handshake_exc is not None:
            try:
                self._process_outgoing()
            except Exception:  # the peer may be gone already: nothing to tell it
                pass
        original(self, handshake_exc)

    on_handshake_complete.labkit_flushes_alerts = True  # type: ignore[attr-defined]
    protocol._on_handshake_complete = on_handshake_complete


# -- requests ---------------------------------------------------------------------------------------------------------
class EdgeApp:
    """The ASGI application of one listener: limits, then the site for the Host header, then its WSGI app."""

    def __init__(self, edge: Edge, *, secure: bool) -> None:
        self.edge, self.secure = edge, secure

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        url_bytes = len(request_target(scope))
        if _request_size(scope) > MAX_REQUEST_BYTES or url_bytes > MAX_URL_BYTES:
            await _send(send, *_cloudfront_error(413, "Request Entity Too Large", "Bad request."), close=True)
            return
        try:
            body = await read_body(receive, MAX_BODY_BYTES)
        except BodyTooLarge:
            await _send(send, *_cloudfront_error(413, "Request Entity Too Large", "Bad request."), close=True)
            return
        if body is None:
            return
        loop = asyncio.get_running_loop()
        outbox = Outbox(send, loop)
        failed = await loop.run_in_executor(self.edge._pool, self._respond, scope, body, outbox)
        await outbox.drain()
        if failed:
            raise RuntimeError("the site's application failed after its response started")

    def _respond(self, scope: dict[str, Any], body: bytes, emit: Callable[[dict[str, Any]], None]) -> bool:
        """Runs on a worker thread; returns True if the app failed mid-response (the connection must be cut)."""
        host, port = _host(scope)
        if host is None:
            emit_simple(emit, 400, "text/plain", b"Bad request: the Host header is missing or malformed.\n")
            return False
        site = self.edge.registry.resolve(host)
        if site is None:
            emit_simple(emit, 404, "text/plain", f"No site answers for {host} on the local edge.\n".encode())
            return False
        if not self.secure and site.http_policy == "redirect-to-https":
            target = self.edge.url(host, request_target(scope))
            status, headers, page = _cloudfront_redirect(target)
            emit_simple(emit, status, "text/html", page, headers)
            return False
        if not self.secure and site.http_policy == "https-only":
            # CloudFront answers HTTP on an HTTPS-only behaviour with 403 "Bad request" (AWS knowledge center,
            # "resolve CloudFront bad request error").
            status, headers, page = _cloudfront_error(403, "Forbidden", "Bad request.")
            emit_simple(emit, status, "text/html; charset=iso-8859-1", page, headers)
            return False
        return run_wsgi(site.app, wsgi_environ(scope, body, host, port, self.secure), emit)


def _request_size(scope: dict[str, Any]) -> int:
    """Bytes of the request line and header block as sent (CRLFs included)."""
    query = len(scope["query_string"]) + 1 if scope["query_string"] else 0
    line = len(scope["method"]) + 1 + len(scope["raw_path"]) + query + len(" HTTP/1.1\r\n")
    return line + sum(len(n) + len(v) + 4 for n, v in scope["headers"]) + 2


def _host(scope: dict[str, Any]) -> tuple[str | None, int | None]:
    """The Host header's name (lower case, no trailing dot) and port; (None, None) when missing or malformed."""
    values = [v for n, v in scope["headers"] if n == b"host"]
    if len(values) != 1:
        return None, None
    host, _, port = values[0].decode("latin-1").strip().lower().partition(":")
    host = host.rstrip(".")
    if not _HOST_RE.fullmatch(host) or (port and not port.isdigit()):
        return None, None
    return host, int(port) if port else None


async def _send(send: Callable, status: int, headers: list[tuple[str, str]], body: bytes, *, close: bool) -> None:
    headers = [("content-type", "text/html; charset=iso-8859-1"), ("content-length", str(len(body))), *headers]
    if close:
        headers.append(("connection", "close"))
    await send({"type": "http.response.start", "status": status,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _cloudfront_error(status: int, title: str, reason: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """A CloudFront-generated error page (aws-facts.md, CloudFront: Server, X-Cache, the HTML shape)."""
    page = (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">\n'
        '<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">\n'
        f"<TITLE>ERROR: The request could not be satisfied</TITLE>\n</HEAD><BODY>\n<H1>{status} ERROR</H1>\n"
        f'<H2>The request could not be satisfied.</H2>\n<HR noshade size="1px">\n{reason}\n'
        '<BR clear="all">\n<HR noshade size="1px">\n<PRE>\nGenerated by cloudfront (CloudFront)\n</PRE>\n'
        "<ADDRESS>\n</ADDRESS>\n</BODY></HTML>"
    )
    return status, [("server", "CloudFront"), ("x-cache", "Error from cloudfront")], page.encode("latin-1")


def _cloudfront_redirect(location: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """CloudFront's answer to HTTP on a redirect-to-https behaviour: 301 with Location."""
    page = ("<html>\n<head><title>301 Moved Permanently</title></head>\n<body>\n<center><h1>301 Moved Permanently"
            "</h1></center>\n<hr><center>CloudFront</center>\n</body>\n</html>\n")
    return 301, [("location", location), ("server", "CloudFront")], page.encode()


def edge_of(cloud: Any) -> Edge:
    """The cloud's Edge component; LookupError if the cloud runs none."""
    for component in getattr(cloud, "components", []):
        if isinstance(component, Edge):
            return component
    raise LookupError("this local cloud runs no edge component")
