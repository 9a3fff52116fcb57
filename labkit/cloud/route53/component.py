"""The DNS data plane: an authoritative server for the Route 53 hosted zones, on 127.0.0.1:<LAB_DNS_PORT>,
UDP and TCP.

    DnsServer          the Component: binds both sockets, serves them on threads, reports health
    Route53Resolver    dnslib's resolver interface: ``resolve(request, handler)`` → the reply; the zones come
                       from dns_zones.Catalog, rebuilt from the control plane whenever cloud.generation moves
    DnsHandler         dnslib's DNSHandler, hardened: FORMERR for a readable header with a bad body, silence for
                       less, several queries per TCP connection, an idle timeout for a client that stops sending
    NAME_SERVERS       what every new hosted zone names as its name servers (DelegationSet, NS, SOA)

dnslib owns the wire format and the per-packet parsing; socketserver owns the threads. Queries are read by one
thread per protocol and per TCP connection; a catalog rebuild takes LOCK, the rest reads immutable data.
"""

from __future__ import annotations

import logging
import socket
import socketserver
import struct
import threading
from collections.abc import Callable
from typing import Any

from dnslib import CLASS, EDNS0, OPCODE, QTYPE, RCODE, DNSHeader, DNSRecord
from dnslib.server import BaseResolver, DNSHandler

from ...config import HOST
from ...errors import PortInUse
from ..core.component import Component
from ..core.listeners import bind_socket
from ..moto import LOCK, changes
from . import models
from .zones import Catalog

log = logging.getLogger("labkit.cloud.route53")

# .localhost names resolve to loopback (RFC 6761), where this server listens; AWS gives four awsdns-NN names.
NAME_SERVERS = ["ns1.labcloud.localhost", "ns2.labcloud.localhost"]
TCP_IDLE_TIMEOUT = 10.0  # RFC 7766 §6.2.3: servers close idle connections after seconds, not minutes
UDP_PAYLOAD = 1232  # our EDNS UDP size (the DNS Flag Day 2020 value: no IP fragmentation)
REBUILD_WAIT = 0.5  # seconds a query waits for moto before answering from the previous catalog
PLAIN_UDP_LIMIT = 512  # RFC 1035 §4.2.1: without EDNS, a UDP answer is at most 512 bytes, else TC
_HEADER = struct.Struct("!HHHHHH")
QCLASS_ANY = 255  # RFC 1035 §3.2.5 (dnslib names it "*")


class Route53Resolver(BaseResolver):
    """Answers from a Catalog; ``catalog`` is called per query and returns the current one (cached by the caller).
    Any failure inside becomes SERVFAIL here: dnslib's handler catches only DNSError and would leave the client
    waiting for its timeout (STYLE.md, Notes)."""

    def __init__(self, catalog: Callable[[], Catalog]) -> None:
        self.catalog = catalog

    def resolve(self, request: DNSRecord, handler: Any) -> DNSRecord:
        try:
            return self._resolve(request)
        except Exception:
            log.exception("DNS query %s failed", request.q.qname if request.questions else "(none)")
            return _reply(request, RCODE.SERVFAIL, authoritative=False)

    def _resolve(self, request: DNSRecord) -> DNSRecord:
        if request.header.opcode != OPCODE.QUERY:
            return _reply(request, RCODE.NOTIMP, authoritative=False)
        edns = [rr for rr in request.ar if rr.rtype == QTYPE.OPT]
        if len(request.questions) != 1 or len(edns) > 1:
            return _reply(request, RCODE.FORMERR, authoritative=False)  # RFC 6891 §6.1.1: at most one OPT
        if edns and edns[0].edns_ver > 0:
            reply = _reply(request, RCODE.NOERROR, authoritative=False)  # BADVERS = 16: the upper bits go in OPT
            reply.ar = [EDNS0(udp_len=UDP_PAYLOAD, ext_rcode=1)]
            return reply
        question = request.q
        if question.qclass not in (CLASS.IN, QCLASS_ANY):
            return _reply(request, RCODE.REFUSED, authoritative=False)
        zone = self.catalog().zone_for(question.qname.label)
        if zone is None:  # not ours: an authoritative-only server refuses rather than recursing
            return _reply(request, RCODE.REFUSED, authoritative=False)
        answer = zone.answer(question.qname, question.qtype)
        reply = _reply(request, answer.rcode, authoritative=answer.authoritative)
        reply.rr, reply.auth, reply.ar = answer.answer, answer.authority, answer.additional
        if edns:
            reply.add_ar(EDNS0(udp_len=UDP_PAYLOAD))
        return reply


