"""The local cloud's state on disk: one pickle, replaced atomically, read back at start.

The file holds moto's backends (labkit.cloud.moto.state.export_state) and the components' own state. It is written once the cloud
is quiet after a change (at least every few seconds under load: server.SAVE_*), and on a clean stop; a ``kill -9``
loses at most that interval.
A snapshot that cannot be read (corrupt, truncated, from another moto version) is moved aside, never deleted,
and the cloud starts empty with a notice saying where it went.
"""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path
from typing import Any

from ..moto import PINNED_MOTO
from ..moto.state import dumps

FORMAT = 1


class SnapshotStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.saved_at: float | None = None
        self.last_error: str | None = None

    def encode(self, moto_state: dict[str, Any], providers: dict[str, Any]) -> bytes:
        return dumps(
            {"format": FORMAT, "moto": PINNED_MOTO, "saved_at": time.time(), "moto_state": moto_state,
             "providers": providers}
        )

    def write(self, data: bytes) -> None:
        """Replace the snapshot atomically: a crash mid-write leaves the previous one intact."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        self.saved_at = time.time()

    def read(self) -> dict[str, Any] | None:
        """The saved state, or None if there is none. Raises UnreadableSnapshot for a bad file."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise UnreadableSnapshot(f"cannot read it ({exc.strerror})") from exc
        try:
            state = pickle.loads(data)
        except Exception as exc:  # any unpickling failure means the same thing here: unusable
            raise UnreadableSnapshot(f"it is corrupt ({type(exc).__name__}: {exc})") from exc
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            raise UnreadableSnapshot("it is not a snapshot of this kit")
        if state.get("moto") != PINNED_MOTO:
            raise UnreadableSnapshot(f"it was saved by moto {state.get('moto')}, this kit runs {PINNED_MOTO}")
        return state

    def move_aside(self, reason: str) -> str:
        """Rename the snapshot out of the way; returns the notice to show the user."""
        target = self.path.with_name(f"{self.path.stem}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}{self.path.suffix}")
        try:
            os.replace(self.path, target)
        except OSError as exc:
            return f"the saved state {self.path} could not be used ({reason}) nor moved ({exc.strerror}); started empty"
        return f"the saved state could not be used ({reason}): moved it to {target} and started empty"


class UnreadableSnapshot(Exception):
    pass
