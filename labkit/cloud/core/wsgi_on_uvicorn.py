"""WSGI applications served by uvicorn: the server stack of the gateway and of the edge.

    UvicornServer           uvicorn's server, with an event set once its sockets listen
    uvicorn_config(app)     the settings both listeners use (httptools, no lifespan, no access log, no Server header)
    read_body(receive)      an ASGI request body, whole (None on disconnect, BodyTooLarge past a limit)
    wsgi_environ(...)       a PEP 3333 environ from an ASGI scope and the body
    run_wsgi(app, environ, emit)   one WSGI call on the current (worker) thread, its answer as ASGI messages
    Outbox                  ASGI messages from a worker thread back to the event loop
    emit_simple(...)        a small complete answer as ASGI messages
    WsgiListener            a plain-HTTP listener for one WSGI app on its own thread and event loop (the gateway)

Why not werkzeug's threaded server (moto_server's): it closes the connection after every answer (so each boto3
call opens a new TCP connection and the server starts a new thread for it) and parses with http.server. Here
uvicorn parses with httptools and keeps connections alive; the WSGI app runs on a thread pool, since an app may
block (a Lambda invoke waits for its function). bench/edge.py and bench/api.py measure the difference.
"""

from __future__ import annotations

import asyncio
import io
import logging
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import unquote_to_bytes

import uvicorn

from .listeners import bind_socket

log = logging.getLogger("labkit.cloud")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
EnvironHook = Callable[[dict[str, Any], list[tuple[bytes, bytes]]], None]
START_TIMEOUT = 10.0


class UvicornServer(uvicorn.Server):
    """uvicorn's server, telling when its socket is listening."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[Any] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


KEEP_ALIVE_S = 60


def uvicorn_config(app: Any, **extra: Any) -> uvicorn.Config:
    """``KEEP_ALIVE_S``: an idle connection stays open a minute, not uvicorn's 5 s. Clients keep idle connections in
    their pools (botocore, requests) and, on the local target, do not retry: a server closing one at 5 s races the
    client's next request on it, which then fails with "Connection was closed before we received a valid response"."""
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    extra.setdefault("timeout_keep_alive", KEEP_ALIVE_S)
    return uvicorn.Config(app, http="httptools", lifespan="off", ws="none", interface="asgi3", log_config=None,
                          access_log=False, server_header=False, proxy_headers=False, timeout_graceful_shutdown=2,
                          **extra)


