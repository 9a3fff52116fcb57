"""Starting, stopping and inspecting the local cloud from outside it (``make up``, ``make down``, ``make status``).

The cloud runs as its own background process (``python -m labkit.cloud``); its pid file, runtime file, log and
snapshot live in the state directory. Every function here is safe to repeat: ``up`` when already up says so and
starts nothing, ``down`` when already down says so.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ..config import PORTS, PROJECT_ROOT, Config
from ..errors import CloudDown, LabError
from ..target import cloud_health
from ..waiting import Fatal, NotYet, retry_until
from .core.listeners import check_browser_ports, port_is_free, refusing_browsers
from .core.statedir import make_state_dir

START_DEADLINE = 90.0
STOP_DEADLINE = 30.0
LOG_ROTATE_BYTES = 5 * 1024 * 1024

console = Console(highlight=False)


def _paths(cfg: Config) -> dict[str, Path]:
    root = Path(cfg.state_dir)
    return {"pid": root / "cloud.pid", "log": root / "cloud.log", "runtime": root / "runtime.json"}


def running_pid(cfg: Config) -> int | None:
    """The pid of this state directory's cloud process, if it is alive (and really ours)."""
    try:
        pid = int(_paths(cfg)["pid"].read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return None
    return pid if b"labkit.cloud" in cmdline else None


def up(cfg: Config, *, quiet: bool = False) -> dict[str, Any]:
    """Start the cloud in the background and wait until it is healthy; returns the health document."""
    paths = _paths(cfg)
    pid = running_pid(cfg)
    if pid:
        try:
            health = cloud_health(cfg)
        except CloudDown:
            raise LabError(
                f"a local cloud process (pid {pid}) is running but does not answer on port {cfg.ports['gateway']}: "
                "run make down, then make up"
            ) from None
        if not quiet:
            console.print(f"The local cloud is already running (pid {pid}); nothing started.")
            print_endpoints(cfg, health)
        return health
    from .server import listener_settings

    refused = check_browser_ports(cfg.ports)
    if refused:  # the cloud would start, and the site would only say "Failed to fetch"
        name, port, alternative = refused
        var = PORTS[name][0]
        raise LabError(
            f"{var}={port} is a port {refusing_browsers(port)} to connect to (ERR_UNSAFE_PORT): choose another, "
            f"for example make up {var}={alternative}"
        )
    for name in listener_settings():
        port = cfg.ports[name]
        if port and not port_is_free(port):
            var = PORTS[name][0]
            raise LabError(
                f"port {port} ({name}) is already in use by another process: stop that process, or choose another "
                f"port with {var}=<port> (for example `make up {var}={port + 1}`)"
            )
    make_state_dir(cfg)
    for stale in ("pid", "runtime"):
        paths[stale].unlink(missing_ok=True)
    _rotate(paths["log"])
    log = open(paths["log"], "ab")
    offset = log.tell()  # this start's lines begin here
    process = subprocess.Popen(
        [sys.executable, "-m", "labkit.cloud"],
        cwd=PROJECT_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # survives the terminal (and make) that started it
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    log.close()

    def healthy() -> dict[str, Any]:
        if process.poll() is not None:
            raise Fatal(_last_error(paths["log"], offset) or f"the local cloud exited with code {process.returncode}; see {paths['log']}")
        try:
            health = cloud_health(cfg, timeout=1.0)
        except CloudDown as exc:
            raise NotYet("waiting for the gateway") from exc
        if health.get("status") != "ok":
            raise NotYet("components starting")
        return health

    health = retry_until("Starting the local cloud", healthy, deadline=START_DEADLINE, backoff=0.1,
                         max_interval=0.5, progress=not quiet)
    if not quiet:
        console.print(f"[green]The local cloud is up[/green] (pid {process.pid}).")
        print_endpoints(cfg, health)
    return health


def down(cfg: Config, *, quiet: bool = False) -> bool:
    """Stop the cloud, letting it save its state; returns False if it was not running."""
    pid = running_pid(cfg)
    if pid is None:
        _paths(cfg)["pid"].unlink(missing_ok=True)
        if not quiet:
            console.print("The local cloud is not running; nothing to stop.")
        return False
    os.kill(pid, signal.SIGTERM)

    def gone() -> bool:
        if _alive(pid):
            raise NotYet("saving state")
        return True

    try:
        retry_until("Stopping the local cloud", gone, deadline=STOP_DEADLINE, backoff=0.05, max_interval=0.25,
                    progress=not quiet)
    except LabError:
        os.kill(pid, signal.SIGKILL)
        console.print(f"[yellow]The local cloud (pid {pid}) did not stop within {STOP_DEADLINE:.0f} s and was killed; "
                      "changes from its last seconds may be lost.[/yellow]")
    _paths(cfg)["pid"].unlink(missing_ok=True)
    if not quiet:
        console.print(f"The local cloud is stopped; its state is saved in {Path(cfg.state_dir) / 'snapshot.pkl'}.")
    return True


def status(cfg: Config) -> dict[str, Any] | None:
    try:
        health = cloud_health(cfg)
    except CloudDown as exc:
        message = str(exc)  # "the local cloud is not running: run make up", or what else answers on its port
        console.print(f"{message[:1].upper()}{message[1:]}.", soft_wrap=True)
        return None
    table = Table(title=f"Local cloud (pid {health.get('pid')}, up {health.get('uptime_s')} s)")
    table.add_column("component")
    table.add_column("status")
    table.add_column("details")
    for name, report in health["components"].items():
        colour = "green" if report.get("status") == "ok" else "red"
        details = ", ".join(f"{k}={_detail(k, v)}" for k, v in report.items()
                            if k != "status" and v not in (None, [], {}))
        table.add_row(name, f"[{colour}]{report.get('status')}[/{colour}]", details)
    console.print(table)
    print_endpoints(cfg, health)
    return health


def _detail(key: str, value: Any) -> str:
    """A health value in words: times (``*_at``, seconds since the epoch) as local time, lists and dicts as lists."""
    if key.endswith("_at") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(value))
    if isinstance(value, dict):  # nested ones too: lambda's workers={fn: {busy: 0, idle: 1}} → "fn (busy 0, idle 1)"
        return ", ".join(f"{k} ({_detail('', v)})" if isinstance(v, dict) else f"{k} {_detail('', v)}"
                         for k, v in value.items())
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_detail("", v) for v in value)
    return str(value)


