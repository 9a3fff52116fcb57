"""The process side of a Lambda worker: one execution environment, run by the kit's own Python interpreter.

process.py starts it as ``python -P -u worker.py`` (or the zygote forks a process that runs it so, zygote.py) in
the unpacked code (cwd = LAMBDA_TASK_ROOT), with the function's environment, fd 1 and 2 on a log pipe, and a control socket whose fd is in _LAB_CONTROL_FD. It:

    1. puts the code first on sys.path, installs the kit's ``*.localhost`` resolver when there is one, and a
       logging handler formatted as Lambda's Python runtime formats it;
    2. imports the handler once (the Init phase), then answers ``ready`` or ``init_error``;
    3. serves ``invoke`` messages one at a time until the control socket closes.

After each phase it flushes stdout and stderr and writes a marker line on fd 1: the parent then knows every line
the phase printed has arrived. Handler and error behaviour follow Lambda's Python runtime (awslambdaric
``bootstrap.py``): error payloads hold errorMessage, errorType, requestId and stackTrace; only ``Exception`` is
caught, so ``sys.exit()`` in a handler ends the process and the parent reports Runtime.ExitError.

This module imports only the standard library: it runs before the handler's code, and its parts below are also
what the parent uses to speak to it.

    send_frame(sock, message) / recv_frame(sock, deadline)   the control protocol: 4-byte length + JSON
    phase_marker(phase), MARKER_PREFIX                        the line that ends a phase's output
    load_handler(name)                                        import ``module.function`` as Lambda does
"""

from __future__ import annotations

import decimal
import importlib
import json
import logging
import math
import os
import socket
import struct
import sys
import threading
import time
import traceback
import types
from typing import Any, Callable

_HEADER = struct.Struct(">I")
MARKER_PREFIX = "\x00lab-phase-end:"  # NUL never appears in text a handler prints by accident
_THIS_FILE = os.path.abspath(__file__)
ERROR_LINE_SEPARATOR = "\r"  # joins the lines of one multi-line log event; the parent turns it back into \n
_NO_BREAK_SPACE = "\u00a0"  # Lambda indents stack traces in the log with it, so CloudWatch keeps the indent


# --- control protocol ---------------------------------------------------------------------------------------

def send_frame(sock: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message, ensure_ascii=False).encode()
    sock.sendall(_HEADER.pack(len(data)) + data)


def recv_frame(sock: socket.socket, deadline: float | None = None) -> dict[str, Any] | None:
    """The next message; None once the other side is gone; TimeoutError when ``deadline`` (time.monotonic())
    passes first."""
    header = _recv_exact(sock, _HEADER.size, deadline)
    if header is None:
        return None
    body = _recv_exact(sock, _HEADER.unpack(header)[0], deadline)
    return None if body is None else json.loads(body)


def _recv_exact(sock: socket.socket, size: int, deadline: float | None) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
        try:
            chunk = sock.recv(min(size - len(data), 1 << 20))
        except ConnectionResetError:
            return None
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def phase_marker(phase: str) -> str:
    return f"{MARKER_PREFIX}{phase}\x00"


def _end_phase(phase: str) -> None:
    for stream in {sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__}:
        try:
            stream.flush()
        except Exception:  # a handler may have replaced or closed them
            pass
    os.write(1, ("\n" + phase_marker(phase) + "\n").encode())


# --- errors, as Lambda's Python runtime shapes them -------------------------------------------------------------

class Fault(Exception):
    """A runtime error with a Lambda error type (Runtime.ImportModuleError…), not one raised by the handler."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type, self.message, self.trace = error_type, message, trace


def make_error(message: str, error_type: str, trace: list[str] | None, request_id: str = "") -> dict[str, Any]:
    return {"errorMessage": message or "", "errorType": error_type or "", "requestId": request_id or "",
            "stackTrace": trace or []}


def exception_error(exc: BaseException, request_id: str = "") -> dict[str, Any]:
    frames = list(traceback.extract_tb(exc.__traceback__))
    for index, frame in enumerate(frames):  # start at the first frame outside this bootstrap, as Lambda does
        if os.path.abspath(frame.filename) != _THIS_FILE:
            frames = frames[index:]
            break
    return make_error(str(exc), type(exc).__name__, traceback.format_list(frames), request_id)


def _log_error(error: dict[str, Any]) -> None:
    """``[ERROR] Type: message`` and the trace, one log event (awslambdaric ``log_error``, text format)."""
    head = "[ERROR]"
    if error.get("errorType"):
        head += " " + error["errorType"]
    if error.get("errorMessage"):
        head += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [head]
    if error.get("stackTrace") is not None:
        lines.append("Traceback (most recent call last):")
        for element in error["stackTrace"]:
            for line in element.splitlines() or [""]:
                stripped = line.lstrip(" ")
                lines.append(_NO_BREAK_SPACE * (len(line) - len(stripped)) + stripped)
    sys.stdout.write(ERROR_LINE_SEPARATOR.join(lines) + "\n")


# --- the handler --------------------------------------------------------------------------------------------------

def load_handler(name: str) -> Callable[..., Any]:
    """The handler ``module.function`` (``package.module.function`` and ``dir/module.function`` work too);
    raises Fault with the error type and message Lambda's Python runtime uses."""
    try:
        module_name, function_name = name.rsplit(".", 1)
    except ValueError as exc:
        raise Fault("Runtime.MalformedHandlerName", f"Bad handler '{name}': {exc}") from None
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault("Runtime.BuiltInModuleConflict", f"Cannot use built-in module {module_name} as a handler module")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise Fault("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}") from None
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise Fault("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}", trace) from None
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'") from None


