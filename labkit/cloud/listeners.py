"""Sockets of the local cloud. Each listener binds in its constructor, in the caller's thread, so a taken port
is reported at start as PortInUse naming the setting to change; serving then runs on a daemon thread.
Every listener binds 127.0.0.1 only.
"""

from __future__ import annotations

import errno
import socket

from ..config import HOST, PORTS
from ..errors import PortInUse


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
