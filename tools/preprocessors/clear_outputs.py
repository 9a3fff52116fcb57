"""ClearOutputs: a lab starts unexecuted, without traces of the instructor's run or machine."""

from __future__ import annotations

import nbformat
from nbformat import NotebookNode

# Per-cell view state and timings written by JupyterLab and extensions: noise in diffs, not content.
VOLATILE_CELL_METADATA = ("collapsed", "scrolled", "execution", "ExecuteTime")


class ClearOutputs:
    """Drop outputs, execution counts and volatile metadata; keep only what opens the notebook in the right kernel."""

    def preprocess(self, nb: NotebookNode, name: str) -> NotebookNode:
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
            for key in VOLATILE_CELL_METADATA:
                cell.metadata.pop(key, None)
        metadata = {}
        if "kernelspec" in nb.metadata:
            metadata["kernelspec"] = nb.metadata.kernelspec
        if "language_info" in nb.metadata:
            # The language's name is enough for highlighting; its version would change with the instructor's Python.
            metadata["language_info"] = {"name": nb.metadata.language_info["name"]}
        nb.metadata = nbformat.from_dict(metadata)
        return nb
