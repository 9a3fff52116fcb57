"""Warm starts for cold starts: a process that has imported boto3 once, and forks a Lambda worker on request.

A worker started from scratch spends some 0.4 s of CPU importing boto3 and loading its service models before the
handler's own Init work; a class's grading cold-starts a worker per learner. Forked from this process, a worker
starts with those modules and models already in memory (shared copy-on-write) and runs worker.py as the fresh
interpreter would: its own session (setsid), environment, working directory, fd 1 and 2 on its log pipe. Nothing
the handler sees differs, except a shorter Init.

    Zygote(environ)                              the runtime's side; the first spawn() launches the process
        .spawn(environ, cwd, control, output)    a ForkedProcess, or None when the zygote cannot serve (then the
                                                 runtime starts the worker as a new interpreter): not ready yet, or
                                                 the code bundles a package it preloaded (its own boto3, say: that
                                                 code must import its copy, as on AWS); OSError when it took the
                                                 descriptors but did not answer
        .status() / .stop()
    ForkedProcess                                what WorkerProcess needs of a subprocess.Popen: pid, poll(),
                                                 wait(timeout), returncode

The zygote speaks over a SOCK_SEQPACKET socket: once preloaded it sends the packages it imported; each request is one record (JSON environment and directory) with
three descriptors (the worker's control socket, its log pipe, and a status socket); the zygote answers on the
status socket with the worker's pid, then with its exit code once it has reaped it. When the runtime closes its
end the zygote exits, and its workers follow (worker.py ends once its parent is gone).
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

ZYGOTE_SCRIPT = Path(__file__)
WORKER_SCRIPT = Path(__file__).with_name("worker.py")
WARM_SERVICES = ("dynamodb", "sns", "s3", "sqs", "ses", "lambda", "logs", "sts")  # models loaded ahead
_MAX_RECORD = 1 << 20
_SPAWN_WAIT_S = 10.0


def _bundles(code_dir: Path, packages: frozenset[str]) -> bool:
    """Whether the code holds a package (or module) of one of these top-level names."""
    return any((code_dir / name).exists() or (code_dir / f"{name}.py").exists() for name in packages)


class ForkedProcess:
    """A worker forked by the zygote: not this process's child, so its exit code comes over the status socket."""

    def __init__(self, pid: int, status: socket.socket) -> None:
        self.pid, self.returncode = pid, None
        self._status = status
        self._lock = threading.Lock()

    def poll(self) -> int | None:
        return self._read(0.0)

    def wait(self, timeout: float | None = None) -> int:
        code = self._read(timeout)
        if code is None:
            raise subprocess.TimeoutExpired(f"lambda worker {self.pid}", timeout or 0.0)
        return code

    def _read(self, timeout: float | None) -> int | None:
        with self._lock:
            if self.returncode is None:
                ready, _, _ = select.select([self._status], [], [], timeout)
                if ready:
                    record = self._status.recv(64)
                    # No record: the zygote died before reaping it; the worker ends with it (it watches its parent).
                    self.returncode = json.loads(record)["exit"] if record else -9
                    self._status.close()
            return self.returncode


class Zygote:
    """Started by the first cold start, not with the cloud (a cloud that runs no function never pays its 0.4 s);
    cold starts made while it is still preloading start new interpreters, as do all of them if it fails."""

    def __init__(self, environ: dict[str, str]) -> None:
        self._environ = environ  # the workers' common environment: PATH, no AWS profile
        self._sock: socket.socket | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._started = self._ready = False
        self._preloaded: frozenset[str] = frozenset()  # top-level packages it imported, from its "ready" record
        self._lock = threading.Lock()

    def _start(self) -> None:
        self._started = True
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-P", "-u", str(ZYGOTE_SCRIPT), str(child.fileno())], env=self._environ,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=(child.fileno(),), start_new_session=True)
        except OSError:
            parent.close()
            return  # workers start as new interpreters
        finally:
            child.close()
        self._sock = parent

    def _usable(self) -> bool:
        """Started, preloaded (it says "ready" once) and alive; starts it the first time. Called with _lock held."""
        if not self._started:
            self._start()
        if self._sock is None or self._process is None or self._process.poll() is not None:
            return False
        if not self._ready:
            ready, _, _ = select.select([self._sock], [], [], 0)
            if ready:
                record = json.loads(self._sock.recv(_MAX_RECORD) or b"{}")
                self._preloaded = frozenset(record.get("preloaded", ()))
                self._ready = "preloaded" in record
        return self._ready

    def status(self) -> str:
        """"not started", "starting", "ready" or "stopped" (health: whether cold starts are forked)."""
        with self._lock:
            if not self._started:
                return "not started"
            if self._sock is None or self._process is None or self._process.poll() is not None:
                return "stopped"
            return "ready" if self._usable() else "starting"

    def spawn(self, environ: dict[str, str], cwd: Path, control: int, output: int) -> ForkedProcess | None:
        with self._lock:
            if not self._usable() or _bundles(cwd, self._preloaded):
                return None
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            try:
                record = json.dumps({"environ": environ, "cwd": str(cwd)}).encode()
                socket.send_fds(self._sock, [record], [control, output, theirs.fileno()])
            except OSError:
                ours.close()
                return None
            finally:
                theirs.close()
        ready, _, _ = select.select([ours], [], [], _SPAWN_WAIT_S)
        answer = ours.recv(64) if ready else b""
        if not answer:
            # It holds the worker's descriptors and might still fork: stop it, so that no second process ever
            # shares them, and refuse this start (later workers start as new interpreters).
            ours.close()
            with self._lock:
                if self._process is not None and self._process.poll() is None:
                    self._process.kill()
            raise OSError("the Lambda zygote did not answer")
        return ForkedProcess(json.loads(answer)["pid"], ours)

    def stop(self) -> None:
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None
            if self._process is not None:
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()


