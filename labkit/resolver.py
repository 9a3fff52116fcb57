"""``*.localhost`` for Python processes: the loopback answer RFC 6761 §6.3 asks name resolution libraries to give.

Browsers resolve ``localhost`` and every name under it to loopback; glibc on these machines does not
(``socket.getaddrinfo("www.contact.localhost", 443)`` fails: DESIGN.md). The local target's names are all under
``.localhost`` (distributions, APIs, the learner's domain), so notebook kernels, validators and Lambda workers
install this shim.

    install()      patch socket.getaddrinfo, gethostbyname and gethostbyname_ex; idempotent
    uninstall()    put the originals back
    is_localhost(name)

Loopback names get 127.0.0.1 (AF_INET), ::1 (AF_INET6), or both for AF_UNSPEC with IPv4 first: the local cloud
listens on 127.0.0.1 only, so a client trying ::1 first would pay a refused connection on every request.
Every other name goes to the function install() replaced, unchanged. The answers are built by the original
getaddrinfo on the numeric addresses, so ports, service names, socket types and flags behave as for any address.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

_lock = threading.Lock()
_active = False
_next: dict[str, Any] = {}  # what each patch calls for every other name: the function install() replaced
_first: dict[str, Any] = {}  # what the very first install() replaced (see _pass_on)
_inside = threading.local()
_LOOPBACK = {socket.AF_INET: "127.0.0.1", socket.AF_INET6: "::1"}


def is_localhost(host: Any) -> bool:
    """``localhost``, ``localhost.`` and any name ending in ``.localhost`` (any case); str or bytes."""
    if isinstance(host, (bytes, bytearray)):
        try:
            host = bytes(host).decode("ascii")
        except UnicodeDecodeError:
            return False
    if not isinstance(host, str):
        return False
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def _pass_on(name: str, *args: Any) -> Any:
    """Call the replaced function. If another library wrapped an earlier install of ours and we were installed
    again on top of its wrapper, the wrapper calls back into us: that inner call goes to the first original
    instead of looping."""
    if getattr(_inside, name, False):
        return _first[name](*args)
    setattr(_inside, name, True)
    try:
        return _next[name](*args)
    finally:
        setattr(_inside, name, False)


def _getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0) -> list:
    if not (_active and is_localhost(host)):
        return _pass_on("getaddrinfo", host, port, family, type, proto, flags)
    numeric = _first["getaddrinfo"]
    families = [socket.AF_INET, socket.AF_INET6] if family == socket.AF_UNSPEC else [family]
    canonical = host.decode("ascii") if isinstance(host, (bytes, bytearray)) else host
    results: list = []
    for fam in families:
        address = _LOOPBACK.get(fam)
        if address is None:
            continue
        try:
            found = numeric(address, port, fam, type, proto, flags | socket.AI_NUMERICHOST)
        except socket.gaierror:
            if family != socket.AF_UNSPEC:
                raise
            continue  # no IPv6 on this host: IPv4 alone answers AF_UNSPEC
        results.extend((f, t, p, canonical if name else name, addr) for f, t, p, name, addr in found)
    if not results:
        raise socket.gaierror(socket.EAI_FAMILY, "ai_family not supported")
    return results


def _gethostbyname(hostname: str) -> str:
    if _active and is_localhost(hostname):
        return _LOOPBACK[socket.AF_INET]
    return _pass_on("gethostbyname", hostname)


def _gethostbyname_ex(hostname: str) -> tuple[str, list[str], list[str]]:
    if _active and is_localhost(hostname):
        return hostname, [], [_LOOPBACK[socket.AF_INET]]
    return _pass_on("gethostbyname_ex", hostname)


_PATCHES = {"getaddrinfo": _getaddrinfo, "gethostbyname": _gethostbyname, "gethostbyname_ex": _gethostbyname_ex}


def installed() -> bool:
    return _active


def install() -> None:
    """Make ``*.localhost`` resolve to loopback in this process. Calling it again changes nothing."""
    global _active
    with _lock:
        if _active:
            return
        for name, patch in _PATCHES.items():
            current = getattr(socket, name)
            if current is not patch:
                _first.setdefault(name, current)
                _next[name] = current
                setattr(socket, name, patch)
        _active = True


def uninstall() -> None:
    """Put back the functions install() replaced. One that another library has wrapped since stays in place
    (removing it would drop their patch); ours inside it then passes every name on."""
    global _active
    with _lock:
        if not _active:
            return
        for name, patch in _PATCHES.items():
            if getattr(socket, name) is patch:
                setattr(socket, name, _next[name])
        _active = False
