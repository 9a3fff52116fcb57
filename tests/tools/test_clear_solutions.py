"""ClearSolutions: solution regions become stubs."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tools.preprocessors import ClearSolutions


def clear(*cells):
    return ClearSolutions().preprocess(new_notebook(cells=list(cells)), "lab.ipynb").cells


def test_code_region_becomes_a_raising_stub_at_its_indentation():
    """Are solution regions in code cells replaced at their indentation, and the code around them kept?"""
    [cell] = clear(new_code_cell(
        "def area(r):\n    ### BEGIN SOLUTION\n    return 3.14 * r * r\n    ### END SOLUTION\n\nprint(area(2))\n"
    ))
    assert cell.source == (
        "def area(r):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\nprint(area(2))\n"
    )


def test_markdown_region_becomes_your_answer_here():
    """Is a solution region in a markdown cell replaced by YOUR ANSWER HERE?"""
    [cell] = clear(new_markdown_cell("Why a VPC endpoint?\n\n### BEGIN SOLUTION\nNo NAT costs.\n### END SOLUTION"))
    assert cell.source == "Why a VPC endpoint?\n\nYOUR ANSWER HERE"


def test_every_region_of_a_cell_is_replaced():
    """Is each of several solution regions in one cell replaced, not only the first?"""
    [cell] = clear(new_code_cell(
        "### BEGIN SOLUTION\na = 1\n### END SOLUTION\nkeep = 0\n## BEGIN SOLUTION\nb = 2\n## END SOLUTION"
    ))
    assert cell.source.count("raise NotImplementedError()") == 2
    assert "keep = 0" in cell.source and "a = 1" not in cell.source and "b = 2" not in cell.source


def test_cell_without_regions_is_unchanged():
    """Is a cell without solution regions left exactly as it was?"""
    [cell] = clear(new_code_cell("import boto3\n"))
    assert cell.source == "import boto3\n"