def _reply(request: DNSRecord, rcode: int, *, authoritative: bool) -> DNSRecord:
    """A reply header of our own: dnslib's ``request.reply()`` copies every flag (TC too) and sets RA, but an
    authoritative-only server never offers recursion."""
    header = DNSHeader(id=request.header.id, qr=1, opcode=request.header.opcode, aa=int(authoritative),
                       rd=request.header.rd, ra=0, rcode=rcode)
    return DNSRecord(header, questions=list(request.questions[:1]))


def _format_error(data: bytes) -> bytes | None:
    """FORMERR for a packet whose header is readable (RFC 1035 §4.1.1), nothing for shorter garbage or for
    something that claims to be a response (answering those invites loops)."""
    if len(data) < _HEADER.size:
        return None
    ident, flags = _HEADER.unpack_from(data)[:2]
    if flags & 0x8000:
        return None
    opcode_and_rd = flags & 0x7900  # opcode (bits 11-14) and RD (bit 8) are echoed
    return _HEADER.pack(ident, 0x8000 | opcode_and_rd | RCODE.FORMERR, 0, 0, 0, 0)


def _udp_limit(request: DNSRecord) -> int:
    edns = [rr for rr in request.ar if rr.rtype == QTYPE.OPT]
    if not edns:
        return PLAIN_UDP_LIMIT
    return max(PLAIN_UDP_LIMIT, min(edns[0].edns_len, UDP_PAYLOAD))  # RFC 6891 §6.2.5: below 512 counts as 512


class DnsHandler(DNSHandler):
    """dnslib's handler reads one TCP message and trusts its length prefix (a short one hangs the thread on recv
    forever), answers nothing to a malformed packet, and lets any non-DNSError escape; this one does not."""

    def handle(self) -> None:
        try:
            if self.server.socket_type == socket.SOCK_STREAM:
                self.protocol = "tcp"
                self._serve_tcp()
            else:
                self.protocol = "udp"
                data, sock = self.request
                reply = self.get_reply(data)
                if reply is not None:
                    sock.sendto(reply, self.client_address)
        except OSError:
            pass  # the client went away or stalled past the idle timeout: nothing to answer
        except Exception:
            log.exception("DNS handler failed for %s", self.client_address)

    def _serve_tcp(self) -> None:
        """RFC 7766 §6.2.1: a client may send several length-prefixed queries on one connection."""
        self.request.settimeout(TCP_IDLE_TIMEOUT)
        while True:
            prefix = _recv_exactly(self.request, 2)
            if prefix is None:
                return
            data = _recv_exactly(self.request, struct.unpack("!H", prefix)[0])
            if data is None:
                return  # the prefix promised more than came: the message is lost, close (RFC 7766 §8)
            reply = self.get_reply(data)
            if reply is None:
                return
            self.request.sendall(struct.pack("!H", len(reply)) + reply)

    def get_reply(self, data: bytes) -> bytes | None:  # type: ignore[override]
        try:
            request = DNSRecord.parse(data)
        except Exception:  # DNSError, and whatever else a hostile packet provokes in the parser
            return _format_error(data)
        if request.header.qr:
            return None
        reply = self.server.resolver.resolve(request, self)
        try:
            packed = reply.pack()
        except Exception:
            log.exception("DNS answer to %s could not be encoded", request.q.qname)
            packed = _reply(request, RCODE.SERVFAIL, authoritative=False).pack()
        if self.protocol == "udp" and len(packed) > _udp_limit(request):
            # RFC 2181 §9: too big for UDP → TC set, question only; the client retries over TCP.
            truncated = _reply(request, reply.header.rcode, authoritative=bool(reply.header.aa))
            truncated.header.tc = 1
            truncated.ar = [rr for rr in reply.ar if rr.rtype == QTYPE.OPT]
            packed = truncated.pack()
        return packed


