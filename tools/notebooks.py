"""Reading and writing notebooks the same way in every tool, so that the same notebook gives the same bytes."""

from __future__ import annotations

import io
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .preprocessors import NotebookError

ROOT = Path(__file__).resolve().parent.parent  # the repository: solutions/, labs/ and reports/ live here


CLEANUP = "12-cleanup.ipynb"  # removes everything: the optional labs (13 on) build on the site, so it runs last


def workshop_order(paths: list[Path]) -> list[Path]:
    """The notebooks in the order a whole run takes them: by name, cleanup last."""
    return sorted(paths, key=lambda path: (path.name == CLEANUP, path.name))


def display(path: Path) -> str:
    """The path as the user would type it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read(path: Path) -> NotebookNode:
    """The notebook at ``path`` as nbformat 4; a missing or malformed file is a NotebookError, not a traceback."""
    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise NotebookError(f"{display(path)}: no such file") from None
    except (OSError, ValueError, nbformat.ValidationError) as err:
        raise NotebookError(f"{display(path)}: cannot read the notebook: {first_line(err)}") from None


def render(nb: NotebookNode) -> bytes:
    """The file contents for ``nb``: nbformat 4 JSON, '\\n' line ends on every platform."""
    text = io.StringIO()
    nbformat.write(nb, text, version=4)
    return text.getvalue().encode("utf-8")


def first_line(message: object) -> str:
    """The first line of ``str(message)``: tools report every problem on one line."""
    lines = str(message).strip().splitlines()
    return lines[0] if lines else ""