def tcp_socket(name: str, port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (PortInUse naming the setting when taken), re-made from its descriptor so it
    knows it is TCP (proto 6, not 0): asyncio sets TCP_NODELAY only on such sockets, and without it every response
    waits ~40 ms for Nagle and a delayed ACK."""
    return socket.socket(fileno=bind_socket(name, port).detach())


class BodyTooLarge(Exception):
    """The request body passed the limit given to read_body."""


async def read_body(receive: Callable, limit: int | None = None) -> bytes | None:
    """The whole request body; None when the client went away; BodyTooLarge past ``limit`` bytes."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body += message.get("body", b"")
        if limit is not None and len(body) > limit:
            raise BodyTooLarge
        if not message.get("more_body"):
            return bytes(body)


def request_target(scope: dict[str, Any]) -> str:
    """The path and query as the client sent them (still percent-encoded)."""
    query = scope["query_string"].decode("latin-1")
    return scope["raw_path"].decode("latin-1") + (f"?{query}" if query else "")


def wsgi_environ(scope: dict[str, Any], body: bytes, host: str, port: int | None, secure: bool) -> dict[str, Any]:
    """A PEP 3333 environ from an ASGI scope; header names with "_" are dropped (they would pose as "-")."""
    server = scope.get("server") or ("127.0.0.1", 0)
    client = scope.get("client") or ("127.0.0.1", 0)
    target = request_target(scope)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(scope["raw_path"]).decode("latin-1"),
        "QUERY_STRING": scope["query_string"].decode("latin-1"),
        "RAW_URI": target,
        "REQUEST_URI": target,
        "SERVER_NAME": host,
        "SERVER_PORT": str(port or server[1]),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https" if secure else "http",
        "wsgi.input": io.BytesIO(body),
        # The body is read whole: a reader may read to its end even without Content-Length (chunked uploads)
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").upper()
        if "_" in name:
            continue
        key = name.replace("-", "_")
        key = key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"
        value = raw_value.decode("latin-1")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


class Outbox:
    """ASGI messages from a worker thread. They are held until 64 KiB of body has gathered, then sent while the
    worker waits (backpressure); the request's coroutine sends the rest when the app is done. A small response so
    costs one thread hop instead of one per message (bench/edge.py: 0.36 → ~0.6 of the bare server's rate)."""

    FLUSH_BYTES = 64 * 1024

    def __init__(self, send: Callable, loop: asyncio.AbstractEventLoop) -> None:
        self.send, self.loop = send, loop
        self.held: list[dict[str, Any]] = []
        self.size = 0

    def __call__(self, message: dict[str, Any]) -> None:
        self.held.append(message)
        self.size += len(message.get("body", b""))
        if self.size >= self.FLUSH_BYTES:
            held, self.held, self.size = self.held, [], 0
            asyncio.run_coroutine_threadsafe(self._send_all(held), self.loop).result()

    async def drain(self) -> None:
        held, self.held, self.size = self.held, [], 0
        await self._send_all(held)

    async def _send_all(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            await self.send(message)


def run_wsgi(app: WSGIApp, environ: dict[str, Any], emit: Callable[[dict[str, Any]], None]) -> bool:
    """Call the app; its answer goes to ``emit`` as ASGI messages (no body for HEAD, as HTTP wants). Returns True if
    the app failed after its response started (the connection must then be cut); a failure before that is
    answered 500."""
    started: list[Any] = []
    head = environ["REQUEST_METHOD"] == "HEAD"

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
        if exc_info and started and started[0] is True:
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [(int(status.split(" ", 1)[0]), [(k.lower().encode("latin-1"), v.encode("latin-1"))
                                                      for k, v in headers])]
        return lambda data: send_body(data)

    def send_body(data: bytes) -> None:
        if started and started[0] is not True:
            status, headers = started[0]
            emit({"type": "http.response.start", "status": status, "headers": headers})
            started[0] = True
        if data and not head:
            emit({"type": "http.response.body", "body": data, "more_body": True})

    result = None
    try:
        result = app(environ, start_response)
        for chunk in result:
            send_body(chunk)
        send_body(b"")
        emit({"type": "http.response.body", "body": b"", "more_body": False})
        return False
    except Exception:
        log.exception("the application failed on %s %s", environ["REQUEST_METHOD"], environ["PATH_INFO"])
        if started and started[0] is True:
            return True
        emit_simple(emit, 500, "text/plain", b"Internal error of the local cloud: see the local cloud's log.\n")
        return False
    finally:
        getattr(result, "close", lambda: None)()


def emit_simple(emit: Callable, status: int, content_type: str, body: bytes,
                headers: list[tuple[str, str]] | None = None) -> None:
    all_headers = [("content-type", content_type), ("content-length", str(len(body))), *(headers or [])]
    emit({"type": "http.response.start", "status": status,
          "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in all_headers]})
    emit({"type": "http.response.body", "body": body, "more_body": False})


class WsgiListener:
    """One WSGI app on a plain-HTTP port: uvicorn on its own thread and event loop, the app on ``workers``
    threads. Binds in the constructor (a taken port is PortInUse at once); ``environ_hook(environ, headers)`` may
    add to each environ what the app needs from the raw headers."""

    def __init__(self, name: str, port: int, app: WSGIApp, *, workers: int = 64,
                 environ_hook: EnvironHook | None = None) -> None:
        self.name, self.app, self.workers, self.environ_hook = name, app, workers, environ_hook
        self._sock = tcp_socket(name, port)
        self.port = self._sock.getsockname()[1]
        self._pool: ThreadPoolExecutor | None = None
        self._server: UvicornServer | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix=f"{self.name}-app")
        self._server = UvicornServer(uvicorn_config(self._asgi))
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-listener", daemon=True)
        self._thread.start()
        if not self._server.ready.wait(START_TIMEOUT) or self._error is not None:
            raise RuntimeError(f"the {self.name} listener did not start: {self._error!r}")

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._server.serve(sockets=[self._sock]))
        except BaseException as exc:  # reported by start(), or by health() later
            self._error = exc
            log.exception("the %s listener stopped", self.name)
            self._server.ready.set()
        finally:
            loop.close()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._sock.close()

    def health(self) -> dict[str, Any]:
        alive = self._thread is not None and self._thread.is_alive() and self._error is None
        return {"status": "ok" if alive else "error", "port": self.port}

    async def _asgi(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        if body is None:
            return
        loop = asyncio.get_running_loop()
        outbox = Outbox(send, loop)
        failed = await loop.run_in_executor(self._pool, self._respond, scope, body, outbox)
        await outbox.drain()
        if failed:
            raise RuntimeError(f"the {self.name} application failed after its response started")

    def _respond(self, scope: dict[str, Any], body: bytes, emit: Callable[[dict[str, Any]], None]) -> bool:
        server = scope.get("server") or ("127.0.0.1", self.port)  # as werkzeug: the listening address
        environ = wsgi_environ(scope, body, server[0], server[1], secure=False)
        if self.environ_hook is not None:
            self.environ_hook(environ, scope["headers"])
        return run_wsgi(self.app, environ, emit)
