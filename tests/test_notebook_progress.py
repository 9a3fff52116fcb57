"""retry_until in a real notebook kernel: the progress bar shows without warnings, and its last state is saved."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from labkit.config import PROJECT_ROOT

ATTEMPTS = """\
import labkit
from labkit.waiting import NotYet

def attempts(*results):
    results = iter(results)
    def attempt():
        result = next(results)
        if isinstance(result, Exception):
            raise result
        return result
    return attempt
"""
READY = """\
labkit.retry_until("thing ready", attempts(NotYet("status PENDING"), NotYet("status PENDING"), "ok"),
                   deadline=10, backoff=0.05)"""
GIVES_UP = """\
try:
    labkit.retry_until("never ready", attempts(*[NotYet("status STUCK")] * 100), deadline=0.3, backoff=0.05)
except labkit.StillPending:
    pass
"""
# As in tools.run_notebooks: an encrypted kernel connection, which also spares the run a warning about it.
QUIET = Config({"KernelManager": {"transport_encryption": "auto"}})


def texts(output):
    """Every text a reader of the saved notebook could see in ``output``."""
    data = output.get("data", {})
    return [output.get("text", ""), data.get("text/plain", ""), data.get("text/html", "")]


def test_the_progress_bar_in_a_kernel_warns_nothing_and_ends_in_its_last_state():
    """Run as JupyterLab would (a python3 kernel, through nbclient as tools.run_notebooks does): is there no
    'install ipywidgets' warning, and does each bar leave one output showing how its wait ended, done or not?"""
    nb = new_notebook(cells=[new_code_cell(ATTEMPTS), new_code_cell(READY), new_code_cell(GIVES_UP)])
    client = NotebookClient(nb, kernel_name="python3", timeout=120, config=QUIET,
                            resources={"metadata": {"path": str(PROJECT_ROOT)}})
    client.execute()
    _, ready, gives_up = nb.cells
    for cell in (ready, gives_up):
        seen = "".join(text for output in cell.outputs for text in texts(output))
        assert "Warning" not in seen and "ipywidgets" not in seen, seen
        assert all(output.output_type != "stream" or output.name != "stderr" for output in cell.outputs)
    # One output per bar, redrawn in place; the saved notebook holds its final frame as plain text.
    [bar, result] = ready.outputs
    assert bar.output_type == "display_data" and result.data["text/plain"] == "'ok'"
    assert bar.data["text/plain"].startswith("thing ready ━")
    assert bar.data["text/plain"].rstrip().endswith(" done")
    assert "thing ready" in bar.data["text/html"]
    [stuck] = gives_up.outputs
    assert stuck.data["text/plain"].startswith("never ready ━")
    assert stuck.data["text/plain"].rstrip().endswith(" status STUCK")
