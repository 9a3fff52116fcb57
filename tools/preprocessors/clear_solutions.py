"""ClearSolutions: the instructor's answers become stubs for the student to fill in."""

from __future__ import annotations

import json
import re
from functools import partial

from nbformat import NotebookNode

from .regions import SOLUTION, replace_regions

# An ATX heading ("## 2. Block Public Access"); its closing '#'s are not part of the text.
HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<text>.+?)(?:[ \t]+#+)?[ \t]*$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")


def not_done_message(exercise: str | None) -> str:
    """What a student reads on running an exercise left as its stub: one line naming it and where to look."""
    what = f"exercise '{exercise}'" if exercise else "this exercise"
    return f"{what} is not done yet: see the Exercise above this cell"


def _code_stub(indent: str, exercise: str | None, section: str | None = None) -> list[str]:
    # Raising (nbgrader's convention) makes an unanswered exercise fail loudly instead of running on silently; the
    # message says which exercise, since the traceback's last line is all a student reads.
    # A JSON string is a valid Python literal, double-quoted as the notebooks' own code is (repr would pick quotes).
    message = json.dumps(not_done_message(exercise or section), ensure_ascii=False)
    return [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError({message})"]


def _answer_stub(indent: str, exercise: str | None) -> list[str]:
    return [f"{indent}YOUR ANSWER HERE"]


def last_heading(markdown: str) -> str | None:
    """The text of the last heading in ``markdown``, skipping fenced code (where '#' starts a comment)."""
    heading, fenced = None, False
    for line in markdown.split("\n"):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := HEADING.match(line)):
            heading = match["text"]
    return heading


class ClearSolutions:
    """Replace each SOLUTION region: in code cells by a stub that raises, elsewhere by ``YOUR ANSWER HERE``.

    The stub names its exercise after the marker's name (``### BEGIN SOLUTION admin_rule``) or, by default, after
    the section the cell is in: the last heading above it, as the student sees it in the notebook.
    """

    def preprocess(self, nb: NotebookNode, name: str) -> NotebookNode:
        section = None
        for index, cell in enumerate(nb.cells):
            stub = partial(_code_stub, section=section) if cell.cell_type == "code" else _answer_stub
            replace_regions(cell, SOLUTION, stub, name, index)
            if cell.cell_type == "markdown":
                # After the replacement: a marker line ("### BEGIN SOLUTION") reads as a heading too.
                section = last_heading(cell.source) or section
        return nb
