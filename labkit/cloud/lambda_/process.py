"""One worker process, seen from the runtime: start, Init, invoke, memory, stop.

    role_credentials(version)                        a new session of the function's execution role
    worker_environ(version, cfg, stream, code_dir, credentials)   the worker's environment variables
    WorkerProcess(version, code_dir, environ, stream, zygote)   forked by the zygote when it can (zygote.py), else
                                                    a new interpreter
        .init(limit_s) -> Outcome                     wait for the handler's import (Lambda's Init phase)
        .invoke(message, timeout_s) -> Outcome        one invocation; past timeout_s the worker is killed
        .kill(reason) / .retire()                     SIGKILL its process group (the handler's children too)
        .rss_mb() / .peak_mb()                        resident memory now / at its highest (/proc)
    Outcome                                           the reply (or None), how it ended, timings, output lines

Output: the worker's fd 1 and 2 share one pipe, read by a thread that splits and timestamps lines. The worker ends
each phase's output with a marker line (worker.phase_marker): lines are attributed to the invocation that printed
them although they travel apart from its reply. A worker that dies or is killed closes its control socket, which
ends any wait on it at once.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ... import target
from ...config import PROJECT_ROOT, Config
from ..iam import models as iam_models
from . import faults, logs, models
from .worker import MARKER_PREFIX, recv_frame, send_frame
from .zygote import Zygote

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
OUTPUT_WAIT_S = 2.0  # after a reply, how long its phase's last output lines may take to arrive
EXIT_WAIT_S = 5.0
MAX_LINES = 10_000  # kept per phase; the rest is counted, so a print loop cannot eat the cloud's memory
_PASSED_THROUGH = ("PATH", "LD_LIBRARY_PATH", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE")
_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def common_environ() -> dict[str, str]:
    """What every worker's environment starts from (worker_environ adds the function's own): also the zygote's."""
    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    env.setdefault("PATH", os.defpath)
    env.update({"LANG": "en_US.UTF-8", "TZ": ":UTC", "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8",
                # boto3 must never read the learner's own ~/.aws files: a profile there could point it at real AWS.
                "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
    return env


def worker_environ(version: models.LambdaVersion, cfg: Config, stream: str, code_dir: Path,
                   credentials: dict[str, str]) -> dict[str, str]:
    """What Lambda sets (AWS Lambda developer guide, "Defined runtime environment variables"), the function's own
    variables, the local cloud's endpoint (target.activate) so boto3 in the handler reaches the local cloud, and
    ``credentials``: a session of the function's execution role (role_credentials), held to the role's policies.
    Nothing else of the cloud's environment leaks in (no proxies, no AWS profile)."""
    env = common_environ()
    target.activate(dataclasses.replace(cfg, target="local"), env)
    env.update(dict(version.environment))
    # Reserved on Lambda (a function's variables cannot replace them).
    env.pop("AWS_SESSION_TOKEN", None)
    env.update(credentials)
    env.update({
        "AWS_REGION": version.region,
        "AWS_DEFAULT_REGION": version.region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{version.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": version.name,
        "AWS_LAMBDA_FUNCTION_VERSION": version.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(version.memory_size),
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": logs.log_group(version.name),
        "AWS_LAMBDA_LOG_STREAM_NAME": stream,
        "LAMBDA_TASK_ROOT": str(code_dir),
        "_HANDLER": version.handler or "",
        "AWS_CONFIG_FILE": os.devnull,  # again: a function's own variables cannot point boto3 elsewhere either
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "_LAB_KIT_ROOT": str(PROJECT_ROOT),
    })
    return env


@dataclasses.dataclass
class Outcome:
    reply: dict[str, Any] | None  # the worker's answer (ready, init_error, result, error); None if it never came
    ended: str | None = None  # None: answered; else "timeout", "memory" or "exit"
    exit_status: str = ""  # how the process ended, in Lambda's words ("signal: killed"), when it did
    duration_ms: float = 0.0
    max_memory_mb: int = 0
    lines: list[tuple[int, str]] = dataclasses.field(default_factory=list)  # (epoch ms, text)


def role_credentials(version: models.LambdaVersion) -> dict[str, str]:
    """AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN of a new session of the function's role,
    named after the function as Lambda names it (arn:aws:sts::<account>:assumed-role/<role>/<function>)."""
    key, secret, token = iam_models.role_session(version.role, version.name, version.region)
    return {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token}


class WorkerProcess:
    def __init__(self, version: models.LambdaVersion, code_dir: Path, environ: dict[str, str], stream: str,
                 zygote: Zygote | None = None) -> None:
        self.version = version
        self.stream = stream
        self.last_used = time.monotonic()
        self.reason: str | None = None  # why the runtime killed it
        self._peak_mb = 0
        self._cond = threading.Condition()
        self._lines: list[tuple[int, str]] = []
        self._dropped = 0
        self._phases_done: set[str] = set()
        self._eof = False
        parent, child = socket.socketpair()
        read_fd, write_fd = os.pipe()
        try:
            forked = zygote.spawn(environ, code_dir, child.fileno(), write_fd) if zygote is not None else None
            self.process = forked or subprocess.Popen(
                [sys.executable, "-P", "-u", str(WORKER_SCRIPT)],
                cwd=code_dir,
                env={**environ, "_LAB_CONTROL_FD": str(child.fileno())},
                stdin=subprocess.DEVNULL,
                stdout=write_fd,
                stderr=write_fd,
                pass_fds=(child.fileno(),),
                start_new_session=True,  # its own process group: one killpg stops what the handler started too
            )
        except OSError:
            parent.close()
            os.close(read_fd)
            raise
        finally:
            child.close()
            os.close(write_fd)
        self.pid = self.process.pid
        self.control = parent
        threading.Thread(target=self._read_output, args=(read_fd,), name=f"lambda-output-{self.pid}",
                         daemon=True).start()

    # -- phases --------------------------------------------------------------------------------------------------
    def init(self, limit_s: float) -> Outcome:
        started = time.perf_counter()
        reply, ended = self._await(time.monotonic() + limit_s)
        return self._outcome(reply, ended, "init", started)

    def invoke(self, message: dict[str, Any], timeout_s: float) -> Outcome:
        started = time.perf_counter()
        try:
            self.control.settimeout(None)
            send_frame(self.control, message)
        except OSError:  # it died while idle
            reply, ended = None, self.reason or "exit"
        else:
            reply, ended = self._await(time.monotonic() + timeout_s)
        return self._outcome(reply, ended, message["id"], started)

    def _await(self, deadline: float) -> tuple[dict[str, Any] | None, str | None]:
        try:
            reply = recv_frame(self.control, deadline)
        except TimeoutError:
            self.kill("timeout")
            reply = None
        except (OSError, ValueError):
            reply = None
        return reply, (None if reply is not None else self.reason or "exit")

    def _outcome(self, reply: dict[str, Any] | None, ended: str | None, phase: str, started: float) -> Outcome:
        duration_ms = (time.perf_counter() - started) * 1000
        status = ""
        if reply is None:
            try:
                code = self.process.wait(timeout=EXIT_WAIT_S)
            except subprocess.TimeoutExpired:  # it closed its socket but lives on
                self.kill("exit")
                code = self.process.wait()
            status = faults.exit_status(code)
        memory = self.peak_mb()
        return Outcome(reply, ended, status, duration_ms, memory, self._take_lines(phase))

    # -- output ------------------------------------------------------------------------------------------------
    def _read_output(self, fd: int) -> None:
        pending = b""
        with os.fdopen(fd, "rb", buffering=0) as output:
            while chunk := output.read(65536):
                now = int(time.time() * 1000)
                pending += chunk
                *complete, pending = pending.split(b"\n")
                if len(pending) > logs.EVENT_LIMIT:  # a line without end: cut it into events
                    complete.append(pending)
                    pending = b""
                with self._cond:
                    for raw in complete:
                        self._add_line(now, raw)
                    self._cond.notify_all()
        with self._cond:
            if pending:
                self._add_line(int(time.time() * 1000), pending)
            self._eof = True
            self._cond.notify_all()

    def _add_line(self, now: int, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace")
        if text.endswith("\x00") and MARKER_PREFIX in text:
            text, _, marker = text.rpartition(MARKER_PREFIX)
            self._phases_done.add(marker[:-1])
        if not text:
            return
        if len(self._lines) >= MAX_LINES:
            self._dropped += 1
            return
        self._lines.append((now, text.replace("\r", "\n")))

    def _take_lines(self, phase: str) -> list[tuple[int, str]]:
        deadline = time.monotonic() + OUTPUT_WAIT_S
        with self._cond:
            while phase not in self._phases_done and not self._eof:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            self._phases_done.discard(phase)
            lines, self._lines = self._lines, []
            if self._dropped:
                lines.append((int(time.time() * 1000), f"[{self._dropped} more lines of output were dropped]"))
                self._dropped = 0
        return lines

    # -- life ---------------------------------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self.reason is None and self.process.poll() is None

    def kill(self, reason: str) -> None:
        """Stop it now; ``reason`` (timeout, memory…) is kept if it is the first."""
        with self._cond:
            if self.reason is None:
                self.reason = reason
        self.peak_mb()  # read while /proc still has it
        try:
            os.killpg(self.pid, signal.SIGKILL)  # the group outlives its leader while any member lives
        except (ProcessLookupError, PermissionError):
            pass

    def retire(self) -> None:
        """Stop it for good and release its process and socket."""
        self.kill("retired")
        try:
            self.process.wait(timeout=EXIT_WAIT_S)
        except subprocess.TimeoutExpired:
            pass
        self.control.close()

    def rss_mb(self) -> int:
        if self.process.returncode is not None:  # reaped: its pid may already belong to another process
            return 0
        try:
            with open(f"/proc/{self.pid}/statm") as statm:
                resident = int(statm.read().split()[1]) * _PAGE_MB
        except (OSError, ValueError, IndexError):
            return 0
        self._peak_mb = max(self._peak_mb, round(resident))
        return round(resident)

    def peak_mb(self) -> int:
        if self.process.returncode is not None:
            return self._peak_mb
        try:
            with open(f"/proc/{self.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        self._peak_mb = max(self._peak_mb, round(int(line.split()[1]) / 1024))
                        break
        except (OSError, ValueError):
            pass
        return self._peak_mb

