"""The state directory of the local cloud, made by ``make up`` and by the cloud process itself.

Apart from control.py (which imports rich for ``make status``), so that the cloud process need not import it.
"""

from __future__ import annotations

from pathlib import Path

from ...config import Config
from ...errors import LabError


def make_state_dir(cfg: Config) -> Path:
    path = Path(cfg.state_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LabError(
            f"cannot use {path} for the local cloud's state ({exc.strerror}): set LAB_STATE_DIR to a writable folder"
        ) from None
    return path