# --- the zygote process ---------------------------------------------------------------------------------------

def _preload() -> None:
    """boto3, and the models of the services functions use most loaded into boto3's default session (the one
    ``boto3.client()`` uses) by clients made with throw-away keys: nothing is resolved, so each worker's first
    client still takes the credentials and region of its own environment."""
    import boto3
    import boto3.dynamodb.conditions  # noqa: F401 — what DynamoDB handlers import

    boto3.setup_default_session()
    keys = {"aws_access_key_id": "preload", "aws_secret_access_key": "preload", "region_name": "us-east-1",
            "endpoint_url": "http://127.0.0.1:9"}
    for service in WARM_SERVICES:
        boto3.DEFAULT_SESSION.client(service, **keys)
    boto3.DEFAULT_SESSION.resource("dynamodb", **keys)


def _child(record: dict[str, Any], fds: list[int], others: list[int]) -> None:
    """In the forked worker: become what process.py would have started, then run worker.py."""
    import runpy

    control, output, status = fds
    for fd in [status, *others]:
        os.close(fd)
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    for fd in (null, output):
        os.close(fd)
    os.chdir(record["cwd"])
    os.environ.clear()
    os.environ.update(record["environ"])
    os.environ["_LAB_CONTROL_FD"] = str(control)
    sys.argv = [str(WORKER_SCRIPT)]
    code = 0
    try:
        runpy.run_path(str(WORKER_SCRIPT), run_name="__main__")
    except SystemExit as exc:  # as the interpreter treats it: None is 0, a number is the code, text is printed
        if isinstance(exc.code, int):
            code = exc.code
        elif exc.code is not None:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:  # noqa: BLE001 — an uncaught exception ends a Python process with status 1
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        import atexit

        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
    os._exit(code)


def _serve(sock: socket.socket) -> None:
    statuses: dict[int, socket.socket] = {}  # pid → status socket, until reaped
    wake_r, wake_w = os.pipe()  # SIGCHLD writes here: a worker's end wakes the loop at once
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    while True:
        ready, _, _ = select.select([sock, wake_r], [], [])
        if wake_r in ready:
            os.read(wake_r, 4096)
            _reap(statuses)
        if sock not in ready:
            continue
        data, fds, _, _ = socket.recv_fds(sock, _MAX_RECORD, 3)
        if not data:
            return  # the runtime closed its end: the cloud is stopping (or gone)
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            continue
        pid = os.fork()
        if pid == 0:
            sock.close()
            _child(json.loads(data), fds, [wake_r, wake_w, *(s.fileno() for s in statuses.values())])
        status_sock = socket.socket(fileno=fds[2])
        for fd in fds[:2]:
            os.close(fd)
        try:
            status_sock.send(json.dumps({"pid": pid}).encode())
        except OSError:
            pass
        statuses[pid] = status_sock
        _reap(statuses)  # one that ended before it was listed


def _reap(statuses: dict[int, socket.socket]) -> None:
    """Collect every worker that ended, and tell the runtime how (Popen's returncode: -N for signal N)."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        reply = statuses.pop(pid, None)
        if reply is not None:
            try:
                reply.send(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())
            except OSError:
                pass
            reply.close()


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    _preload()
    # The packages now in memory (not the standard library's): code that bundles its own copy of one must start
    # as a new interpreter, or it would get ours.
    stdlib = os.path.dirname(os.__file__)
    preloaded = sorted({name.partition(".")[0] for name, module in list(sys.modules.items())
                        if not (getattr(module, "__file__", None) or stdlib).startswith(stdlib)})
    sock.send(json.dumps({"preloaded": preloaded}).encode())
    _serve(sock)


if __name__ == "__main__":
    main()
