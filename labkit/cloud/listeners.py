"""Sockets of the local cloud. Each listener binds in its constructor, in the caller's thread, so a taken port
is reported at start as PortInUse naming the setting to change; serving then runs on a daemon thread.
Every listener binds 127.0.0.1 only.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
from typing import Any, Callable

from werkzeug.serving import make_server

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


class HttpListener:
    """A threaded WSGI server (werkzeug's, as moto's own server uses) on a pre-bound socket."""

    def __init__(self, name: str, port: int, app: Callable, request_handler: Any = None, ssl_context: Any = None):
        self.name = name
        self._sock = bind_socket(name, port)
        self.port = self._sock.getsockname()[1]
        kwargs = {"request_handler": request_handler} if request_handler else {}
        self._server = make_server(
            HOST, self.port, app, threaded=True, fd=self._sock.fileno(), ssl_context=ssl_context, **kwargs
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"{name}-listener", daemon=True)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is the access log's job

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._sock.close()

    def health(self) -> dict[str, Any]:
        return {"status": "ok" if self._thread.is_alive() else "error", "port": self.port}
