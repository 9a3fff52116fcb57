"""The HTTPS/HTTP edge over real sockets: SNI, certificates from the local CA, viewer protocol policies, limits, and
bad input that must never take a listener down. The edge runs in-process on a stand-in for the cloud object."""

from __future__ import annotations

import http.client
import socket
import ssl
import types
from pathlib import Path

import pytest

from labkit.cloud.core import certs
from labkit.cloud.core.edge import (KIT_NAMES, MAX_BODY_BYTES, MAX_REQUEST_BYTES, MAX_URL_BYTES, Edge, Site, SiteRegistry,
                                   edge_of)
from labkit.config import Config
from tests.conftest import free_port


def hello(environ, start_response):
    if environ["PATH_INFO"] == "/boom":
        raise RuntimeError("the site broke")
    if environ["PATH_INFO"] == "/big":  # streamed in chunks, more than the edge holds back at once
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return (bytes([n]) * 50_000 for n in range(10))
    body = f"{environ['wsgi.url_scheme']} {environ['SERVER_NAME']} {environ['PATH_INFO']} {environ['QUERY_STRING']}"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body.encode()]


class StandIn:
    """What Edge needs of the LocalCloud: cfg, state_dir, generation, components."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.cfg = Config(state_dir=state_dir, ports={"https": free_port(), "http": free_port(), "dns": 0,
                                                     "gateway": 0, "smtp": 0})
        self.generation = 0
        self.components: list = []


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory):
    cloud = StandIn(tmp_path_factory.mktemp("edge"))
    instance = Edge(cloud)
    cloud.components.append(instance)
    instance.bind()
    instance.start()
    sites = {
        "www.site.localhost": Site(hello, instance.certificate("www.site.localhost"), "redirect-to-https"),
        "secure.site.localhost": Site(hello, instance.certificate("secure.site.localhost"), "https-only"),
        "open.site.localhost": Site(hello, instance.certificate("open.site.localhost"), "allow-all"),
    }
    instance.add_resolver(lambda host: sites.get(host))
    instance.add_resolver(
        lambda host: Site(hello, instance.kit_certificate(), "https-only") if host.endswith(".cloudfront.localhost")
        else None)
    yield instance
    instance.stop()


def ca_context(edge: Edge) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certs.ca_dir(edge.cloud.state_dir) / "ca.pem"))


class EdgeHTTPS(http.client.HTTPSConnection):
    """HTTPS to a name (SNI and certificate check for it) on 127.0.0.1: glibc does not resolve *.localhost."""

    def connect(self) -> None:
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def https_get(edge: Edge, host: str, path: str = "/", headers: dict | None = None) -> http.client.HTTPResponse:
    connection = EdgeHTTPS(host, edge.ports["https"], context=ca_context(edge), timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def raw_exchange(port: int, data: bytes, *, tls_host: str | None = None, edge: Edge | None = None) -> bytes:
    """Send bytes, read until the server closes (or 10 s pass); TLS first when tls_host is given."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    if tls_host:
        sock = ca_context(edge).wrap_socket(sock, server_hostname=tls_host)
    with sock:
        sock.sendall(data)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (socket.timeout, ConnectionResetError, ssl.SSLError):
            pass
        return received


# -- TLS ------------------------------------------------------------------------------------------------------------
def test_handshake_with_sni_verifies_against_the_local_ca(edge: Edge) -> None:
    response = https_get(edge, "www.site.localhost", "/page?x=1")
    assert response.status == 200
    assert response.body == b"https www.site.localhost /page x=1"


def test_one_port_serves_each_name_its_own_certificate(edge: Edge) -> None:
    for host in ("www.site.localhost", "open.site.localhost", "d111.cloudfront.localhost"):
        with socket.create_connection(("127.0.0.1", edge.ports["https"])) as raw:
            with ca_context(edge).wrap_socket(raw, server_hostname=host) as tls:
                sans = [v for k, v in tls.getpeercert()["subjectAltName"]]
        expected = ["*.cloudfront.localhost", "*.execute-api.localhost"] if "cloudfront" in host else [host]
        assert sans == expected