def _recv_exactly(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


class _UdpServer(socketserver.UDPServer):
    """Queries are answered on the serving thread itself: an answer is a few dictionary lookups, and a thread per
    datagram (dnslib's default) costs more than the answer."""

    max_packet_size = 65535

    def __init__(self, sock: socket.socket, resolver: BaseResolver) -> None:
        super().__init__(sock.getsockname(), DnsHandler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        self.resolver = resolver


class _TcpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True  # a stalled client's thread must not hold up stop()

    def __init__(self, sock: socket.socket, resolver: BaseResolver) -> None:
        super().__init__(sock.getsockname(), DnsHandler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        self.resolver = resolver


# What the catalog is built from: the zones, and the distributions alias records point at (cloudfront counts its
# creates and deletes); RESET, when the tests forget every resource.
DNS_SOURCES = ("route53", "cloudfront", changes.RESET)


class DnsServer(Component):
    name = "dns"
    port_settings = ("dns",)

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self.resolver = Route53Resolver(self.catalog)
        self._catalog = Catalog()
        self._rebuild = threading.Lock()
        self._servers: list[socketserver.BaseServer] = []
        self._threads: list[threading.Thread] = []
        models.name_route53_zones(NAME_SERVERS)

    # -- the zones ---------------------------------------------------------------------------------------------
    def catalog(self) -> Catalog:
        """The zones as of the last change to Route 53 or to the distributions aliases name (counted per request,
        so a change is answered by the very next query; other services' changes, a class's sign-ups and PutItems,
        leave the catalog alone). While a long API request holds moto, the last catalog answers and the next query
        tries again: code that holds LOCK and asks this server would otherwise wait on itself."""
        generation = changes.change_count(*DNS_SOURCES)
        if self._catalog.generation != generation:
            with self._rebuild:
                if self._catalog.generation != generation:
                    if not LOCK.acquire(timeout=REBUILD_WAIT):
                        return self._catalog
                    try:
                        self._catalog = self._build(generation)
                    finally:
                        LOCK.release()
        return self._catalog

    def _build(self, generation: int) -> Catalog:
        # The generation is read before the state: a change landing meanwhile only forces one more rebuild.
        targets = set().union(*(component.alias_targets() for component in self.cloud.components))
        catalog = Catalog.build(models.route53_zones(), targets, region=self.cloud.cfg.region,
                                generation=generation, previous=self._catalog)
        for problem in catalog.invalid:
            log.warning("DNS skips %s", problem)
        return catalog

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def bind(self) -> None:
        """Both sockets on one port; PortInUse (naming LAB_DNS_PORT) if either is taken."""
        port = self.cloud.cfg.ports["dns"]
        for attempt in range(1 if port else 5):  # port 0: TCP follows UDP's pick, which TCP may find taken
            udp = bind_socket("dns", port, socket.SOCK_DGRAM)
            try:
                tcp = bind_socket("dns", udp.getsockname()[1], socket.SOCK_STREAM)
                break
            except PortInUse:
                udp.close()
                if port or attempt == 4:
                    raise
            except BaseException:
                udp.close()
                raise
        self.ports = {"dns": udp.getsockname()[1]}
        self._servers = [_UdpServer(udp, self.resolver), _TcpServer(tcp, self.resolver)]

    def start(self) -> None:
        self.catalog()  # built before the first query, from the restored state: the fallback is never empty
        for server, kind in zip(self._servers, ("udp", "tcp")):
            thread = threading.Thread(target=server.serve_forever, name=f"dns-{kind}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        # shutdown() waits up to one poll interval per server: wait for both at once.
        stoppers = [threading.Thread(target=s.shutdown) for s in self._servers if self._threads]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for server in self._servers:
            server.server_close()
        self._servers, self._threads = [], []

    def health(self) -> dict[str, Any]:
        alive = len(self._threads) == 2 and all(t.is_alive() for t in self._threads)
        catalog = self.catalog()
        report: dict[str, Any] = {
            "status": "ok" if alive else "error",
            "port": self.ports.get("dns"),
            "zones": len(catalog.zones),
        }
        if catalog.invalid:
            report["skipped_records"] = catalog.invalid[:5]
        return report

    def endpoints(self) -> dict[str, str]:
        return {"dns": f"{HOST}:{self.ports['dns']} (udp+tcp)"} if self.ports else {}
