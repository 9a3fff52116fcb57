"""RemoveHiddenTests: checks the grader runs but the student must not see."""

from __future__ import annotations

from nbformat import NotebookNode

from .regions import HIDDEN_TESTS, replace_regions


class RemoveHiddenTests:
    """Delete each HIDDEN TESTS region; drop a code cell that held nothing else, rather than leave it blank."""

    def preprocess(self, nb: NotebookNode, name: str) -> NotebookNode:
        kept = []
        for index, cell in enumerate(nb.cells):
            removed = replace_regions(cell, HIDDEN_TESTS, lambda indent, region_name: [], name, index)
            if not (removed and cell.cell_type == "code" and not cell.source.strip()):
                kept.append(cell)
        nb.cells = kept
        return nb
