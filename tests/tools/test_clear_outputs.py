"""ClearOutputs: a lab starts unexecuted and without the instructor's machine details."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools.preprocessors import ClearOutputs


def test_outputs_counts_and_volatile_metadata_go():
    """Do code cells lose outputs, execution counts and view/timing metadata, while other metadata (tags) stays?"""
    volatile = {"collapsed": True, "scrolled": True, "execution": {"iopub.status.idle": "2024-01-01"},
                "ExecuteTime": {"end_time": "2024-01-01"}}
    nb = new_notebook(cells=[
        new_code_cell("1 + 1", execution_count=3, outputs=[new_output("execute_result", data={"text/plain": "2"})],
                      metadata={**volatile, "tags": ["setup"]}),
        new_markdown_cell("# Title", metadata={"scrolled": False}),
    ])
    code, markdown = ClearOutputs().preprocess(nb, "lab.ipynb").cells
    assert (code.outputs, code.execution_count, code.metadata) == ([], None, {"tags": ["setup"]})
    assert markdown.metadata == {}


def test_notebook_metadata_keeps_only_the_kernel_and_language_name():
    """Is notebook metadata reduced to the kernelspec and the language's name?"""
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb = new_notebook(metadata={"kernelspec": kernelspec, "widgets": {"state": {}}, "toc": {},
                                "language_info": {"name": "python", "version": "3.11.7", "mimetype": "text/x-python"}})
    assert ClearOutputs().preprocess(nb, "lab.ipynb").metadata == {
        "kernelspec": kernelspec, "language_info": {"name": "python"}
    }
