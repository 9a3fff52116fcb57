"""The RFC 6761 shim: ``localhost`` and ``*.localhost`` resolve to loopback in this Python process (RFC 6761 §6.3:
name resolution APIs should answer them with loopback themselves), every other name as before."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from labkit import resolver


@pytest.fixture
def shim():
    resolver.install()
    yield resolver
    resolver.uninstall()


def addresses(results: list) -> list[str]:
    return [sockaddr[0] for *_, sockaddr in results]


def test_glibc_alone_does_not_resolve_localhost_subdomains():
    """The reason for the shim (DESIGN.md): without it, a *.localhost name fails here. If this starts to pass,
    the system resolver learned RFC 6761 and the shim is merely redundant."""
    was_installed = resolver.installed()  # labkit.activate() in an earlier test installs it process-wide
    resolver.uninstall()
    try:
        assert not resolver.installed()
        try:
            found = addresses(socket.getaddrinfo("www.contact.localhost", 443))
        except socket.gaierror:
            return
        assert set(found) <= {"127.0.0.1", "::1"}
    finally:
        if was_installed:
            resolver.install()


@pytest.mark.parametrize("name", ["localhost", "www.contact.localhost", "A.B.LocalHost.", "d1.cloudfront.localhost"])
def test_localhost_names_resolve_to_loopback(shim, name):
    v4 = socket.getaddrinfo(name, 443, socket.AF_INET, socket.SOCK_STREAM)
    assert addresses(v4) == ["127.0.0.1"] and v4[0][4] == ("127.0.0.1", 443)
    assert socket.gethostbyname(name) == "127.0.0.1"
    assert socket.gethostbyname_ex(name) == (name, [], ["127.0.0.1"])


def test_unspecified_family_puts_ipv4_first(shim):
    """The local cloud listens on 127.0.0.1 only: IPv4 first spares every connection a refused ::1 attempt."""
    found = addresses(socket.getaddrinfo("api.execute-api.localhost", 80, type=socket.SOCK_STREAM))
    assert found[0] == "127.0.0.1"
    assert set(found) <= {"127.0.0.1", "::1"}


def test_ipv6_family_gets_the_ipv6_loopback(shim):
    if not socket.has_ipv6:
        pytest.skip("no IPv6 in this Python")
    try:
        found = socket.getaddrinfo("www.contact.localhost", 443, socket.AF_INET6, socket.SOCK_STREAM)
    except socket.gaierror:
        pytest.skip("this host has no IPv6 loopback")
    assert addresses(found) == ["::1"]


def test_ports_service_names_types_and_flags_behave_as_for_an_address(shim):
    by_name = socket.getaddrinfo("x.localhost", "https", socket.AF_INET, socket.SOCK_STREAM)
    assert by_name[0][4] == ("127.0.0.1", 443)
    every_type = socket.getaddrinfo("x.localhost", 53, socket.AF_INET)
    plain = socket.getaddrinfo("127.0.0.1", 53, socket.AF_INET)
    assert sorted(every_type) == sorted(plain)
    canonical = socket.getaddrinfo("Site.localhost", 80, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_CANONNAME)
    assert canonical[0][3] == "Site.localhost"
    assert socket.getaddrinfo(b"bytes.localhost", None, socket.AF_INET)[0][4][0] == "127.0.0.1"


def test_other_names_are_untouched(shim):
    assert socket.getaddrinfo("127.0.0.1", 80, socket.AF_INET, socket.SOCK_STREAM)[0][4] == ("127.0.0.1", 80)
    for name in ("notlocalhost", "localhost.example", "example.invalid"):  # RFC 6761 §6.4: .invalid never resolves
        assert not resolver.is_localhost(name)
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.invalid", 80)


def test_install_is_idempotent_and_uninstall_restores():
    original = socket.getaddrinfo, socket.gethostbyname, socket.gethostbyname_ex
    resolver.install()
    patched = socket.getaddrinfo
    resolver.install()
    assert socket.getaddrinfo is patched is not original[0]
    resolver.uninstall()
    assert (socket.getaddrinfo, socket.gethostbyname, socket.gethostbyname_ex) == original
    resolver.uninstall()  # twice is fine
    assert not resolver.installed()


def test_a_later_patch_on_top_survives_uninstall_and_ours_then_passes_names_through():
    original = socket.getaddrinfo
    resolver.install()
    ours = socket.getaddrinfo
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(args[0])
        return ours(*args, **kwargs)

    socket.getaddrinfo = wrapper
    try:
        resolver.uninstall()
        assert socket.getaddrinfo is wrapper
        with pytest.raises(socket.gaierror):
            socket.getaddrinfo("inactive.example.invalid", 80)
        resolver.install()  # on top of the wrapper, which calls the older ours: no loop, the wrapper still runs
        assert socket.getaddrinfo is ours
        assert addresses(socket.getaddrinfo("again.localhost", 80, socket.AF_INET))[0] == "127.0.0.1"
        assert socket.getaddrinfo("127.0.0.1", 80, socket.AF_INET)[0][4] == ("127.0.0.1", 80)
        assert calls == ["inactive.example.invalid", "127.0.0.1"]
        resolver.uninstall()
        assert socket.getaddrinfo is wrapper
        with pytest.raises(socket.gaierror):
            socket.getaddrinfo("www.contact.localhost", 80)  # inactive: the system's answer again
    finally:
        socket.getaddrinfo = original


def test_an_http_client_reaches_a_local_server_by_a_localhost_name(shim):
    """What notebooks do: requests → urllib3 → socket.getaddrinfo, to a server on 127.0.0.1."""

    class Hello(BaseHTTPRequestHandler):
        def do_GET(self):
            body = self.headers["Host"].encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        response = requests.get(f"http://www.contact.localhost:{port}/", timeout=10)
        assert response.status_code == 200 and response.text == f"www.contact.localhost:{port}"
    finally:
        server.shutdown()
        server.server_close()