def test_unknown_name_or_no_sni_gets_the_default_certificate(edge: Edge) -> None:
    """As CloudFront presents its default *.cloudfront.net certificate to a name no distribution lists (and to a
    ClientHello without SNI), the edge presents the kit's *.cloudfront.localhost one: the handshake completes, and a
    client checking the name refuses it."""
    with socket.create_connection(("127.0.0.1", edge.ports["https"])) as raw:
        with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
            ca_context(edge).wrap_socket(raw, server_hostname="unknown.localhost")
    context = ca_context(edge)
    context.check_hostname = False
    with socket.create_connection(("127.0.0.1", edge.ports["https"])) as raw:
        with context.wrap_socket(raw) as tls:  # no SNI at all
            assert [v for _, v in tls.getpeercert()["subjectAltName"]] == list(KIT_NAMES)
    assert https_get(edge, "www.site.localhost").status == 200  # the listener is fine


def test_site_with_a_ready_ssl_context(edge: Edge) -> None:
    leaf = edge.certificate("ctx.site.localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    import tempfile

    with tempfile.NamedTemporaryFile() as chain, tempfile.NamedTemporaryFile() as key:
        chain.write(leaf.fullchain_pem), chain.flush(), key.write(leaf.key_pem), key.flush()
        context.load_cert_chain(chain.name, key.name)
    site = Site(hello, context, "allow-all")
    resolver = lambda host: site if host == "ctx.site.localhost" else None  # noqa: E731
    edge.add_resolver(resolver)
    try:
        assert https_get(edge, "ctx.site.localhost").body.startswith(b"https ctx.site.localhost")
    finally:
        edge.registry.remove_resolver(resolver)


def test_keep_alive_serves_several_requests_on_one_connection(edge: Edge) -> None:
    connection = EdgeHTTPS("open.site.localhost", edge.ports["https"], context=ca_context(edge), timeout=10)
    bodies, sockets = [], []
    for path in ("/one", "/two"):
        connection.request("GET", path)
        bodies.append(connection.getresponse().read())
        sockets.append(connection.sock)  # http.client drops the socket when the server says close
    assert bodies == [b"https open.site.localhost /one ", b"https open.site.localhost /two "]
    assert sockets[0] is not None and sockets[0] is sockets[1]
    connection.close()


def test_large_streamed_response_arrives_whole_and_in_order(edge: Edge) -> None:
    body = https_get(edge, "www.site.localhost", "/big").body
    assert body == b"".join(bytes([n]) * 50_000 for n in range(10))


def test_failing_application_gets_500_and_the_listener_lives(edge: Edge) -> None:
    assert https_get(edge, "www.site.localhost", "/boom").status == 500
    assert https_get(edge, "www.site.localhost").status == 200


def test_host_header_for_an_unknown_site_on_a_known_sni_is_404(edge: Edge) -> None:
    response = https_get(edge, "www.site.localhost", headers={"Host": "other.localhost"})
    assert response.status == 404 and response.getheader("Content-Type") == "text/plain"


# -- the HTTP port ---------------------------------------------------------------------------------------------------
def http_get(edge: Edge, host: str, path: str = "/") -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", edge.ports["http"], timeout=10)
    connection.request("GET", path, headers={"Host": host})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def test_http_redirect_to_https_is_301_with_location(edge: Edge) -> None:
    """CloudFront, ViewerProtocolPolicy redirect-to-https: HTTP GETs get 301 with the HTTPS URL in Location."""
    response = http_get(edge, "www.site.localhost:80", "/a/b?c=d")
    assert response.status == 301
    assert response.getheader("Location") == f"https://www.site.localhost:{edge.ports['https']}/a/b?c=d"
    assert response.getheader("Server") == "CloudFront"


def test_http_on_https_only_is_403(edge: Edge) -> None:
    """CloudFront answers HTTP on an https-only behaviour 403 "Bad request" (AWS knowledge center)."""
    response = http_get(edge, "secure.site.localhost")
    assert response.status == 403
    assert response.getheader("X-Cache") == "Error from cloudfront" and b"Bad request." in response.body


def test_http_allow_all_is_served(edge: Edge) -> None:
    response = http_get(edge, "open.site.localhost", "/p")
    assert response.status == 200 and response.body == b"http open.site.localhost /p "


def test_http_unknown_host_is_404_plain(edge: Edge) -> None:
    response = http_get(edge, "nobody.localhost")
    assert response.status == 404 and response.getheader("Content-Type") == "text/plain"


def test_http_request_without_host_is_400(edge: Edge) -> None:
    answer = raw_exchange(edge.ports["http"], b"GET / HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ")


# -- limits and bad input ----------------------------------------------------------------------------------------------
def request_bytes(host: str, size: int, path: str = "/") -> bytes:
    """A GET of exactly ``size`` bytes up to and including the blank line, padded with an X-Pad header."""
    head = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nX-Pad: ".encode()
    pad = size - len(head) - 4
    return head + b"p" * pad + b"\r\n\r\n"


@pytest.mark.parametrize("port_name", ["https", "http"])
def test_request_over_20480_bytes_is_413_and_closed(edge: Edge, port_name: str) -> None:
    """CloudFront: a request (path, query, headers) over 20,480 bytes gets 413 and the TCP connection is closed."""
    host = "open.site.localhost"
    tls = {"tls_host": host, "edge": edge} if port_name == "https" else {}
    at_limit = raw_exchange(edge.ports[port_name], request_bytes(host, MAX_REQUEST_BYTES), **tls)
    assert at_limit.startswith(b"HTTP/1.1 200 ")
    over = raw_exchange(edge.ports[port_name], request_bytes(host, MAX_REQUEST_BYTES + 1), **tls)
    assert over.startswith(b"HTTP/1.1 413 ") and b"connection: close" in over.lower()


def post_bytes(host: str, body_size: int) -> bytes:
    return (f"POST / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: {body_size}\r\n\r\n").encode() + b"b" * body_size


@pytest.mark.parametrize("port_name", ["https", "http"])
def test_body_over_the_limit_is_413_and_closed_then_the_edge_serves_on(edge: Edge, port_name: str) -> None:
    """edge.py: bodies up to API Gateway's payload quota (10 MB) are read whole; past it the edge answers as CloudFront
    does to a request over its limits: 413 Request Entity Too Large, and the TCP connection is closed (CloudFront
    developer guide, request and response behavior)."""
    host = "open.site.localhost"
    tls = {"tls_host": host, "edge": edge} if port_name == "https" else {}
    assert MAX_BODY_BYTES == 10 * 1024 * 1024
    at_limit = raw_exchange(edge.ports[port_name], post_bytes(host, MAX_BODY_BYTES), **tls)
    assert at_limit.startswith(b"HTTP/1.1 200 ")
    over = raw_exchange(edge.ports[port_name], post_bytes(host, MAX_BODY_BYTES + 1), **tls)
    assert over.startswith(b"HTTP/1.1 413 ") and b"connection: close" in over.lower()
    assert b"<H1>413 ERROR</H1>" in over and b"server: cloudfront" in over.lower()  # CloudFront's own error page
    assert https_get(edge, host).status == 200  # the listener lives on


def test_url_over_8192_bytes_is_413(edge: Edge) -> None:
    """CloudFront: the URL it builds from the request may be at most 8,192 bytes, else 413."""
    long_path = "/" + "a" * MAX_URL_BYTES
    assert https_get(edge, "open.site.localhost", long_path).status == 413


@pytest.mark.parametrize("garbage", [
    b"NOT HTTP AT ALL\r\n\r\n",
    b"GET /\xff\xfe HTTP/1.1\r\nHost: open.site.localhost\r\n\r\n",  # bytes that are no URL
    b"GET / HTTP/1.1\r\nHost open.site.localhost\r\n\r\n",  # header without colon
])
def test_malformed_requests_get_400(edge: Edge, garbage: bytes) -> None:
    answer = raw_exchange(edge.ports["http"], garbage)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert http_get(edge, "open.site.localhost").status == 200


@pytest.mark.parametrize("garbage", [
    b"GET / HTTP/1.1\r\nHost: www.site.localhost\r\n\r\n",  # plain HTTP on the TLS port
    b"\x16\x03\x01\x00\x05hello",  # a TLS record header with nonsense inside
    bytes(range(256)) * 4,
])
def test_garbage_on_the_tls_port_then_a_good_request(edge: Edge, garbage: bytes) -> None:
    raw_exchange(edge.ports["https"], garbage)
    assert https_get(edge, "www.site.localhost").status == 200


def test_silent_client_does_not_block_others(edge: Edge) -> None:
    with socket.create_connection(("127.0.0.1", edge.ports["https"])):  # connects, never says a word
        assert https_get(edge, "www.site.localhost").status == 200


# -- registry and component ----------------------------------------------------------------------------------------------
def test_registry_caches_answers_until_the_generation_changes() -> None:
    generation = [0]
    calls: list[str] = []
    registry = SiteRegistry(lambda: generation[0])
    registry.add_resolver(lambda host: calls.append(host))
    registry.resolve("a.localhost"), registry.resolve("A.localhost.")
    assert calls == ["a.localhost"]
    generation[0] += 1
    registry.resolve("a.localhost")
    assert calls == ["a.localhost", "a.localhost"]


def test_registry_asks_again_when_a_resolvers_epoch_moves_without_an_api_call() -> None:
    """A distribution's deploy completes with time (GetDistribution says Deployed at once): a name refused while it
    was InProgress must be served from that moment, not from the next state-changing call."""
    live = [False]
    epoch = [0]
    registry = SiteRegistry(lambda: 0)
    registry.add_resolver(lambda host: "site" if live[0] else None, epoch=lambda: epoch[0])
    assert registry.resolve("www.contact.localhost") is None
    live[0] = True
    assert registry.resolve("www.contact.localhost") is None  # cached: nothing said the answer may have changed
    epoch[0] += 1
    assert registry.resolve("www.contact.localhost") == "site"


def test_failing_resolver_counts_as_no_site() -> None:
    registry = SiteRegistry()
    registry.add_resolver(lambda host: 1 / 0)
    registry.add_resolver(lambda host: "found")
    assert registry.resolve("x.localhost") == "found"


def test_site_rejects_unknown_policy() -> None:
    with pytest.raises(ValueError, match="http_policy"):
        Site(hello, ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER), "sometimes-https")


