"""Wire code shared by the validators: each probe speaks one real protocol and returns what it saw.

    dns_query(name, rtype, server, port)     an authoritative DNS answer (dnspython), UDP or TCP
    tls_handshake(host, port, server_name)   the peer's certificate chain and the handshake's verdict
    http_request(method, url, …)             an HTTP(S) exchange; *.localhost names are dialled on loopback
    flood(url, count, …)                      many GETs over a few kept-alive connections (optionally pipelined):
                                              their status codes

Failures raise ProbeError with the fields that explain them, so a check can turn them into a hint.
"""

from __future__ import annotations

import concurrent.futures
import functools
import http.client
import http.cookiejar
import ipaddress
import socket
import ssl
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import httptools
import requests
import requests.adapters
from cryptography import x509

FLOOD_AGENT = "labkit-validator"


class ProbeError(Exception):
    """``alert``: the TLS alert the peer ended a handshake with (``unrecognized_name``…), '' for any other failure."""

    def __init__(self, what: str, target: str, reason: str, alert: str = "") -> None:
        super().__init__(f"{what} {target}: {reason}")
        self.what, self.target, self.reason, self.alert = what, target, reason, alert


@dataclass
class DnsAnswer:
    rcode: str
    authoritative: bool
    records: list[tuple[str, str, int, str]] = field(default_factory=list)  # (name, type, ttl, value)
    authority: list[tuple[str, str, int, str]] = field(default_factory=list)

    def values(self, rtype: str) -> list[str]:
        return [value for _, kind, _, value in self.records if kind == rtype]


def dns_query(name: str, rtype: str, server: str = "127.0.0.1", port: int = 53, *, tcp: bool = False,
              timeout: float = 3.0) -> DnsAnswer:
    query = dns.message.make_query(name, rtype)
    try:
        send = dns.query.tcp if tcp else dns.query.udp
        response = send(query, server, port=port, timeout=timeout)
    except (dns.exception.DNSException, OSError) as exc:
        raise ProbeError("DNS query", f"{name} {rtype} @{server}:{port}", str(exc) or type(exc).__name__) from exc

    def flatten(section: list[Any]) -> list[tuple[str, str, int, str]]:
        return [(rrset.name.to_text(), dns.rdatatype.to_text(rrset.rdtype), rrset.ttl, rdata.to_text())
                for rrset in section for rdata in rrset]

    return DnsAnswer(dns.rcode.to_text(response.rcode()), bool(response.flags & dns.flags.AA),
                     flatten(response.answer), flatten(response.authority))


@dataclass
class Handshake:
    verified: bool
    error: str
    chain: list[x509.Certificate]
    version: str

    @property
    def leaf(self) -> x509.Certificate:
        return self.chain[0]

    def names(self) -> list[str]:
        try:
            san = self.leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            return []
        return san.get_values_for_type(x509.DNSName)


def tls_handshake(host: str, port: int, server_name: str, *, cafile: str | None = None,
                  timeout: float = 5.0) -> Handshake:
    """Handshake with SNI ``server_name``; verification is judged, not required, so a failure still shows the chain."""
    verifying = ssl.create_default_context(cafile=cafile)
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw, \
                verifying.wrap_socket(raw, server_hostname=server_name) as tls:
            return Handshake(True, "", _chain(tls), tls.version() or "")
    except ssl.SSLCertVerificationError as exc:
        error = exc.verify_message or str(exc)
    except ssl.SSLError as exc:
        raise ProbeError("TLS handshake", f"{server_name} at {host}:{port}", str(exc), _alert(exc)) from exc
    except OSError as exc:
        raise ProbeError("TLS handshake", f"{server_name} at {host}:{port}", str(exc)) from exc
    lenient = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    lenient.check_hostname, lenient.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection((host, port), timeout=timeout) as raw, \
            lenient.wrap_socket(raw, server_hostname=server_name) as tls:
        return Handshake(False, error, _chain(tls), tls.version() or "")


def _alert(exc: ssl.SSLError) -> str:
    """The alert a peer sent, by its RFC 8446 name: OpenSSL reports a received alert as a reason such as
    TLSV1_UNRECOGNIZED_NAME or SSLV3_ALERT_HANDSHAKE_FAILURE; a failure on our side has another reason."""
    reason = getattr(exc, "reason", None) or ""
    for prefix in ("TLSV13_ALERT_", "TLSV1_ALERT_", "SSLV3_ALERT_", "TLSV1_"):
        if reason.startswith(prefix):
            return reason[len(prefix):].lower()
    return ""


def _chain(tls: ssl.SSLSocket) -> list[x509.Certificate]:
    getter = getattr(tls, "get_unverified_chain", None)  # Python 3.13+
    if getter:
        return [x509.load_der_x509_certificate(der) for der in getter()]
    return [x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))]


