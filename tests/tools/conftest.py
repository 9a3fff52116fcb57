"""Shared by the tools' tests: the stored notebooks with defects, and a way to run a tool's CLI for real."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Callable

import nbformat
import pytest
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parents[2]
FILES = Path(__file__).parent / "files"


@pytest.fixture
def files() -> Path:
    """tests/tools/files/: small notebooks, each named for the defect it holds."""
    return FILES


@pytest.fixture
def stored() -> Callable[[str], NotebookNode]:
    """Read a notebook from tests/tools/files/ by name."""
    return lambda name: nbformat.read(FILES / name, as_version=4)


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m tools.<module> ARGS...`` from the repository root, as the Makefile does."""

    def run(module: str, *args: object, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", f"tools.{module}", *map(str, args)]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)

    return run
