"""Deployment packages unpacked once per code version: ``<state dir>/lambda/<function>/<sha256 hex>/``.

    CodeStore(root)            where packages go; ``clear()`` at start (workers never outlive the cloud)
    CodeStore.unpack(version)  the directory holding the version's zip, extracted on first use

Keyed by the code's SHA-256, so update_function_code gives a new directory while running workers keep the old
one. Extraction goes to a temporary directory renamed into place, so a worker never sees half a package.
A package that is not a zip raises InvalidZipFileException, as Invoke does for a package it cannot unzip.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import shutil
import threading
import uuid
import zipfile
from pathlib import Path

from ..core.errors import AwsError
from . import models


class CodeStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()  # one extraction at a time: cheap, and no two threads race on one directory

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def unpack(self, version: models.LambdaVersion) -> Path:
        target = self.root / version.name / _digest(version)
        if target.is_dir():
            return target
        with self._lock:
            if target.is_dir():
                return target
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
            try:
                with zipfile.ZipFile(io.BytesIO(version.code)) as archive:
                    archive.extractall(staging)  # extractall drops absolute paths and "..": nothing lands outside
            except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
                shutil.rmtree(staging, ignore_errors=True)
                raise AwsError(
                    "InvalidZipFileException",
                    f"Could not unzip uploaded file. Please check your file, then try to upload again. ({exc})",
                    502,
                ) from None
            os.replace(staging, target)
        return target


def _digest(version: models.LambdaVersion) -> str:
    try:
        digest = base64.b64decode(version.code_sha256, validate=True).hex()
    except (binascii.Error, ValueError):
        digest = ""
    return digest or hashlib.sha256(version.code).hexdigest()
