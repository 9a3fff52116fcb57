"""ClearSolutions: solution regions become stubs that say which exercise is left to do."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tools.preprocessors import ClearSolutions


def clear(*cells):
    return ClearSolutions().preprocess(new_notebook(cells=list(cells)), "lab.ipynb").cells


def raised_by(source):
    """The message a student reads on running the cell ``source``."""
    with pytest.raises(NotImplementedError) as raised:
        exec(compile(source, "<cell>", "exec"), {})
    return str(raised.value)


def test_code_region_becomes_a_raising_stub_at_its_indentation():
    """Are solution regions in code cells replaced at their indentation, and the code around them kept?"""
    [cell] = clear(new_code_cell(
        "def area(r):\n    ### BEGIN SOLUTION\n    return 3.14 * r * r\n    ### END SOLUTION\n\nprint(area(2))\n"
    ))
    assert cell.source == (
        "def area(r):\n    # YOUR CODE HERE\n"
        "    raise NotImplementedError(\"this exercise is not done yet: see the Exercise above this cell\")\n"
        "\nprint(area(2))\n"
    )


def test_stub_names_the_section_it_is_in():
    """Does the stub's one-line message name the exercise after the last heading above the cell, as the student
    sees it, even with cells and fenced code between?"""
    _, _, _, cell = clear(
        new_markdown_cell("# 05 · WAF\n\n## 1. The rules\n\nRules run by ascending `Priority`."),
        new_markdown_cell("**Exercise:** write `admin_rule`.\n\n```python\n# not a heading\n```"),
        new_code_cell("rules = []"),
        new_code_cell("### BEGIN SOLUTION\nadmin_rule = {}\n### END SOLUTION\nrules.append(admin_rule)"),
    )
    assert raised_by(cell.source) == "exercise '1. The rules' is not done yet: see the Exercise above this cell"


def test_a_name_on_the_marker_wins_over_the_section():
    """Does ``### BEGIN SOLUTION admin_rule`` name the exercise admin_rule, whatever the section?"""
    _, cell = clear(
        new_markdown_cell("## 1. The rules"),
        new_code_cell("### BEGIN SOLUTION admin_rule\nadmin_rule = {}\n### END SOLUTION"),
    )
    assert raised_by(cell.source) == "exercise 'admin_rule' is not done yet: see the Exercise above this cell"


def test_each_exercise_gets_its_own_section():
    """Does a later section's exercise name that section, not the first one?"""
    cells = clear(
        new_markdown_cell("## 1. Create the table"),
        new_code_cell("### BEGIN SOLUTION\ncreate()\n### END SOLUTION"),
        new_markdown_cell("## 2. Let's write an item"),
        new_code_cell("### BEGIN SOLUTION\nput()\n### END SOLUTION"),
    )
    assert raised_by(cells[1].source).startswith("exercise '1. Create the table' is not done yet")
    # A quote in the heading must not break the stub's string literal.
    assert raised_by(cells[3].source).startswith("exercise '2. Let's write an item' is not done yet")


def test_markdown_region_becomes_your_answer_here():
    """Is a solution region in a markdown cell replaced by YOUR ANSWER HERE, without its markers read as headings?"""
    md, code = clear(
        new_markdown_cell("Why a VPC endpoint?\n\n### BEGIN SOLUTION\nNo NAT costs.\n### END SOLUTION"),
        new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"),
    )
    assert md.source == "Why a VPC endpoint?\n\nYOUR ANSWER HERE"
    assert raised_by(code.source).startswith("this exercise is not done yet")


def test_every_region_of_a_cell_is_replaced():
    """Is each of several solution regions in one cell replaced, not only the first?"""
    [cell] = clear(new_code_cell(
        "### BEGIN SOLUTION\na = 1\n### END SOLUTION\nkeep = 0\n## BEGIN SOLUTION\nb = 2\n## END SOLUTION"
    ))
    assert cell.source.count("raise NotImplementedError(") == 2
    assert "keep = 0" in cell.source and "a = 1" not in cell.source and "b = 2" not in cell.source


def test_cell_without_regions_is_unchanged():
    """Is a cell without solution regions left exactly as it was?"""
    [cell] = clear(new_code_cell("import boto3\n"))
    assert cell.source == "import boto3\n"
