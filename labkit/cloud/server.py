"""The local cloud process: binds its listeners, restores the snapshot, serves until SIGTERM, saves, exits.

    LocalCloud(cfg)   the components: health, providers, gateway, snapshot store, listeners
    main()            ``python -m labkit.cloud``: run in the foreground (``make up`` runs it in the background)

Files under the state directory (LAB_STATE_DIR, default .labcloud/):
    cloud.pid      the running process, removed on a clean stop
    runtime.json   the ports actually bound (a port setting of 0 picks a free one; tests use that)
    snapshot.pkl   the saved state (core/snapshot.py)
    cloud.lock     held while running: two clouds never share a state directory
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .. import config as _config
from ..errors import LabError
from .acm.component import CertificateAuthority
from .apigateway.component import ApiGatewayComponent
from .cloudfront.component import CdnComponent
from .cloudwatch.component import AlarmEvaluator
from .cognito.component import CognitoComponent
from .core.component import Component
from .core.edge import Edge
from .core.gateway import Gateway
from .core.health import Health
from .core.providers import ProviderRegistry, default_providers
from .core.snapshot import SnapshotStore, UnreadableSnapshot
from .core.statedir import make_state_dir
from .core.wsgi_on_uvicorn import WsgiListener
from .dynamodb.component import TableMetrics
from .iam.component import RolePermissions
from .lab.component import LabComponent
from .lambda_.component import LambdaRuntime
from .mailbox.component import MailboxComponent
from .phone.component import PhoneComponent
from .moto import LOCK, PINNED_MOTO, dispatch
from .moto import state as moto_state
from .route53.component import DnsServer
from .s3.component import S3AnonymousAccess
from .sns.component import NotifyComponent
from .sts.component import SecurityTokens
from .wafv2.component import WafComponent

log = logging.getLogger("labkit.cloud")
# Saving pickles the whole state under moto.LOCK, which stalls every request for that time (about a second with a
# class of fifty accounts): save once the cloud has been quiet after a change for SAVE_QUIET seconds, or for
# QUIET_PER_SAVE times as long as the last save took if that is longer (a pause in a class's grading is not the end
# of it), and under continuous load at least every SAVE_AT_MOST_EVERY. make down always saves.
SAVE_QUIET = 0.5
QUIET_PER_SAVE = 3.0
SAVE_AT_MOST_EVERY = 60.0

# The data planes, in start order: core's edge, and each service's component (labkit/cloud/<service>/component.py).
COMPONENTS: list[type[Component]] = [
    DnsServer, CertificateAuthority, Edge, S3AnonymousAccess, MailboxComponent, PhoneComponent, CognitoComponent,
    NotifyComponent, LambdaRuntime, ApiGatewayComponent, WafComponent, CdnComponent, SecurityTokens, RolePermissions,
    TableMetrics, AlarmEvaluator, LabComponent,
]


def listener_settings() -> list[str]:
    """Every port setting the cloud binds (make up checks them before starting)."""
    return ["gateway", *(name for cls in COMPONENTS for name in cls.port_settings)]


class LocalCloud:
    def __init__(self, cfg: _config.Config) -> None:
        self.cfg = cfg
        self.state_dir = Path(cfg.state_dir)
        self.health = Health()
        self.components = [cls(self) for cls in COMPONENTS]
        providers = default_providers(self) + [p for c in self.components for p in c.providers()]
        self.providers = ProviderRegistry(providers)
        self.gateway = Gateway(self.providers, self.health, on_change=self.mark_changed)
        for component in self.components:
            for path, handler in component.routes().items():
                self.gateway.route(path, handler)
            self.gateway.filters.extend(component.filters())
            self.gateway.answer_hooks.extend(component.answer_hooks())
        self.generation = 0  # counts changes: data planes compare it to know when their caches went stale
        self.store = SnapshotStore(self.state_dir / "snapshot.pkl")
        self.listeners: list[Any] = []
        self._changed = threading.Event()
        self._last_change = 0.0
        self._last_save_s = 0.0  # how long the last save held moto.LOCK
        self._stopping = threading.Event()
        self._lock_file: Any = None
        self.restored: dict[str, int] = {}

    # -- start -------------------------------------------------------------------------------------------------
    def start(self) -> None:
        make_state_dir(self.cfg)
        self._claim_state_dir()
        self.listeners.append(
            WsgiListener("gateway", self.cfg.ports["gateway"], self.gateway, environ_hook=dispatch.keep_underscored_headers)
        )
        for component in self.components:
            component.bind()
        self.restore()
        self.health.register("gateway", self._gateway_health)
        self.health.register("moto", lambda: {"status": "ok", "version": PINNED_MOTO})
        self.health.register("persistence", self._persistence_health)
        for component in self.components:
            self.health.register(component.name, component.health)
        for component in self.components:
            component.start()
        self._write_runtime()
        # The gateway opens last: once /_lab/health answers, every component is serving and the pid file exists.
        for listener in self.listeners:
            listener.start()
        threading.Thread(target=self._autosave, name="autosave", daemon=True).start()
        log.info("local cloud ready: %s", ", ".join(f"{n} {u}" for n, u in self.endpoints().items()))

    def _claim_state_dir(self) -> None:
        self._lock_file = open(self.state_dir / "cloud.lock", "a+")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(self.state_dir / "cloud.pid")
            raise LabError(
                f"another local cloud{f' (pid {pid})' if pid else ''} already uses {self.state_dir}: "
                "run make status to see it, or make down to stop it"
            ) from None

    def restore(self) -> None:
        try:
            state = self.store.read()
            if state is not None:
                self.restored = moto_state.import_state(state["moto_state"])
                for name, saved in state.get("providers", {}).items():
                    if name in self._stateful():
                        self._stateful()[name].restore(saved)
                log.info("restored %s", ", ".join(f"{k}×{v}" for k, v in sorted(self.restored.items())) or "nothing")
        except (UnreadableSnapshot, Exception) as exc:
            dispatch.reset()  # never run on half a restore
            reason = str(exc) if isinstance(exc, UnreadableSnapshot) else f"restoring failed: {exc}"
            notice = self.store.move_aside(reason)
            log.warning(notice)
            self.health.notice(notice)

    def _stateful(self) -> dict[str, Any]:
        """Everything that keeps its own state in the snapshot, by a stable name."""
        named = {p.name or type(p).__name__: p for p in self.providers.providers}
        named.update({f"component:{c.name}": c for c in self.components})
        return named

    def endpoints(self) -> dict[str, str]:
        urls = {"gateway": f"http://{_config.HOST}:{self._port('gateway')}"}
        for component in self.components:
            urls.update(component.endpoints())
        return urls

    def _port(self, name: str) -> int:
        return next(listener.port for listener in self.listeners if listener.name == name)

    def _write_runtime(self) -> None:
        runtime = {
            "pid": os.getpid(),
            "ports": {**{listener.name: listener.port for listener in self.listeners},
                      **{k: v for c in self.components for k, v in c.ports.items()}},
            "endpoints": self.endpoints(),
            "started_at": time.time(),
        }
        _write_atomic(self.state_dir / "runtime.json", json.dumps(runtime, indent=2))
        _write_atomic(self.state_dir / "cloud.pid", f"{os.getpid()}\n")

    # -- health --------------------------------------------------------------------------------------------------
    def _gateway_health(self) -> dict[str, Any]:
        report = self.listeners[0].health()
        report["endpoint"] = self.endpoints()["gateway"]
        report["providers"] = sorted({type(p).__name__ for p in self.providers.providers})
        return report

    def _persistence_health(self) -> dict[str, Any]:
        return {
            "status": "error" if self.store.last_error else "ok",
            "snapshot": str(self.store.path),
            "saved_at": self.store.saved_at,
            "restored": self.restored,
            **({"error": self.store.last_error} if self.store.last_error else {}),
        }

    # -- persistence -------------------------------------------------------------------------------------------
    def mark_changed(self) -> None:
        self.generation += 1
        self._last_change = time.monotonic()
        self._changed.set()

    def save(self) -> None:
        self._changed.clear()
        started = time.monotonic()
        with LOCK:
            own = {name: holder.snapshot() for name, holder in self._stateful().items()}
            data = self.store.encode(moto_state.export_state(), {k: v for k, v in own.items() if v is not None})
        self._last_save_s = time.monotonic() - started
        try:
            self.store.write(data)
            self.store.last_error = None
        except OSError as exc:
            self._changed.set()  # try again next time
            self.store.last_error = f"cannot write {self.store.path}: {exc.strerror}"
            log.error(self.store.last_error)

    def _autosave(self) -> None:
        last_save = time.monotonic()
        while not self._stopping.wait(SAVE_QUIET / 2):
            if not self._changed.is_set():
                continue
            now = time.monotonic()
            quiet = max(SAVE_QUIET, QUIET_PER_SAVE * self._last_save_s)
            if now - self._last_change < quiet and now - last_save < SAVE_AT_MOST_EVERY:
                continue  # still busy: a save now would stall the requests in flight
            try:
                self.save()
            except Exception:
                log.exception("saving the snapshot failed")
            last_save = time.monotonic()

    # -- stop ----------------------------------------------------------------------------------------------------
    def stop(self) -> None:
        self._stopping.set()
        for component in reversed(self.components):
            component.stop()
        for listener in reversed(self.listeners):
            listener.stop()
        self.save()
        for name in ("cloud.pid", "runtime.json"):
            (self.state_dir / name).unlink(missing_ok=True)
        log.info("local cloud stopped; state saved to %s", self.store.path)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def configure_logging() -> None:
    """cloud.log holds the kit's own lines (``labkit.*`` at INFO) and only warnings from libraries: at INFO aiosmtpd
    (logger "mail.log") alone writes a dozen lines per mail, burying the kit's start, restore and stop lines."""
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger("labkit").setLevel(logging.INFO)


def main() -> int:
    configure_logging()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        cloud = LocalCloud(_config.load())
        cloud.start()
    except LabError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 2
    stop.wait()
    cloud.stop()
    return 0
