"""ClearSolutions: the instructor's answers become stubs for the student to fill in."""

from __future__ import annotations

from nbformat import NotebookNode

from .regions import SOLUTION, replace_regions


def _code_stub(indent: str) -> list[str]:
    # Raising (nbgrader's convention) makes an unanswered exercise fail loudly instead of running on silently.
    return [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]


def _answer_stub(indent: str) -> list[str]:
    return [f"{indent}YOUR ANSWER HERE"]


class ClearSolutions:
    """Replace each SOLUTION region: in code cells by a stub that raises, elsewhere by ``YOUR ANSWER HERE``."""

    def preprocess(self, nb: NotebookNode, name: str) -> NotebookNode:
        for index, cell in enumerate(nb.cells):
            stub = _code_stub if cell.cell_type == "code" else _answer_stub
            replace_regions(cell, SOLUTION, stub, name, index)
        return nb
