"""tools.generate_labs: labs/ written from solutions/, reproducibly, and --check catching any drift."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools.generate_labs import generate, out_of_sync
from tools.preprocessors import RegionError

@pytest.fixture
def solutions(tmp_path):
    """A solutions/ folder with two notebooks, and an empty labs/ beside it."""
    folder = tmp_path / "solutions"
    folder.mkdir()
    for name in ("01-s3.ipynb", "02-lambda.ipynb"):
        nb = new_notebook(
            cells=[
                new_markdown_cell(f"# {name}", id="title"),
                new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION", id="answer", execution_count=1,
                              outputs=[new_output("stream", name="stdout", text="42\n")]),
            ],
            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        )
        nbformat.write(nb, folder / name)
    (tmp_path / "labs").mkdir()
    return folder


def test_generate_writes_each_lab_through_the_pipeline(solutions):
    """Does generate write one lab per solution, with solutions cleared, outputs gone and cell ids kept?"""
    labs = solutions.parent / "labs"
    written = generate(solutions, labs)
    assert sorted(path.name for path in written) == ["01-s3.ipynb", "02-lambda.ipynb"]
    lab = nbformat.read(labs / "01-s3.ipynb", as_version=4)
    assert [cell.id for cell in lab.cells] == ["title", "answer"]
    assert lab.cells[1].source == (
        "# YOUR CODE HERE\n"
        "raise NotImplementedError(\"exercise '01-s3.ipynb' is not done yet: see the Exercise above this cell\")"
    )
    assert lab.cells[1].outputs == []


def test_generation_is_byte_for_byte_reproducible(solutions, tmp_path):
    """Does generating again, here or elsewhere, give identical bytes and rewrite nothing?"""
    labs, elsewhere = tmp_path / "labs", tmp_path / "elsewhere"
    generate(solutions, labs)
    first = (labs / "01-s3.ipynb").read_bytes()
    assert generate(solutions, labs) == []
    generate(solutions, elsewhere)
    assert (labs / "01-s3.ipynb").read_bytes() == first == (elsewhere / "01-s3.ipynb").read_bytes()


def test_out_of_sync_names_missing_stale_and_extra_labs(solutions):
    """Does out_of_sync report a missing, a stale and an extra lab, one line each, and generate fix all three?"""
    labs = solutions.parent / "labs"
    generate(solutions, labs)
    (labs / "01-s3.ipynb").unlink()
    (labs / "02-lambda.ipynb").write_text((labs / "02-lambda.ipynb").read_text().replace("YOUR CODE", "MY CODE"))
    shutil.copy(solutions / "01-s3.ipynb", labs / "99-retired.ipynb")
    problems = out_of_sync(solutions, labs)
    assert len(problems) == 3
    assert all("run make labs" in problem for problem in problems)
    assert any("01-s3.ipynb is missing" in problem for problem in problems)
    assert any("02-lambda.ipynb is stale" in problem for problem in problems)
    assert any("99-retired.ipynb has no solution" in problem for problem in problems)
    generate(solutions, labs)
    assert out_of_sync(solutions, labs) == []
    assert not (labs / "99-retired.ipynb").exists()


def test_a_broken_solution_writes_nothing(solutions, files):
    """Does a RegionError in one solution stop generate before any lab is written?"""
    shutil.copy(files / "unclosed-solution.ipynb", solutions)
    labs = solutions.parent / "labs"
    with pytest.raises(RegionError, match="unclosed-solution.ipynb cell 2"):
        generate(solutions, labs)
    assert list(labs.iterdir()) == []


def test_check_exit_codes(cli, solutions):
    """Does --check exit 1 listing each missing lab without writing it, then 0 once the labs are generated?"""
    labs = solutions.parent / "labs"
    before = cli("generate_labs", "--check", "--solutions", solutions, "--labs", labs)
    assert before.returncode == 1
    assert len(before.stdout.splitlines()) == 2 and "is missing: run make labs" in before.stdout
    assert list(labs.iterdir()) == []
    assert cli("generate_labs", "--solutions", solutions, "--labs", labs).returncode == 0
    after = cli("generate_labs", "--check", "--solutions", solutions, "--labs", labs)
    assert after.returncode == 0, after.stdout


def test_a_notebook_error_is_one_line(cli, solutions, files):
    """Does a broken solution make the CLI print one 'error:' line naming notebook and cell, with no traceback?"""
    shutil.copy(files / "nested-regions.ipynb", solutions)
    result = cli("generate_labs", "--solutions", solutions, "--labs", solutions.parent / "labs")
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ") and "nested-regions.ipynb cell 0 (id nested): BEGIN SOLUTION inside" in line


def test_a_missing_solutions_folder_keeps_the_labs(cli, solutions):
    """Does a mistyped --solutions fail with one line instead of removing every lab as orphaned?"""
    labs = solutions.parent / "labs"
    generate(solutions, labs)
    result = cli("generate_labs", "--solutions", solutions.parent / "solutoins", "--labs", labs)
    assert (result.returncode, result.stderr.count("\n")) == (1, 1)
    assert "solutoins: no such folder" in result.stderr
    assert len(list(labs.glob("*.ipynb"))) == 2
