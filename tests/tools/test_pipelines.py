"""The pipelines' order: GENERATE_LAB must remove hidden tests before it clears solutions."""

from __future__ import annotations

import pytest

from tools.preprocessors import GENERATE_LAB, ClearSolutions, RegionError, RemoveHiddenTests


def apply(steps, nb):
    for step in steps:
        nb = step().preprocess(nb, "hidden-tests-in-solution-cell.ipynb")
    return nb


def test_hidden_tests_inside_a_solution_region_leave_no_trace(stored):
    """Does GENERATE_LAB turn a solution cell holding hidden tests into a stub, with no hidden test left anywhere?"""
    lab = apply(GENERATE_LAB, stored("hidden-tests-in-solution-cell.ipynb"))
    sources = [cell.source for cell in lab.cells]
    assert sources == [
        "Write `add`.",
        "def add(a, b):\n    # YOUR CODE HERE\n"
        "    raise NotImplementedError(\"this exercise is not done yet: see the Exercise above this cell\")\n",
        "assert add(1, 1) == 2",
    ]


def test_clearing_solutions_first_would_fail(stored):
    """Is the order load-bearing: would clearing solutions before removing hidden tests reject the notebook?"""
    with pytest.raises(RegionError, match="BEGIN HIDDEN TESTS inside a SOLUTION region"):
        apply([ClearSolutions, RemoveHiddenTests], stored("hidden-tests-in-solution-cell.ipynb"))
