"""Notebooks: labs/ is generated from solutions/ and in sync; each solution runs top to bottom (nbval) on a fresh
local cloud; a learner with the cloud down gets the one-line fix, not a traceback."""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from labkit.config import PROJECT_ROOT

from .conftest import free_port


def test_labs_are_in_sync_with_solutions():
    from tools.generate_labs import out_of_sync

    assert out_of_sync(PROJECT_ROOT / "solutions", PROJECT_ROOT / "labs") == []


def test_labs_hold_no_solutions_and_no_outputs():
    for lab in (PROJECT_ROOT / "labs").glob("*.ipynb"):
        nb = nbformat.read(lab, as_version=4)
        for cell in nb.cells:
            assert "BEGIN SOLUTION" not in cell.source and "HIDDEN TESTS" not in cell.source, lab.name
            assert not cell.get("outputs"), lab.name


@pytest.mark.notebook
def test_solutions_run_in_order_with_nbval_on_a_fresh_cloud(workshop):
    """The whole workshop, as a learner does it: every solution notebook, in order, on one fresh local cloud
    (the ``workshop`` fixture; the browser tests then use the site it built)."""
    assert workshop.run.returncode == 0, workshop.run.stdout[-6000:]


def test_setup_notebook_with_the_cloud_down_says_run_make_up():
    nb = nbformat.read(PROJECT_ROOT / "labs" / "00-setup.ipynb", as_version=4)
    env = {**os.environ, "LAB_GATEWAY_PORT": str(free_port())}
    with pytest.raises(CellExecutionError) as caught:
        _execute(nb, env)
    assert caught.value.ename == "CloudDown"  # the kernel reports the error: nbval and nbclient stop here
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    text = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "the local cloud is not running: run make up" in text
    assert "Traceback" not in text


def _execute(nb, env):
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3")
    km.start_kernel(env=env, cwd=str(PROJECT_ROOT / "labs"))
    try:
        NotebookClient(nb, km=km, timeout=120).execute()
    finally:
        km.shutdown_kernel(now=True)
