"""The shared region helper: which lines are markers, and how mistakes are reported."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell

from tools.preprocessors import NotebookError, RegionError
from tools.preprocessors.regions import HIDDEN_TESTS, SOLUTION, replace_regions


def test_markers_may_vary_in_hashes_and_indentation():
    """Are markers found with any number of '#' and any indentation, and is that indentation passed on?"""
    cell = new_code_cell("if ok:\n    # BEGIN SOLUTION\n    x = 1\n    ##### END SOLUTION\ndone()")
    indents = []

    def stub(indent, region_name):
        indents.append(indent)
        return ["<stub>"]

    replaced = replace_regions(cell, SOLUTION, stub, "a.ipynb", 0)
    assert (replaced, indents) == (1, ["    "])
    assert cell.source == "if ok:\n<stub>\ndone()"


def test_a_line_mentioning_a_marker_is_not_one():
    """Is a line that merely mentions a marker, such as a string, left alone?"""
    cell = new_code_cell("print('### BEGIN SOLUTION')")
    assert replace_regions(cell, SOLUTION, lambda indent, region_name: [], "a.ipynb", 0) == 0
    assert cell.source == "print('### BEGIN SOLUTION')"


def test_unclosed_region_names_notebook_cell_and_problem(stored):
    """Does a BEGIN without END raise a RegionError naming the notebook, the cell index and id, and the problem?"""
    nb = stored("unclosed-solution.ipynb")
    with pytest.raises(RegionError) as raised:
        for index, cell in enumerate(nb.cells):
            replace_regions(cell, SOLUTION, lambda indent, region_name: [], "solutions/unclosed-solution.ipynb", index)
    assert str(raised.value) == (
        "solutions/unclosed-solution.ipynb cell 2 (id create-zone): BEGIN SOLUTION without END SOLUTION (line 2)"
    )
    assert isinstance(raised.value, NotebookError)


def test_end_without_begin_is_an_error():
    """Does an END marker with no BEGIN before it raise a RegionError?"""
    cell = new_code_cell("x = 1\n### END SOLUTION", id="orphan")
    with pytest.raises(RegionError, match=r"^a.ipynb cell 4 \(id orphan\): END SOLUTION without BEGIN SOLUTION"):
        replace_regions(cell, SOLUTION, lambda indent, region_name: [], "a.ipynb", 4)


def test_nested_region_is_an_error(stored):
    """Does a region opened inside another raise a RegionError saying so?"""
    cell = stored("nested-regions.ipynb").cells[0]
    with pytest.raises(RegionError) as raised:
        replace_regions(cell, SOLUTION, lambda indent, region_name: [], "nested-regions.ipynb", 0)
    assert str(raised.value) == (
        "nested-regions.ipynb cell 0 (id nested): BEGIN SOLUTION inside a SOLUTION region (line 3)"
    )


def test_markers_of_another_kind_are_left_outside_regions():
    """Are another kind's markers outside a region left for that kind's preprocessor?"""
    source = "### BEGIN HIDDEN TESTS\nassert x\n### END HIDDEN TESTS"
    cell = new_code_cell(source)
    assert replace_regions(cell, SOLUTION, lambda indent, region_name: [], "a.ipynb", 0) == 0
    assert cell.source == source


def test_a_begin_solution_marker_may_name_its_region():
    """Is the one word after BEGIN SOLUTION passed on as the region's name, and None when there is none, while a
    comment going on past the marker in several words is still prose?"""
    prose = "# BEGIN SOLUTION here, then write the rule"
    cell = new_code_cell(
        f"### BEGIN SOLUTION admin_rule\na = 1\n### END SOLUTION\n{prose}\n# BEGIN SOLUTION\nb = 2\n# END SOLUTION"
    )
    names = []
    replace_regions(cell, SOLUTION, lambda indent, region_name: names.append(region_name) or [], "a.ipynb", 0)
    assert names == ["admin_rule", None]
    assert prose in cell.source.split("\n")


def test_a_name_on_an_end_marker_is_an_error(stored):
    """Does a name on END SOLUTION, where nothing would read it, raise a RegionError saying only BEGIN takes one?"""
    nb = stored("name-on-end-marker.ipynb")
    with pytest.raises(RegionError) as raised:
        replace_regions(nb.cells[1], SOLUTION, lambda indent, region_name: [], "name-on-end-marker.ipynb", 1)
    assert str(raised.value) == (
        "name-on-end-marker.ipynb cell 1 (id admin-rule): END SOLUTION takes no name (line 3): "
        "only BEGIN SOLUTION does"
    )


def test_a_name_on_a_hidden_tests_marker_is_an_error():
    """Is a named BEGIN HIDDEN TESTS rejected too, rather than its name silently dropped?"""
    cell = new_code_cell("### BEGIN HIDDEN TESTS grading\nassert x\n### END HIDDEN TESTS")
    with pytest.raises(RegionError, match=r"BEGIN HIDDEN TESTS takes no name \(line 1\)"):
        replace_regions(cell, HIDDEN_TESTS, lambda indent, region_name: [], "a.ipynb", 0)
