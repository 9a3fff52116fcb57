"""A local cloud of its own for a tool or benchmark run: ``python -m labkit up`` with its own state folder, free
loopback ports and every other setting at the learner's default, stopped (``down``) when the block ends.

    fresh_cloud(state, **settings)   context manager: os.environ holds the cloud's settings within it, so the
                                     kernels and processes started there use this cloud
    environment(changes)             os.environ with ``changes`` (None removes a variable) for the block
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .notebooks import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def environment(changes: dict[str, str | None]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in changes}
    try:
        for key, value in changes.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def cloud_settings(state: Path) -> dict[str, str | None]:
    from labkit import config

    settings: dict[str, str | None] = {var: str(free_port()) for var, _, _ in config.PORTS.values()}
    settings.update(LAB_STATE_DIR=str(state), LAB_TARGET="local",
                    LAB_CLOUDFRONT_DEPLOY_SECONDS=None,  # the learner's default deploy time, not a test's
                    AWS_ENDPOINT_URL=None)  # the notebooks point boto3 at the cloud themselves (labkit.activate)
    return settings


def labkit_command(command: str) -> None:
    """``python -m labkit up`` or ``down`` (make up, make down) with the settings of the moment."""
    done = subprocess.run([sys.executable, "-m", "labkit", command], cwd=ROOT, timeout=120, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(f"python -m labkit {command} failed: {(done.stderr or done.stdout).strip()[-500:]}")


@contextmanager
def fresh_cloud(state: Path, **settings: str | None) -> Iterator[None]:
    with environment({**cloud_settings(state), **settings}):
        labkit_command("up")
        try:
            yield
        finally:
            labkit_command("down")
