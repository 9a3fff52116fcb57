"""What a learner reads in a notebook when a cell fails for a reason the kit knows: one red line, no traceback."""

from __future__ import annotations

import re

from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from labkit.config import PROJECT_ROOT
from tools.preprocessors.clear_solutions import not_done_message

QUIET = Config({"KernelManager": {"transport_encryption": "auto"}})  # as tools.run_notebooks runs kernels


def run_cells(*sources: str):
    nb = new_notebook(cells=[new_code_cell(source) for source in sources])
    NotebookClient(nb, kernel_name="python3", timeout=120, config=QUIET, allow_errors=True,
                   resources={"metadata": {"path": str(PROJECT_ROOT)}}).execute()
    return nb.cells


def shown(cell) -> str:
    parts = []
    for output in cell.outputs:
        parts.append(output.get("text", "") + output.get("data", {}).get("text/plain", ""))
        parts += output.get("traceback", [])
    return re.sub(r"\x1b\[[0-9;]*m", "", "".join(parts))  # colours: JupyterLab shows them, the text is the same


def test_an_exercise_left_as_its_stub_is_one_line_naming_it():
    """The stub tools/generate_labs writes raises NotImplementedError naming the exercise: the learner reads that
    line, not a traceback through IPython's internals; a NotImplementedError of the learner's own keeps its
    traceback, and a LabError is one line too."""
    stub = f"raise NotImplementedError({not_done_message('2. Block Public Access')!r})"
    _, exercise, own, lab_error = run_cells(
        "import labkit", stub, "def f():\n    raise NotImplementedError('mine')\nf()",
        "labkit.first([], 'no user pool yet: run notebook 06 first')")
    text = shown(exercise)
    assert text.strip() == ("NotImplementedError: exercise '2. Block Public Access' is not done yet: see the "
                            "Exercise above this cell")
    assert "Traceback" not in text and "Cell In" not in text
    assert "Traceback" in shown(own) or "Cell In" in shown(own)
    assert "f()" in shown(own)
    assert shown(lab_error).strip() == "LabError: no user pool yet: run notebook 06 first"