def http_request(method: str, url: str, *, cafile: str | bool | None = None, source_address: str | None = None,
                 **kwargs: Any) -> requests.Response:
    """One HTTP(S) request without following redirects; ``*.localhost`` resolves to loopback (RFC 6761).
    ``source_address`` sends it from another local address (127.0.0.2…), so what the server keys on the client's
    address (a WAF rate rule) does not count it as the learner's own traffic. Requests share kept-alive
    connections, as a browser's do: a TLS handshake per probe would cost the edge more than the probe."""
    from labkit import resolver

    resolver.install()
    kwargs.setdefault("timeout", 10)
    kwargs.setdefault("allow_redirects", False)
    loopback = _is_loopback(urllib.parse.urlsplit(url).hostname or "")
    session = _shared_session(loopback) if source_address is None else _source_session(source_address)
    try:
        return session.request(method, url, verify=True if cafile is None else cafile, **kwargs)
    except requests.RequestException as exc:
        raise ProbeError(f"HTTP {method}", url, str(exc)) from exc
    finally:
        if source_address is not None:
            session.close()


def _is_loopback(host: str) -> bool:
    from labkit import resolver

    if resolver.is_localhost(host):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@functools.lru_cache(maxsize=2)
def _shared_session(loopback: bool) -> requests.Session:
    """One session for every probe of the process (a class's learners included): connections per host, no
    cookies kept (what one probe was sent must not ride along on the next). For loopback (the local cloud) it
    ignores the environment: a proxy setting must not send local probes away, and reading the proxy variables on
    every call is a third of requests' own cost per call."""
    session = requests.Session()
    session.trust_env = not loopback
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    adapter = requests.adapters.HTTPAdapter(pool_connections=256, pool_maxsize=16)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _source_session(source_address: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # only loopback has other local source addresses
    session.mount("https://", _SourceAdapter(source_address))
    session.mount("http://", _SourceAdapter(source_address))
    return session


def flood(url: str, count: int, *, cafile: str | None = None, source_address: str | None = None,
          connections: int = 8, pipelined: bool = False) -> list[int]:
    """``count`` GETs of ``url`` over ``connections`` kept-alive connections at once; their status codes, in order
    per connection. Plain http.client, not requests: a rate-based rule counts requests, and requests' own per-call
    work would cost more than the server's (a class's grading floods once per learner). ``pipelined``: each
    connection writes all its requests at once and reads the answers as they come (HTTP/1.1 pipelining, which the
    local edge serves in order); httptools splits them, so the flood costs a fraction of one exchange per request."""
    from labkit import resolver

    resolver.install()
    parts = urllib.parse.urlsplit(url)
    context = ssl.create_default_context(cafile=cafile)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    shares = [count // connections + (n < count % connections) for n in range(connections)]
    one_connection = _pipelined_gets if pipelined else _sequential_gets

    def run(share: int) -> list[int]:
        try:
            return one_connection(parts, target, share, context, source_address)
        except (OSError, http.client.HTTPException, httptools.HttpParserError) as exc:
            raise ProbeError("HTTP GET", url, str(exc) or type(exc).__name__) from exc

    with concurrent.futures.ThreadPoolExecutor(connections) as pool:
        return [status for statuses in pool.map(run, [n for n in shares if n]) for status in statuses]


def _sequential_gets(parts: urllib.parse.SplitResult, target: str, count: int, context: ssl.SSLContext,
                     source_address: str | None) -> list[int]:
    conn = http.client.HTTPSConnection(parts.hostname, parts.port or 443, context=context, timeout=10,
                                       source_address=(source_address, 0) if source_address else None)
    statuses = []
    try:
        for _ in range(count):
            conn.request("GET", target, headers={"User-Agent": FLOOD_AGENT})
            answer = conn.getresponse()
            answer.read()
            statuses.append(answer.status)
    finally:
        conn.close()
    return statuses


def _pipelined_gets(parts: urllib.parse.SplitResult, target: str, count: int, context: ssl.SSLContext,
                    source_address: str | None) -> list[int]:
    statuses: list[int] = []

    class Answers:  # httptools calls these as it parses; one on_message_complete per response
        def on_message_complete(self) -> None:
            statuses.append(parser.get_status_code())

    parser = httptools.HttpResponseParser(Answers())
    request = (f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: {FLOOD_AGENT}\r\n\r\n").encode()
    raw = socket.create_connection((parts.hostname, parts.port or 443), timeout=10,
                                   source_address=(source_address, 0) if source_address else None)
    with context.wrap_socket(raw, server_hostname=parts.hostname) as conn:
        conn.sendall(request * count)
        while len(statuses) < count:
            data = conn.recv(256 * 1024)
            if not data:
                raise ConnectionError(f"the server closed the connection after {len(statuses)} of {count} answers")
            parser.feed_data(data)
    return statuses


class _SourceAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, source_address: str) -> None:
        self._source = (source_address, 0)
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = self._source
        super().init_poolmanager(*args, **kwargs)
