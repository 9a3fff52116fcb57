"""RemoveHiddenTests: hidden test regions vanish, and so do cells that held nothing else."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_notebook

from tools.preprocessors import RemoveHiddenTests


def remove(*cells):
    return RemoveHiddenTests().preprocess(new_notebook(cells=list(cells)), "lab.ipynb").cells


def test_hidden_tests_are_removed_and_visible_tests_kept():
    """Is a hidden test region removed, markers included, with the visible tests around it kept?"""
    [cell] = remove(new_code_cell(
        "assert add(1, 1) == 2\n### BEGIN HIDDEN TESTS\nassert add(0, 0) == 0\n### END HIDDEN TESTS\n"
    ))
    assert cell.source == "assert add(1, 1) == 2\n"


def test_cell_left_empty_is_dropped():
    """Is a code cell that held only hidden tests dropped, while the other cells stay in order?"""
    cells = remove(
        new_code_cell("x = 1", id="before"),
        new_code_cell("  ### BEGIN HIDDEN TESTS\n  assert x == 1\n  ### END HIDDEN TESTS\n\n", id="hidden"),
        new_code_cell("", id="blank"),
    )
    assert [cell.id for cell in cells] == ["before", "blank"]  # a cell blank from the start is not ours to drop