def print_endpoints(cfg: Config, health: dict[str, Any]) -> None:
    from ..endpoints import site_origin

    gateway = health["components"].get("gateway", {}).get("endpoint", cfg.gateway_url)
    table = Table(show_header=False, box=None, padding=(0, 2))
    # What a learner opens in the browser first: the contact site (once notebook 04 has deployed it), and the mail
    # the site sends (sign-up codes, notifications).
    table.add_row("contact site", f"{site_origin(_bound(cfg, health))}/")
    table.add_row("mailbox", f"{gateway}/_lab/mail")
    table.add_row("AWS APIs (AWS_ENDPOINT_URL)", gateway)
    table.add_row("health", f"{gateway}/_lab/health")
    table.add_row("state and logs", str(cfg.state_dir))
    console.print(table)
    for notice in health.get("notices", []):
        console.print(f"[yellow]notice:[/yellow] {notice}")


def _bound(cfg: Config, health: dict[str, Any]) -> Config:
    """``cfg`` with the HTTPS port the edge really bound (a setting of 0 picks a free one)."""
    https = (health["components"].get("edge", {}).get("ports") or {}).get("https")
    if isinstance(https, int) and https != cfg.ports["https"]:
        return dataclasses.replace(cfg, ports={**cfg.ports, "https": https})
    return cfg


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by its parent) counts as gone once its last thread has exited
        zombie = Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
        return not zombie or len(os.listdir(f"/proc/{pid}/task")) > 1
    except OSError:
        return False


def _last_error(log: Path, offset: int) -> str | None:
    """The one-line error the cloud printed since ``offset`` (server.main prints LabErrors as ``error: …``)."""
    try:
        with open(log, "rb") as handle:
            handle.seek(offset)
            lines = handle.read().decode(errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        if line.startswith("error: "):
            return line[len("error: "):]
    return None


def _rotate(log: Path) -> None:
    try:
        if log.stat().st_size > LOG_ROTATE_BYTES:
            os.replace(log, log.with_suffix(".log.1"))
    except OSError:
        pass


def runtime(cfg: Config) -> dict[str, Any] | None:
    try:
        return json.loads(_paths(cfg)["runtime"].read_text())
    except (OSError, ValueError):
        return None
