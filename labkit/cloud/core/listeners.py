"""Sockets of the local cloud. Each listener binds in its constructor, in the caller's thread, so a taken port
is reported at start as PortInUse naming the setting to change; serving then runs on a daemon thread.
Every listener binds 127.0.0.1 only.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Collection, Mapping

from ...config import HOST, PORTS
from ...errors import PortInUse


def bind_socket(name: str, port: int, kind: int = socket.SOCK_STREAM) -> socket.socket:
    """A socket bound to 127.0.0.1:port (listening, for TCP); PortInUse when another process holds the port."""
    sock = socket.socket(socket.AF_INET, kind)
    if kind == socket.SOCK_STREAM:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart at once despite TIME_WAIT
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortInUse(name, port, PORTS[name][0]) from None
        raise
    if kind == socket.SOCK_STREAM:
        sock.listen(128)
    return sock


def port_is_free(port: int) -> bool:
    """Whether bind_socket would succeed (same options: a port in TIME_WAIT counts as free)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind((HOST, port))
        return True
    except OSError:
        return False
    finally:
        probe.close()


# Ports a browser refuses to connect to, whatever answers there: Chromium's kRestrictedPorts in net/base/port_util.cc
# (https://source.chromium.org/chromium/chromium/src/+/main:net/base/port_util.cc; net::ERR_UNSAFE_PORT), which is
# the Fetch standard's list of bad ports (https://fetch.spec.whatwg.org/#port-blocking). Firefox's gBadPortList
# (netwerk/base/nsIOService.cpp; "This address is restricted") is the same list plus 4190 and 6679, added here, so one
# list covers both browsers. 0 is left out: as a port setting it means "any free port".
BROWSER_REFUSED_PORTS = frozenset({
    1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
    111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
    540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
    6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
})
# The listeners a browser reaches: the site and APIs (HTTPS edge), its redirect (HTTP edge), and the gateway, where
# the contact page calls Cognito and the learner opens the mailbox. DNS and SMTP are never fetched by a browser.
BROWSER_LISTENERS = ("https", "http", "gateway")


FIREFOX_ONLY_PORTS = frozenset({4190, 6679})


def browser_refuses(port: int) -> bool:
    return port in BROWSER_REFUSED_PORTS


def refusing_browsers(port: int) -> str:
    return "Firefox refuses" if port in FIREFOX_ONLY_PORTS else "Chromium and Firefox refuse"


def safe_port_after(port: int, taken: Collection[int] = ()) -> int:
    """The next port after ``port`` that browsers accept, is free now, and is not in ``taken`` (other settings)."""
    candidate = port + 1
    while candidate <= 65535:
        if not browser_refuses(candidate) and candidate not in taken and port_is_free(candidate):
            return candidate
        candidate += 1
    return 8443  # nothing above: a common choice, and outside the refused list


def check_browser_ports(ports: Mapping[str, int]) -> tuple[str, int, int] | None:
    """The first browser-facing listener on a refused port: (setting name, port, a safe alternative), or None."""
    for name in BROWSER_LISTENERS:
        port = ports.get(name, 0)
        if port and browser_refuses(port):
            return name, port, safe_port_after(port, set(ports.values()))
    return None
