"""Errors in the notebooks a tool reads, and how messages point at a cell."""

from __future__ import annotations

from nbformat import NotebookNode


class NotebookError(Exception):
    """A notebook the author must fix; ``str(err)`` is one line naming the notebook (and the cell, if any)."""


def cell_location(name: str, index: int, cell: NotebookNode) -> str:
    """``solutions/03-route53.ipynb cell 7 (id 1a2b)``: the index counts from 0, as in ``nb.cells``; the id,
    when the notebook has ids, finds the cell even after cells were added above it."""
    cell_id = cell.get("id")
    return f"{name} cell {index}" + (f" (id {cell_id})" if cell_id else "")