def test_endpoints_and_lookup(edge: Edge) -> None:
    assert edge.endpoints()["https edge"] == f"https://*.localhost:{edge.ports['https']}"
    assert edge_of(edge.cloud) is edge
    assert edge.health()["status"] == "ok"
    with pytest.raises(LookupError):
        edge_of(types.SimpleNamespace(components=[]))


def test_the_local_cloud_runs_the_edge_and_the_ca(cloud) -> None:
    """In the cloud process: both components healthy, the endpoint named, and no site yet for an unknown name."""
    import requests

    health = requests.get(f"{cloud.cfg.gateway_url}/_lab/health", timeout=10).json()
    assert health["components"]["edge"]["status"] == "ok"
    assert health["components"]["certificates"]["ca"].startswith("Serverless Lab Kit Local CA")
    from labkit import resolver

    resolver.install()  # *.localhost is loopback (RFC 6761), as the kit's probes dial it
    ca = str(certs.ca_dir(cloud.state_dir) / "ca.pem")
    answer = requests.get(f"https://nothing-here.cloudfront.localhost:{cloud.cfg.ports['https']}/", verify=ca,
                          timeout=10)  # the default certificate covers the name; no distribution has it
    assert answer.status_code == 404 and "No site answers for nothing-here.cloudfront.localhost" in answer.text