class _Encoder(json.JSONEncoder):
    """Lambda's runtime serialises Decimal (what DynamoDB's boto3 resource returns) as a JSON number."""

    def default(self, obj: Any) -> Any:
        if isinstance(obj, decimal.Decimal):
            if obj.is_nan():
                return math.nan
            if obj.is_finite() and obj == obj.to_integral_value():
                return int(obj)
            return float(obj)
        return super().default(obj)


def _marshal(response: Any) -> dict[str, Any]:
    if isinstance(response, bytes):  # returned as they are, as Lambda does
        return {"op": "result", "raw": response.decode("latin-1")}
    try:
        return {"op": "result", "payload": json.dumps(response, cls=_Encoder, ensure_ascii=False)}
    except (TypeError, ValueError) as exc:
        raise Fault("Runtime.MarshalError", f"Unable to marshal response: {exc}") from None


_request_id = [""]  # the invocation under way, for the log records' aws_request_id


def _invoke(handler: Callable[..., Any], message: dict[str, Any], make_context: Callable[..., Any]) -> dict[str, Any]:
    request_id = message["id"]
    _request_id[0] = request_id
    try:
        context = make_context(request_id, message.get("client_context"), message.get("identity"),
                               message["deadline_ms"], message["arn"])
        try:
            event = json.loads(message["event"])
        except ValueError as exc:
            raise Fault("Runtime.UnmarshalError", f"Unable to unmarshal input: {exc}") from None
        return _marshal(handler(event, context))
    except Fault as fault:
        error = make_error(fault.message, fault.error_type, fault.trace, request_id)
    except Exception as exc:
        error = exception_error(exc, request_id)
    _log_error(error)
    return {"op": "error", "error": error}


# --- setup ----------------------------------------------------------------------------------------------------------

def _setup_logging() -> None:
    """The root logger's handler as Lambda's Python runtime installs it (level left at WARNING, its default)."""

    class LambdaLogHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            text = self.format(record).rstrip("\n")
            sys.stdout.write(text.replace("\n", ERROR_LINE_SEPARATOR) + "\n")

    class RequestIdFilter(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            record.aws_request_id = _request_id[0]
            return True

    logging.Formatter.converter = time.gmtime
    handler = LambdaLogHandler()
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)


def _kit_modules(kit_root: str) -> types.ModuleType:
    """The context module, and the kit's resolver installed when the kit has one. Both are imported under bare
    package stubs, so the kit's heavy __init__ modules never run here; the stubs are dropped afterwards so the
    handler's own imports start clean."""
    stubs = {"labkit": ("labkit",), "labkit.cloud": ("labkit", "cloud"),
             "labkit.cloud.lambda_": ("labkit", "cloud", "lambda_")}
    for name, parts in stubs.items():
        stub = types.ModuleType(name)
        stub.__path__ = [os.path.join(kit_root, *parts)]
        sys.modules[name] = stub
    try:
        context = importlib.import_module("labkit.cloud.lambda_.context")
        if os.path.exists(os.path.join(kit_root, "labkit", "resolver.py")):
            try:
                importlib.import_module("labkit.resolver").install()
            except Exception as exc:  # the function still runs; only *.localhost names stay unresolved
                print(f"warning: the *.localhost resolver could not be installed: {exc}", file=sys.stderr)
        return context
    finally:
        for name in [n for n in sys.modules if n == "labkit" or n.startswith("labkit.")]:
            del sys.modules[name]


def _exit_with_the_cloud() -> None:
    """A cloud that dies without stopping its workers (killed, crashed) must not leave a busy handler running:
    once this process has another parent, it ends."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="lab-parent-watch", daemon=True).start()


def main() -> None:
    _exit_with_the_cloud()
    control = socket.socket(fileno=int(os.environ.pop("_LAB_CONTROL_FD")))
    kit_root = os.environ.pop("_LAB_KIT_ROOT")
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    context = _kit_modules(kit_root)
    _setup_logging()
    error = None
    try:
        handler = load_handler(os.environ.get("_HANDLER") or "")
    except Fault as fault:
        error = make_error(fault.message, fault.error_type, fault.trace)
    except Exception as exc:  # the module raised while being imported
        error = exception_error(exc)
    if error is not None:
        _log_error(error)
    _end_phase("init")
    if error is not None:
        send_frame(control, {"op": "init_error", "error": error})
        return
    send_frame(control, {"op": "ready"})
    while True:
        message = recv_frame(control)
        if message is None:
            return
        reply = _invoke(handler, message, context.LambdaContext)
        _end_phase(message["id"])
        send_frame(control, reply)


if __name__ == "__main__":
    main()
